/**
 * The Linux personality as data-tree nodes (docs/linux.md, "The personality
 * as a tree"): the file system's tree, fsmeta, os (everything else, as
 * canonical JSON), stdin (input not read yet), stdout and stderr.
 *
 * Converting copies no file contents and no output: blobs wrap the file
 * system's buffers (copy-on-write from then on) and the append-only output
 * buffers. Parts that did not change since the last conversion come back
 * as the same objects, so their hashes are not computed again.
 */
import { Buffer } from "node:buffer";
import {
  blob,
  type BlobNode,
  type DirNode as TreeDir,
  EMPTY_DIR,
} from "../tree/mod.ts";
import { type Timespec, wallClock } from "./clock.ts";
import { type FdEntry, type OpenFile } from "./files.ts";
import { fsFromTree, fsMeta } from "./fs/meta.ts";
import type { DirNode, Node } from "./fs/node.ts";
import { bytesFromJson, bytesToJson } from "./fs/treenames.ts";
import { canonicalJson, GuestStateError } from "./json.ts";
import { type Exit, Linux, type LinuxOptions, type Output, STDIN } from "./linux.ts";
import { type Pipe, pipeEnds } from "./pipe.ts";
import { type Epoll, itemKey, removeItem } from "./epoll.ts";
import { NSIG, type SigAction, type SignalState } from "./signals.ts";
import { QUANTUM } from "./process/machine.ts";
import { readSignalExtras } from "./signals/json.ts";
import { isStopSignal } from "./process/stop.ts";
import type { Rlimit } from "./syscalls/limits.ts";
import { DEFAULT_QUOTA, MAX_QUOTA, quotaRecord } from "./quota.ts";
import type { TlsEntry } from "./syscalls/tls.ts";

/** Version of the os format. */
export const OS_VERSION = 1;

/** A guest's Linux personality as data-tree nodes (the guest subtree's entries of those names). */
export interface LinuxTree {
  /** The root directory's tree (symbolic links and devices are in fsmeta). */
  fs: TreeDir;
  /** File-system metadata the tree does not carry (canonical JSON). */
  fsmeta: BlobNode;
  /** Descriptors, pipes, memory break, TLS, signals, limits, ... (canonical JSON). */
  os: BlobNode;
  /** Input not read yet. Replace it to give the guest input. */
  stdin: BlobNode;
  /** Everything written to stdout. */
  stdout: BlobNode;
  /** Everything written to stderr. */
  stderr: BlobNode;
}

const EMPTY_BLOB = blob(new Uint8Array(0));

/** Blobs of the last conversion, reused while their source is unchanged. */
interface Reuse {
  os?: { json: string; blob: BlobNode };
  stdin?: { chunk: Uint8Array; head: number; size: number; blob: BlobNode };
  out: Record<1 | 2, { data: Uint8Array; size: number; blob: BlobNode } | undefined>;
}
const reuse = new WeakMap<Linux, Reuse>();

/**
 * The personality as data-tree nodes. Cost: the directories changed since
 * the last conversion (and their fsmeta records), the os JSON, and any
 * output or input that changed; no file contents are copied.
 *
 * @example
 * const t = linuxToTree(linux);
 * t.fs.get("etc"); // the tree of /etc
 * new TextDecoder().decode(t.stdout.bytes); // what the guest printed
 */
export function linuxToTree(k: Linux): LinuxTree {
  let r = reuse.get(k);
  if (!r) reuse.set(k, r = { out: { 1: undefined, 2: undefined } });
  const fs = k.fs.treeOf(k.fs.get(k.fs.root)) as TreeDir;
  const json = osJson(k);
  if (r.os?.json !== json) r.os = { json, blob: blob(json) };
  return {
    fs,
    fsmeta: fsMeta(k.fs),
    os: r.os.blob,
    stdin: stdinBlob(k, r),
    stdout: outputBlob(k.output[1], r, 1),
    stderr: outputBlob(k.output[2], r, 2),
  };
}

function outputBlob(o: Output, r: Reuse, fd: 1 | 2): BlobNode {
  const last = r.out[fd];
  if (last && last.data === o.data && last.size === o.size) return last.blob;
  const b = o.size === 0
    ? EMPTY_BLOB
    : blob(o.size === o.data.length ? o.data : o.data.subarray(0, o.size));
  r.out[fd] = { data: o.data, size: o.size, blob: b };
  return b;
}

function stdinBlob(k: Linux, r: Reuse): BlobNode {
  const p = k.pipes.get(STDIN);
  if (!p || p.size === 0) return EMPTY_BLOB;
  const last = r.stdin;
  if (
    last && last.chunk === p.chunks[0] && last.head === p.head &&
    last.size === p.size
  ) return last.blob;
  // Pipe chunks are never written in place, so a view of one is safe.
  const b = blob(
    p.chunks.length === 1 ? p.chunks[0].subarray(p.head) : queued(p),
  );
  r.stdin = { chunk: p.chunks[0], head: p.head, size: p.size, blob: b };
  return b;
}

/** A pipe's queued bytes, in one array. */
function queued(p: Pipe): Uint8Array {
  const out = new Uint8Array(p.size);
  let at = 0;
  p.chunks.forEach((c, i) => {
    const part = i === 0 ? c.subarray(p.head) : c;
    out.set(part, at);
    at += part.length;
  });
  return out;
}

const ts = (t: Timespec) => [t.sec, t.nsec];

/** The os blob's text: everything but the file system and the standard streams' bytes. */
function osJson(k: Linux): string {
  const files = [...k.files.values()].sort((a, b) => a.id - b.id).map((f) => {
    const node = f.kind === "node" ? k.fs.nodes.get(f.target) : undefined;
    return {
      id: f.id,
      kind: f.kind,
      target: f.target,
      type: node?.kind,
      flags: f.flags,
      offset: f.offset,
      cursor: f.dirCursor === null ? null : bytesToJson(f.dirCursor),
      seen: f.fifoSeen,
    };
  });
  const pipes = [...k.pipes.values()].sort((a, b) => a.id - b.id).map((p) => ({
    id: p.id,
    sink: p.sink,
    ctime: ts(p.ctime),
    data: p.id === STDIN || p.size === 0
      ? undefined
      : Buffer.from(queued(p)).toString("base64"),
    fifo: p.fifo ? [p.fifo.ino, p.fifo.readOpens, p.fifo.writeOpens] : undefined,
  }));
  const m = k.machine;
  return canonicalJson({
    v: OS_VERSION,
    now: k.now,
    ...ownJson(k),
    // The process's identity is written once the guest has more than one.
    proc: m.procs || k.exe !== undefined ? identityJson(k) : undefined,
    sched: m.procs ? { current: m.current, quantum: m.quantum, nextPid: m.nextPid, clock: m.clock } : undefined,
    files,
    pipes,
    epolls: k.epolls.size ? [...k.epolls.values()].sort((a, b) => a.id - b.id).map(epollJson) : undefined,
    nextFile: k.nextFile,
    nextPipe: k.nextPipe,
    stdinOpen: k.hostStdinOpen,
    random: {
      seed: Buffer.from(k.random.seed).toString("hex"),
      position: k.random.position,
    },
  });
}

/** An epoll instance: its items in the order they were added, and its ready list by item. */
function epollJson(ep: Epoll) {
  return {
    id: ep.id,
    items: [...ep.items.values()].map((i) => [i.file, i.fd, i.events >>> 0, i.data[0] >>> 0, i.data[1] >>> 0]),
    ready: ep.ready.map((i) => [i.file, i.fd]),
  };
}

/** A process's ids and program (docs/linux.md, "Processes"). */
function identityJson(k: Linux) {
  return {
    pid: k.pid,
    tgid: k.tgid === k.pid ? undefined : k.tgid,
    ppid: k.ppid,
    pgid: k.pgid,
    sid: k.sid,
    exe: k.exe,
    vfork: k.vforkChild,
    futex: k.futexAddr || k.futexWoken ? [k.futexAddr, k.futexWoken] : undefined,
    sleep: k.sleeping === undefined ? undefined : [k.sleeping, k.sleepUntil],
  };
}

/** What each process has of its own. */
function ownJson(k: Linux) {
  const exit = k.exit
    ? k.exit.kind === "exited"
      ? { kind: "exited", code: k.exit.code }
      : { kind: "killed", signal: k.exit.signal }
    : null;
  return {
    cwd: k.cwd,
    umask: k.umask,
    brkStart: k.brkStart,
    brk: k.brk,
    fds: [...k.fds.entries()].sort((a, b) => a[0] - b[0])
      .map(([fd, e]) => [fd, e.file, e.cloexec]),
    tls: k.tls,
    signals: unsignedSets(k.signals),
    limits: k.limits,
    quota: quotaRecord(k.quota),
    tidAddress: k.tidAddress,
    robustList: k.robustList,
    comm: bytesToJson(k.comm),
    exit,
    blocked: k.blocked ?? null,
    fifo: k.fifoWait ? [k.fifoWait.pipe, k.fifoWait.write, k.fifoWait.seen] : undefined,
    stop: k.stopSig || k.stopReport ? [k.stopSig, k.stopReport ?? null] : undefined,
    // Counted from the first fork on (core/linux/process/cputime.ts); absent before.
    cputime: k.cpuTime || k.cpuTimeEnded || k.cpuTimeChildren
      ? [k.cpuTime, k.cpuTimeEnded, k.cpuTimeChildren]
      : undefined,
  };
}

/** Signal sets as unsigned words (the calls may leave bit 31 as a sign). */
function unsignedSets(s: SignalState): SignalState {
  const u = (set: [number, number]): [number, number] => [set[0] >>> 0, set[1] >>> 0];
  const actions: Record<number, SigAction> = {};
  for (const [sig, a] of Object.entries(s.actions)) actions[Number(sig)] = { ...a, mask: u(a.mask) };
  return { ...s, actions, blocked: u(s.blocked), pending: u(s.pending) };
}

const processBlobs = new WeakMap<Linux, { json: string; blob: BlobNode }>();

/**
 * The `os` blob of a process other than the guest's first one: its own
 * state only (files, pipes and the clock are in the first process's os).
 *
 * @example
 * processOsBlob(child).bytes; // {"v":1,"proc":{"pid":101,…},"fds":[…],…}
 */
export function processOsBlob(k: Linux): BlobNode {
  const json = canonicalJson({ v: OS_VERSION, proc: identityJson(k), ...ownJson(k) });
  const last = processBlobs.get(k);
  if (last?.json === json) return last.blob;
  const b = blob(json);
  processBlobs.set(k, { json, blob: b });
  return b;
}

// ---- restoring ----------------------------------------------------------------

type Json = unknown;

function fail(what: string, problem: string): never {
  throw new GuestStateError(`os: ${what} ${problem}`);
}

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function obj(v: Json, what: string): Record<string, Json> {
  if (!isObject(v)) fail(what, "should be an object");
  return v;
}

function arr(v: Json, what: string, length?: number): Json[] {
  if (!Array.isArray(v) || (length !== undefined && v.length !== length)) {
    fail(what, length === undefined ? "should be an array" : `should be an array of ${length}`);
  }
  return v;
}

function int(v: Json, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    fail(what, `should be an integer from ${min} to ${max}`);
  }
  return v;
}

const u32 = (v: Json, what: string) => int(v, what, 0, 0xffffffff);

function bool(v: Json, what: string): boolean {
  if (typeof v !== "boolean") fail(what, "should be true or false");
  return v;
}

function time(v: Json, what: string): Timespec {
  const a = arr(v, what, 2);
  return { sec: int(a[0], `${what}[0]`, -Number.MAX_SAFE_INTEGER), nsec: int(a[1], `${what}[1]`, 0, 999_999_999) };
}

function bytes(v: Json, what: string): string {
  const s = bytesFromJson(v);
  if (s === undefined) fail(what, 'should be a string or {"hex": ...}');
  return s;
}

function hexBytes(v: Json, what: string): Uint8Array {
  if (typeof v !== "string" || v.length % 2 || !/^[0-9a-f]*$/.test(v)) {
    fail(what, "should be hexadecimal");
  }
  return new Uint8Array(Buffer.from(v, "hex"));
}

function base64(v: Json, what: string): Uint8Array {
  if (typeof v !== "string") fail(what, "should be base64");
  return new Uint8Array(Buffer.from(v, "base64"));
}

function readSignals(v: Json): SignalState {
  const s = obj(v, "signals");
  const pair = (x: Json, what: string): [number, number] => {
    const a = arr(x, what, 2);
    return [u32(a[0], `${what}[0]`), u32(a[1], `${what}[1]`)];
  };
  const actions: Record<number, SigAction> = {};
  for (const [sig, a] of Object.entries(obj(s.actions, "signals.actions"))) {
    const n = Number(sig);
    if (!Number.isInteger(n) || n < 1 || n > NSIG || String(n) !== sig) {
      fail(`signals.actions[${JSON.stringify(sig)}]`, "is not a signal number");
    }
    const what = `signals.actions[${sig}]`;
    const o = obj(a, what);
    actions[n] = {
      handler: u32(o.handler, `${what}.handler`),
      flags: u32(o.flags, `${what}.flags`),
      restorer: u32(o.restorer, `${what}.restorer`),
      mask: pair(o.mask, `${what}.mask`),
    };
  }
  const alt = obj(s.altstack, "signals.altstack");
  return {
    ...readSignalExtras(s),
    actions,
    blocked: pair(s.blocked, "signals.blocked"),
    pending: pair(s.pending, "signals.pending"),
    altstack: {
      sp: u32(alt.sp, "signals.altstack.sp"),
      flags: u32(alt.flags, "signals.altstack.flags"),
      size: u32(alt.size, "signals.altstack.size"),
    },
  };
}

function readExit(v: Json): Exit | undefined {
  if (v === null) return undefined;
  const e = obj(v, "exit");
  if (e.kind === "exited") return { kind: "exited", code: int(e.code, "exit.code", 0, 255) };
  if (e.kind === "killed") {
    return { kind: "killed", signal: int(e.signal, "exit.signal", 1, NSIG) };
  }
  fail("exit.kind", 'should be "exited" or "killed"');
}

const NODE_KINDS = new Set(["file", "dir", "symlink", "device", "fifo"]);

/**
 * Rebuilds a personality from {@link linuxToTree}'s parts (use
 * `Linux.fromTree`). The stdin blob becomes the input not read yet (if the
 * guest still has its stdin); stdout and stderr continue the captured
 * output. Reference counts of descriptions and pipe ends are recomputed
 * from the descriptors, not trusted. An empty os blob means a fresh process
 * (the three standard descriptors, seed empty). Open files and a working
 * directory whose inode is no longer in the tree (someone removed it)
 * become empty unlinked nodes. Throws GuestStateError for anything else
 * that is not what fx86 writes.
 */
export function linuxFromTree(
  parts: LinuxTree,
  opts: Pick<LinuxOptions, "trace" | "onOutput">,
  procs: BlobNode[] = [],
): Linux {
  let os: Record<string, Json> | undefined;
  if (parts.os.size > 0) {
    let parsed: Json;
    try {
      parsed = JSON.parse(new TextDecoder().decode(parts.os.bytes));
    } catch {
      throw new GuestStateError("os is not JSON");
    }
    os = obj(parsed, "os");
    if (os.v !== OS_VERSION) fail("v", `should be ${OS_VERSION}`);
  }
  const now = os ? int(os.now, "now") : 0;
  const fs = fsFromTree(parts.fs, parts.fsmeta, wallClock(now));
  const seed = os
    ? hexBytes(obj(os.random, "random").seed, "random.seed")
    : new Uint8Array(0);
  const k = new Linux({ fs, seed, stdin: os ? undefined : parts.stdin.bytes, ...opts });
  k.now = now;
  if (os) {
    const kinds = restoreShared(k, os, parts.stdin);
    restoreOwn(k, os);
    recount(k, [k, ...restoreChildren(k, os, procs, opts)], kinds);
  }
  k.output[1] = { data: parts.stdout.bytes, size: parts.stdout.size };
  k.output[2] = { data: parts.stderr.bytes, size: parts.stderr.size };
  // Converting back before anything changes gives the very same blobs.
  const r: Reuse = { out: { 1: undefined, 2: undefined } };
  for (const fd of [1, 2] as const) {
    const b = fd === 1 ? parts.stdout : parts.stderr;
    r.out[fd] = { data: b.bytes, size: b.size, blob: b.size ? b : EMPTY_BLOB };
  }
  const p = k.pipes.get(STDIN);
  if (p && p.size > 0) {
    r.stdin = { chunk: p.chunks[0], head: 0, size: p.size, blob: parts.stdin };
  }
  if (os) r.os = { json: new TextDecoder().decode(parts.os.bytes), blob: parts.os };
  reuse.set(k, r);
  return k;
}

/** The process table's other members, from their os blobs. */
function restoreChildren(
  k: Linux,
  os: Record<string, Json>,
  blobs: BlobNode[],
  opts: Pick<LinuxOptions, "trace" | "onOutput">,
): Linux[] {
  if (os.sched === undefined) {
    if (blobs.length) fail("sched", "is missing although there are other processes");
    return [];
  }
  const sched = obj(os.sched, "sched");
  const m = k.machine;
  m.procs = new Map([[k.pid, k]]);
  m.nextPid = int(sched.nextPid, "sched.nextPid", k.pid + 1);
  m.current = int(sched.current, "sched.current", 1);
  m.quantum = int(sched.quantum, "sched.quantum", -Number.MAX_SAFE_INTEGER, QUANTUM);
  m.clock = int(sched.clock, "sched.clock");
  const children: Linux[] = [];
  for (const b of blobs) {
    let parsed: Json;
    try {
      parsed = JSON.parse(new TextDecoder().decode(b.bytes));
    } catch {
      throw new GuestStateError("a process's os is not JSON");
    }
    const o = obj(parsed, "os");
    if (o.v !== OS_VERSION) fail("v", `should be ${OS_VERSION}`);
    const c = new Linux({ fs: k.fs, seed: new Uint8Array(0), ...opts }, k);
    restoreOwn(c, o);
    if (c.pid <= k.pid || c.pid >= m.nextPid || m.procs.has(c.pid)) fail("proc.pid", "is not a child's pid");
    children.push(c);
  }
  children.sort((a, b) => a.pid - b.pid).forEach((c) => m.procs!.set(c.pid, c));
  // A thread shares its process's descriptors, signal actions and limits (its os repeats them).
  for (const t of children) {
    if (t.tgid === t.pid) continue;
    const leader = m.procs.get(t.tgid);
    if (!leader || leader.tgid !== leader.pid) fail("proc.tgid", "is not a process");
    t.fds = leader.fds;
    t.signals.actions = leader.signals.actions;
    t.limits = leader.limits;
  }
  // `current` may name a thread that has just ended: the scheduler goes on after it.
  return children;
}

/** What the processes share: the random stream, pipes and open file descriptions. */
function restoreShared(k: Linux, os: Record<string, Json>, stdin: BlobNode): Map<number, Node["kind"]> {
  k.random.position = int(obj(os.random, "random").position, "random.position");
  k.files.clear();
  k.pipes.clear();
  k.fds.clear();
  k.nextFile = int(os.nextFile, "nextFile", 1);
  k.nextPipe = int(os.nextPipe, "nextPipe", 1);
  k.hostStdinOpen = bool(os.stdinOpen, "stdinOpen");
  // Pipes, with their queued bytes (stdin's are the stdin blob).
  for (const [i, v] of arr(os.pipes, "pipes").entries()) {
    const o = obj(v, `pipes[${i}]`);
    const id = int(o.id, `pipes[${i}].id`, 1, k.nextPipe - 1);
    const sink = int(o.sink, `pipes[${i}].sink`, 0, 2) as 0 | 1 | 2;
    if (k.pipes.has(id)) fail(`pipes[${i}].id`, "appears twice");
    const data = id === STDIN
      ? stdin.bytes
      : o.data === undefined
      ? new Uint8Array(0)
      : base64(o.data, `pipes[${i}].data`);
    const ctime = time(o.ctime, `pipes[${i}].ctime`);
    const p: Pipe = {
      id,
      chunks: data.length ? [data] : [],
      head: 0,
      size: data.length,
      readers: 0,
      writers: 0,
      sink,
      ctime,
    };
    if (o.fifo !== undefined) {
      const f = arr(o.fifo, `pipes[${i}].fifo`, 3);
      p.fifo = {
        ino: int(f[0], `pipes[${i}].fifo[0]`, 1),
        readOpens: u32(f[1], `pipes[${i}].fifo[1]`),
        writeOpens: u32(f[2], `pipes[${i}].fifo[2]`),
      };
    }
    k.pipes.set(id, p);
  }

  // Open file descriptions; node kinds for inodes that may have gone.
  const kinds = new Map<number, Node["kind"]>();
  for (const [i, v] of arr(os.files, "files").entries()) {
    const what = `files[${i}]`;
    const o = obj(v, what);
    const id = int(o.id, `${what}.id`, 1, k.nextFile - 1);
    if (k.files.has(id)) fail(`${what}.id`, "appears twice");
    if (o.kind !== "node" && o.kind !== "pipe" && o.kind !== "epoll") {
      fail(`${what}.kind`, 'should be "node", "pipe" or "epoll"');
    }
    const target = int(o.target, `${what}.target`, 1);
    if (o.kind === "pipe" && !k.pipes.has(target)) fail(`${what}.target`, "is not a pipe");
    if (o.kind === "epoll" && target !== id) fail(`${what}.target`, "should be the epoll file's own id");
    if (o.kind === "node" && o.type !== undefined) {
      if (typeof o.type !== "string" || !NODE_KINDS.has(o.type)) fail(`${what}.type`, "is not a node kind");
      kinds.set(target, o.type as Node["kind"]);
    }
    const f: OpenFile = {
      id,
      kind: o.kind,
      target,
      flags: u32(o.flags, `${what}.flags`),
      offset: int(o.offset, `${what}.offset`),
      dirCursor: o.cursor === null ? null : bytes(o.cursor, `${what}.cursor`),
      refs: 0,
    };
    if (o.seen !== undefined) f.fifoSeen = u32(o.seen, `${what}.seen`);
    k.files.set(id, f);
  }
  restoreEpolls(k, os.epolls);
  return kinds;
}

/** The epoll instances, each belonging to an epoll file and watching open files. */
function restoreEpolls(k: Linux, v: Json): void {
  if (v === undefined) return;
  for (const [i, e] of arr(v, "epolls").entries()) {
    const what = `epolls[${i}]`;
    const o = obj(e, what);
    const id = int(o.id, `${what}.id`, 1);
    if (k.files.get(id)?.kind !== "epoll" || k.epolls.has(id)) fail(`${what}.id`, "is not an epoll file's id");
    const ep: Epoll = { id, items: new Map(), ready: [] };
    for (const [j, it] of arr(o.items, `${what}.items`).entries()) {
      const w = `${what}.items[${j}]`;
      const a = arr(it, w, 5);
      const file = int(a[0], `${w}[0]`, 1);
      if (!k.files.has(file)) fail(`${w}[0]`, "is not an open file");
      const fd = int(a[1], `${w}[1]`, 0, 0x7fffffff);
      if (ep.items.has(itemKey(file, fd))) fail(w, "appears twice");
      ep.items.set(itemKey(file, fd), {
        file,
        fd,
        events: u32(a[2], `${w}[2]`) | 0,
        data: [u32(a[3], `${w}[3]`), u32(a[4], `${w}[4]`)],
      });
    }
    for (const [j, r] of arr(o.ready, `${what}.ready`).entries()) {
      const w = `${what}.ready[${j}]`;
      const a = arr(r, w, 2);
      const item = ep.items.get(itemKey(int(a[0], `${w}[0]`), int(a[1], `${w}[1]`)));
      if (!item || ep.ready.includes(item)) fail(w, "is not an item of the instance, once");
      ep.ready.push(item);
    }
    k.epolls.set(id, ep);
  }
}

/** A process's own state: ids, descriptors, memory break, TLS, signals, limits. */
function restoreOwn(k: Linux, os: Record<string, Json>): void {
  if (os.proc !== undefined) {
    const p = obj(os.proc, "proc");
    k.pid = int(p.pid, "proc.pid", 1, 0x3fffffff);
    k.tgid = p.tgid === undefined ? k.pid : int(p.tgid, "proc.tgid", 1, k.pid);
    if (p.futex !== undefined) {
      const f = arr(p.futex, "proc.futex", 2);
      k.futexAddr = u32(f[0], "proc.futex[0]");
      k.futexWoken = bool(f[1], "proc.futex[1]");
    }
    if (p.sleep !== undefined) {
      const sl = arr(p.sleep, "proc.sleep", 2);
      if (sl[0] !== "asleep" && sl[0] !== "polling" && sl[0] !== "woken") {
        fail("proc.sleep[0]", 'should be "asleep", "polling" or "woken"');
      }
      k.sleeping = sl[0];
      k.sleepUntil = int(sl[1], "proc.sleep[1]");
    }
    k.ppid = int(p.ppid, "proc.ppid", 0, 0x3fffffff);
    k.pgid = int(p.pgid, "proc.pgid", 1, 0x3fffffff);
    k.sid = int(p.sid, "proc.sid", 1, 0x3fffffff);
    k.vforkChild = int(p.vfork, "proc.vfork", 0, 0x3fffffff);
    k.exe = p.exe === undefined ? undefined : bytes(p.exe, "proc.exe");
  }
  k.umask = int(os.umask, "umask", 0, 0o777);
  k.brkStart = u32(os.brkStart, "brkStart");
  k.brk = u32(os.brk, "brk");
  k.tidAddress = u32(os.tidAddress, "tidAddress");
  const rl = arr(os.robustList, "robustList", 2);
  k.robustList = [u32(rl[0], "robustList[0]"), u32(rl[1], "robustList[1]")];
  k.comm = bytes(os.comm, "comm");
  if (k.comm.length > 15) fail("comm", "is longer than 15 bytes");
  k.exit = readExit(os.exit);
  if (os.blocked !== null && typeof os.blocked !== "string") {
    fail("blocked", "should be a string or null");
  }
  k.blocked = os.blocked ?? undefined;
  if (os.fifo !== undefined) {
    const w = arr(os.fifo, "fifo", 3);
    k.fifoWait = { pipe: int(w[0], "fifo[0]", 1), write: bool(w[1], "fifo[1]"), seen: u32(w[2], "fifo[2]") };
  }
  if (os.cputime !== undefined) {
    const t = arr(os.cputime, "cputime", 3);
    [k.cpuTime, k.cpuTimeEnded, k.cpuTimeChildren] = t.map((v, i) => int(v, `cputime[${i}]`));
  }
  if (os.stop !== undefined) {
    const st = arr(os.stop, "stop", 2);
    k.stopSig = int(st[0], "stop[0]", 0, NSIG);
    if (k.stopSig !== 0 && !isStopSignal(k.stopSig)) fail("stop[0]", "is not a stop signal");
    if (st[1] !== null && st[1] !== "stopped" && st[1] !== "continued") fail("stop[1]", 'should be "stopped", "continued" or null');
    k.stopReport = st[1] ?? undefined;
  }
  k.tls = arr(os.tls, "tls", 3).map((t, i): TlsEntry | null => {
    if (t === null) return null;
    const o = obj(t, `tls[${i}]`);
    return {
      base: u32(o.base, `tls[${i}].base`),
      limit: u32(o.limit, `tls[${i}].limit`),
      flags: u32(o.flags, `tls[${i}].flags`),
    };
  });
  k.signals = readSignals(os.signals);
  k.limits = arr(os.limits, "limits", 16).map((l, i): Rlimit => {
    const a = arr(l, `limits[${i}]`, 2);
    return [int(a[0], `limits[${i}][0]`, -1), int(a[1], `limits[${i}][1]`, -1)];
  });
  if (os.quota === undefined) k.setQuota(DEFAULT_QUOTA);
  else {
    const q = obj(os.quota, "quota");
    k.setQuota({ fileBytes: int(q.fileBytes, "quota.fileBytes", 0, MAX_QUOTA), memory: int(q.memory, "quota.memory", 0, MAX_QUOTA) });
  }
  k.cwd = int(os.cwd, "cwd", 1);
  for (const [i, v] of arr(os.fds, "fds").entries()) {
    const a = arr(v, `fds[${i}]`, 3);
    const fd = int(a[0], `fds[${i}][0]`, 0, 0x7fffffff);
    const file = k.files.get(int(a[1], `fds[${i}][1]`, 1));
    if (!file) fail(`fds[${i}][1]`, "is not an open file");
    if (k.fds.has(fd)) fail(`fds[${i}][0]`, "appears twice");
    const e: FdEntry = { file: file.id, cloexec: bool(a[2], `fds[${i}][2]`) };
    k.fds.set(fd, e);
  }
}

/**
 * Reference counts of descriptions and pipe ends, recomputed from every
 * process's descriptors (not trusted); then unreferenced ones go, and
 * inodes in use that the tree no longer has become empty orphans.
 */
function recount(k: Linux, all: Linux[], kinds: Map<number, Node["kind"]>): void {
  // Threads share one table: count each table once.
  for (const fds of new Set(all.map((p) => p.fds))) {
    for (const e of fds.values()) k.files.get(e.file)!.refs++;
  }
  // Counts follow from the descriptions; unreferenced ones would have been freed.
  for (const f of [...k.files.values()]) {
    if (f.refs === 0) {
      k.files.delete(f.id);
      continue;
    }
    if (f.kind === "pipe") {
      const p = k.pipes.get(f.target)!;
      const ends = pipeEnds(f.flags);
      if (ends.read) p.readers++;
      if (ends.write) p.writers++;
    }
  }
  // Opens of fifos waiting for the other end count as that end.
  for (const p of all) {
    const w = p.fifoWait;
    if (!w) continue;
    const pipe = k.pipes.get(w.pipe);
    if (!pipe?.fifo) fail("fifo[0]", "is not a fifo's pipe");
    if (w.write) pipe.writers++;
    else pipe.readers++;
  }
  // Epoll instances and items whose files would have been freed go with them.
  for (const ep of [...k.epolls.values()]) {
    if (!k.files.has(ep.id)) k.epolls.delete(ep.id);
    for (const item of [...ep.items.values()]) if (!k.files.has(item.file)) removeItem(ep, item);
  }
  const stdinPipe = k.pipes.get(STDIN);
  if (stdinPipe && k.hostStdinOpen) stdinPipe.writers++;
  for (const p of [...k.pipes.values()]) {
    if (!p.sink && p.readers === 0 && p.writers === 0) k.pipes.delete(p.id);
  }

  // Inodes in use that the tree no longer has become empty orphans.
  const need = (ino: number, kind: Node["kind"]) => {
    const n = k.fs.nodes.get(ino);
    if (n) return n;
    const placeholder = orphan(ino, kind, k.fs.root, wallClock(k.now));
    k.fs.nodes.set(ino, placeholder);
    k.fs.orphans.add(ino);
    if (ino >= k.fs.nextIno) k.fs.nextIno = ino + 1;
    return placeholder;
  };
  for (const p of all) if (need(p.cwd, "dir").kind !== "dir") fail("cwd", "is not a directory");
  for (const f of k.files.values()) {
    if (f.kind === "node") need(f.target, kinds.get(f.target) ?? "file");
  }
}

/** An empty unlinked node standing in for one that was removed from the tree. */
function orphan(ino: number, kind: Node["kind"], root: number, t: Timespec): Node {
  const base = { ino, mode: 0, uid: 1000, gid: 1000, nlink: 0, atime: t, mtime: t, ctime: t };
  switch (kind) {
    case "dir":
      return {
        ...base,
        kind,
        mode: 0o755,
        entries: new Map(),
        parent: root,
        tree: EMPTY_DIR,
        born: t,
      } satisfies DirNode;
    case "symlink":
      return { ...base, kind, mode: 0o777, target: "/", parents: [] };
    case "device":
      return { ...base, kind, mode: 0o666, rdev: 0x103, parents: [] };
    case "fifo":
      return { ...base, kind, mode: 0o644, parents: [] };
    default:
      return {
        ...base,
        kind: "file",
        mode: 0o644,
        data: new Uint8Array(0),
        size: 0,
        shared: 0,
        parents: [],
      };
  }
}
