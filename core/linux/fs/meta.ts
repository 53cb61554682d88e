/**
 * fsmeta: everything about a file system that its data tree does not say
 * (docs/linux.md, "fsmeta"): inode numbers, modes, owners, times, symbolic
 * links, devices, hard links, unlinked-but-open nodes, which directories
 * are materialised. Canonical JSON, small when metadata is default.
 *
 * Building it reuses a record cached on each directory (`DirNode.meta`),
 * which FileSystem drops along the path of every change, so an unchanged
 * subtree costs nothing; restoring it ({@link fsFromTree}) rebuilds the
 * nodes it describes and leaves every other directory of the tree lazy.
 */
import { Buffer } from "node:buffer";
import {
  blob,
  type BlobNode,
  type DirNode as TreeDir,
  EMPTY_DIR,
  type TreeNode,
} from "../../tree/mod.ts";
import { type Timespec, wallClock } from "../clock.ts";
import { GID, UID } from "../identity.ts";
import { compareNames } from "../../tree/mod.ts";
import { GuestStateError, jsonObject } from "../json.ts";
import { contents } from "./contents.ts";
import { FileSystem, subdirCount } from "./filesystem.ts";
import type { DirNode, FileNode, Node, Rope } from "./node.ts";
import {
  bytesFromJson,
  bytesHex,
  bytesToJson,
  toFsName,
  toTreeName,
} from "./treenames.ts";

/** Version of the fsmeta format. */
export const FSMETA_VERSION = 1;

/** Default permission bits by node kind. */
export const DEFAULT_MODE: Record<Node["kind"], number> = {
  file: 0o644,
  dir: 0o755,
  symlink: 0o777,
  device: 0o666,
  fifo: 0o644,
};

/** The root's default time: the guest epoch, 2000-01-01T00:00:00Z. */
const ROOT_TIME = wallClock(0);

function ts(t: Timespec): string {
  return `[${t.sec},${t.nsec}]`;
}

function sameTime(a: Timespec, b: Timespec): boolean {
  return a.sec === b.sec && a.nsec === b.nsec;
}

/** Members for what differs from a node's defaults (kind's mode, guest user, `time`). */
function deviations(n: Node, time: Timespec, out: [string, Rope][]): void {
  if (n.mode !== DEFAULT_MODE[n.kind]) out.push(["mode", String(n.mode)]);
  if (n.uid !== UID) out.push(["uid", String(n.uid)]);
  if (n.gid !== GID) out.push(["gid", String(n.gid)]);
  if (!sameTime(n.atime, time)) out.push(["atime", ts(n.atime)]);
  if (!sameTime(n.mtime, time)) out.push(["mtime", ts(n.mtime)]);
  if (!sameTime(n.ctime, time)) out.push(["ctime", ts(n.ctime)]);
}

/** The "name" member for an entry whose tree name cannot be turned back into its bytes. */
function nameMember(name: string, key: string, out: [string, Rope][]): void {
  if (toFsName(key) !== name) {
    out.push(["name", JSON.stringify(bytesHex(name))]);
  }
}

/** A JSON object (as a rope) from members whose values are JSON already, keys in canonical order. */
function ropeObject(members: [string, Rope][]): Rope {
  members.sort((x, y) => compareNames(x[0], y[0]));
  const out: Rope[] = ["{"];
  members.forEach(([k, v], i) => out.push(i ? `,${JSON.stringify(k)}:` : `${JSON.stringify(k)}:`, v));
  out.push("}");
  return out;
}

/** A record: the bare inode number when nothing else needs saying. */
function record(ino: number, members: [string, Rope][]): Rope {
  if (members.length === 0) return String(ino);
  members.push(["ino", String(ino)]);
  return ropeObject(members);
}

/** The text of a rope (an explicit stack: ropes nest as deep as directories). */
export function ropeText(r: Rope): string {
  const parts: string[] = [];
  const stack: Rope[] = [r];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (typeof top === "string") parts.push(top);
    else for (let i = top.length - 1; i >= 0; i--) stack.push(top[i]);
  }
  return parts.join("");
}

/** The record of a non-directory entry of a directory born at `time`. */
function leafRecord(n: Node, name: string, key: string, time: Timespec): Rope {
  const m: [string, Rope][] = [];
  deviations(n, time, m);
  nameMember(name, key, m);
  if (n.kind === "symlink") {
    m.push(["type", '"symlink"'], ["target", JSON.stringify(bytesToJson(n.target))]);
  } else if (n.kind === "device") {
    m.push(["type", '"device"'], ["rdev", String(n.rdev)]);
  } else if (n.kind === "fifo") m.push(["type", '"fifo"']);
  return record(n.ino, m);
}

/**
 * The record of directory `top` as it appears in its parent's entries
 * (named `name`; null for the root), built children first with an explicit
 * stack and cached on every directory it visits.
 */
function dirRecord(fs: FileSystem, top: DirNode, name: string | null): Rope {
  const stack: { d: DirNode; name: string | null }[] = [{ d: top, name }];
  while (stack.length > 0) {
    const { d, name } = stack[stack.length - 1];
    if (d.meta !== undefined) {
      stack.pop();
      continue;
    }
    const depth = stack.length;
    if (d.entries) {
      for (const [n, ino] of d.entries) {
        const c = fs.get(ino);
        if (c.kind === "dir" && c.meta === undefined) stack.push({ d: c, name: n });
      }
    }
    if (stack.length > depth) continue;
    stack.pop();
    const time = name === null ? ROOT_TIME : (fs.get(d.parent) as DirNode).born!;
    const m: [string, Rope][] = [];
    deviations(d, time, m);
    if (name !== null) nameMember(name, toTreeName(name), m);
    if (d.entries) {
      const born = d.born!;
      const entries: [string, Rope][] = [];
      for (const [n, ino] of d.entries) {
        const c = fs.get(ino);
        const key = toTreeName(n);
        entries.push([key, c.kind === "dir" ? c.meta! : leafRecord(c, n, key, born)]);
      }
      m.push(["time", ts(born)], ["entries", ropeObject(entries)]);
    }
    d.meta = record(d.ino, m);
  }
  return top.meta!;
}

/** The record of an unlinked node still in use: everything explicit. */
function orphanRecord(n: Node): string {
  const m: [string, string][] = [
    ["ino", String(n.ino)],
    ["type", JSON.stringify(n.kind)],
    ["mode", String(n.mode)],
    ["uid", String(n.uid)],
    ["gid", String(n.gid)],
    ["atime", ts(n.atime)],
    ["mtime", ts(n.mtime)],
    ["ctime", ts(n.ctime)],
  ];
  if (n.kind === "file") {
    m.push(["data", JSON.stringify(Buffer.from(contents(n)).toString("base64"))]);
  } else if (n.kind === "symlink") {
    m.push(["target", JSON.stringify(bytesToJson(n.target))]);
  } else if (n.kind === "device") m.push(["rdev", String(n.rdev)]);
  else if (n.kind === "dir") m.push(["parent", String(n.parent)], ["time", ts(n.born ?? n.ctime)]);
  return jsonObject(m);
}

/** The last fsmeta blob of each file system, reused while nothing changed. */
const lastBlob = new WeakMap<
  FileSystem,
  { root: Rope; rest: string; blob: BlobNode }
>();

/**
 * The fsmeta blob of a file system. Unchanged since the last call, it is
 * the same object; otherwise only the records of changed directories are
 * rebuilt (plus the text of the blob itself).
 *
 * @example
 * const meta = fsMeta(fs); // blob '{"nextIno":7,"root":{...},"v":1}'
 */
export function fsMeta(fs: FileSystem): BlobNode {
  const root = dirRecord(fs, fs.get(fs.root) as DirNode, null);
  const orphans = [...fs.orphans].sort((a, b) => a - b)
    .map((ino) => orphanRecord(fs.get(ino)));
  const rest = `${fs.nextIno}|${orphans.join(",")}`;
  const last = lastBlob.get(fs);
  if (last && last.root === root && last.rest === rest) return last.blob;
  const m: [string, Rope][] = [
    ["v", String(FSMETA_VERSION)],
    ["nextIno", String(fs.nextIno)],
    ["root", root],
  ];
  if (orphans.length) m.push(["orphans", `[${orphans.join(",")}]`]);
  const text = ropeText(ropeObject(m));
  // A file system restored from fsmeta gives that blob back while unchanged.
  const given = restoredFrom.get(fs);
  restoredFrom.delete(fs);
  const made = given && new TextDecoder().decode(given.bytes) === text
    ? given
    : blob(text);
  lastBlob.set(fs, { root, rest, blob: made });
  return made;
}

/** The fsmeta blob each file system was restored from (see {@link fsMeta}). */
const restoredFrom = new WeakMap<FileSystem, BlobNode>();

// ---- restoring ----------------------------------------------------------------

type Json = unknown;

function fail(what: string, problem: string): never {
  throw new GuestStateError(`fsmeta: ${what} ${problem}`);
}

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function intIn(v: Json, what: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    fail(what, `should be an integer from ${min} to ${max}`);
  }
  return v;
}

function timeOf(v: Json, what: string, fallback: Timespec): Timespec {
  if (v === undefined) return fallback;
  if (
    !Array.isArray(v) || v.length !== 2 || typeof v[0] !== "number" ||
    !Number.isInteger(v[0])
  ) fail(what, "should be [seconds, nanoseconds]");
  return { sec: v[0], nsec: intIn(v[1], `${what}[1]`, 0, 999_999_999) };
}

/** A record read back: `ino` and whatever metadata it gives. */
interface Rec {
  ino: number;
  raw: Record<string, Json>;
}

function readRec(v: Json, what: string, nextIno: number): Rec | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "number") {
    return { ino: intIn(v, what, 1, nextIno - 1), raw: {} };
  }
  if (!isObject(v)) fail(what, "should be an inode number or an object");
  return { ino: intIn(v.ino, `${what}.ino`, 1, nextIno - 1), raw: v };
}

/** Fills a node's metadata from a record (defaults: the kind's mode, the guest user, `time`). */
function applyMeta(
  n: Node,
  r: Record<string, Json>,
  time: Timespec,
  what: string,
): void {
  n.mode = r.mode === undefined
    ? DEFAULT_MODE[n.kind]
    : intIn(r.mode, `${what}.mode`, 0, 0o7777);
  n.uid = r.uid === undefined ? UID : intIn(r.uid, `${what}.uid`, 0, 0xffffffff);
  n.gid = r.gid === undefined ? GID : intIn(r.gid, `${what}.gid`, 0, 0xffffffff);
  n.atime = timeOf(r.atime, `${what}.atime`, time);
  n.mtime = timeOf(r.mtime, `${what}.mtime`, time);
  n.ctime = timeOf(r.ctime, `${what}.ctime`, time);
}

/** Fields every node starts with; applyMeta fills in the rest. */
function bare(ino: number, time: Timespec) {
  return {
    ino,
    mode: 0,
    uid: UID,
    gid: GID,
    nlink: 0,
    atime: time,
    mtime: time,
    ctime: time,
  };
}

function fileNode(ino: number, t: BlobNode, time: Timespec): FileNode {
  return {
    ...bare(ino, time),
    kind: "file",
    data: t.bytes,
    size: t.size,
    shared: t.size,
    tree: t,
    parents: [],
  };
}

function lazyDir(ino: number, t: TreeDir, parent: number, time: Timespec): DirNode {
  return {
    ...bare(ino, time),
    kind: "dir",
    entries: null,
    parent,
    tree: t,
    nlink: 2 + subdirCount(t),
  };
}

/** A materialised directory still to be filled from its tree and entry records. */
interface Pending {
  dir: DirNode;
  tree: TreeDir;
  records: Record<string, Json>;
  what: string;
  /** Index of the pending parent (-1 for the root): unclean children make parents unclean. */
  up: number;
  clean: boolean;
}

/**
 * Rebuilds a file system from its data tree and fsmeta (an empty blob, or
 * none, means every default: a lazy root, inode 1). Nodes fsmeta describes
 * get their inode numbers and metadata back; tree entries it does not
 * describe (added by someone else) become new nodes, stamped `now`, with
 * inode numbers from nextIno on; records whose tree entry is gone are
 * dropped. Directories fsmeta does not list as materialised stay lazy.
 * Throws GuestStateError if fsmeta is not what fx86 writes.
 *
 * @example
 * const copy = fsFromTree(fs.getTree("/") as TreeDir, fsMeta(fs), now);
 */
export function fsFromTree(
  tree: TreeDir,
  meta: BlobNode | undefined,
  now: Timespec,
): FileSystem {
  let m: Record<string, Json> = {};
  if (meta && meta.size > 0) {
    let parsed: Json;
    try {
      parsed = JSON.parse(new TextDecoder().decode(meta.bytes));
    } catch {
      throw new GuestStateError("fsmeta is not JSON");
    }
    if (!isObject(parsed)) fail("fsmeta", "should be an object");
    if (parsed.v !== FSMETA_VERSION) {
      fail("fsmeta.v", `should be ${FSMETA_VERSION}`);
    }
    m = parsed;
  }
  const nextIno = m.nextIno === undefined
    ? 2
    : intIn(m.nextIno, "nextIno", 2, Number.MAX_SAFE_INTEGER);
  const fs = new FileSystem();
  fs.nodes.clear();
  fs.nextIno = nextIno;
  fs.clock = () => now;

  const rootRec = readRec(m.root ?? 1, "root", nextIno)!;
  const root = lazyDir(rootRec.ino, tree, rootRec.ino, ROOT_TIME);
  applyMeta(root, rootRec.raw, ROOT_TIME, "root");
  (fs as { root: number }).root = root.ino;
  fs.nodes.set(root.ino, root);

  const pending: Pending[] = [];
  const materialise = (
    d: DirNode,
    t: TreeDir,
    r: Record<string, Json>,
    what: string,
    up: number,
  ) => {
    if (!isObject(r.entries)) fail(`${what}.entries`, "should be an object");
    d.entries = new Map();
    d.born = timeOf(r.time, `${what}.time`, now);
    pending.push({ dir: d, tree: t, records: r.entries, what, up, clean: true });
  };
  if (rootRec.raw.entries !== undefined) {
    materialise(root, tree, rootRec.raw, "root", -1);
  }

  for (let p = 0; p < pending.length; p++) {
    fill(fs, pending, p, now, nextIno, materialise);
  }
  // Children were queued after their parents: walking back settles cleanliness bottom-up.
  for (let p = pending.length - 1; p >= 0; p--) {
    const e = pending[p];
    if (e.clean) e.dir.tree = e.tree;
    else if (e.up >= 0) pending[e.up].clean = false;
  }

  restoreOrphans(fs, m.orphans, nextIno);
  let top = fs.nextIno;
  for (const ino of fs.nodes.keys()) if (ino >= top) top = ino + 1;
  fs.nextIno = top;
  if (meta && meta.size > 0) restoredFrom.set(fs, meta);
  return fs;
}

/** Fills pending directory number `p` from its tree and records. */
function fill(
  fs: FileSystem,
  pending: Pending[],
  p: number,
  now: Timespec,
  nextIno: number,
  materialise: (
    d: DirNode,
    t: TreeDir,
    r: Record<string, Json>,
    what: string,
    up: number,
  ) => void,
): void {
  const e = pending[p];
  const { dir, tree: t, records } = e;
  const map = dir.entries!;
  const born = dir.born!;
  let subdirs = 0;
  const link = (name: string, node: Node) => {
    map.set(name, node.ino);
    if (node.kind === "dir") subdirs++;
    else {
      node.nlink++;
      node.parents.push(dir.ino);
    }
  };
  const fresh = (t: TreeNode): Node => {
    const ino = fs.nextIno++;
    const node = t.kind === "blob"
      ? fileNode(ino, t, now)
      : lazyDir(ino, t, dir.ino, now);
    node.mode = DEFAULT_MODE[node.kind];
    fs.nodes.set(ino, node);
    return node;
  };
  for (let i = 0; i < t.names.length; i++) {
    const key = t.names[i];
    const child = t.children[i];
    const what = `${e.what}.entries[${JSON.stringify(key)}]`;
    const r = Object.hasOwn(records, key)
      ? readRec(records[key], what, nextIno)
      : undefined;
    let name = toFsName(key);
    if (r?.raw.name !== undefined) {
      const bytes = bytesFromJson({ hex: r.raw.name });
      if (bytes === undefined || toTreeName(bytes) !== key) {
        fail(`${what}.name`, "is not the hexadecimal bytes of this entry's name");
      }
      name = bytes;
    }
    if (map.has(name)) {
      e.clean = false;
      continue;
    }
    if (toTreeName(name) !== key) e.clean = false;
    if (!r || r.raw.type !== undefined) {
      link(name, fresh(child));
      continue;
    }
    const old = fs.nodes.get(r.ino);
    if (old) {
      // The same inode under a second name: a hard link, if the contents agree.
      if (
        old.kind === "file" && child.kind === "blob" &&
        (old.tree === child || old.tree!.hash === child.hash)
      ) link(name, old);
      else link(name, fresh(child));
      continue;
    }
    let node: Node;
    if (child.kind === "blob") node = fileNode(r.ino, child, born);
    else {
      node = lazyDir(r.ino, child, dir.ino, born);
      if (r.raw.entries !== undefined) {
        materialise(node, child, r.raw, what, p);
      }
    }
    applyMeta(node, r.raw, born, what);
    fs.nodes.set(node.ino, node);
    link(name, node);
  }
  // Entries the tree cannot hold: symbolic links, devices and fifos.
  for (const key of Object.keys(records)) {
    const v = records[key];
    if (!isObject(v) || v.type === undefined) continue;
    const what = `${e.what}.entries[${JSON.stringify(key)}]`;
    const r = readRec(v, what, nextIno)!;
    let name = toFsName(key);
    if (v.name !== undefined) {
      const bytes = bytesFromJson({ hex: v.name });
      if (bytes === undefined || toTreeName(bytes) !== key) {
        fail(`${what}.name`, "is not the hexadecimal bytes of this entry's name");
      }
      name = bytes;
    }
    if (map.has(name)) continue; // the tree has an entry of that name now
    const node = linkNode(r, v, born, what);
    const old = fs.nodes.get(r.ino);
    if (old) {
      const same = old.kind === node.kind &&
        (old.kind === "symlink"
          ? old.target === (node as typeof old).target
          : old.kind === "fifo" || (old.kind === "device" && old.rdev === (node as typeof old).rdev));
      if (same) link(name, old);
      else {
        const copy = { ...node, ino: fs.nextIno++, parents: [] };
        fs.nodes.set(copy.ino, copy);
        link(name, copy);
      }
      continue;
    }
    fs.nodes.set(node.ino, node);
    link(name, node);
  }
  // The tree's subdirectories were counted when the directory was lazy; count what is there.
  dir.nlink = 2 + subdirs;
}

/** A symbolic link, device or fifo from its record. */
function linkNode(
  r: Rec,
  v: Record<string, Json>,
  time: Timespec,
  what: string,
): Node {
  let node: Node;
  if (v.type === "symlink") {
    const target = bytesFromJson(v.target);
    if (target === undefined) fail(`${what}.target`, "should be a path");
    node = { ...bare(r.ino, time), kind: "symlink", target, parents: [] };
  } else if (v.type === "device") {
    node = {
      ...bare(r.ino, time),
      kind: "device",
      rdev: intIn(v.rdev, `${what}.rdev`, 0, 0xffffffff),
      parents: [],
    };
  } else if (v.type === "fifo") {
    node = { ...bare(r.ino, time), kind: "fifo", parents: [] };
  } else fail(`${what}.type`, 'should be "symlink", "device" or "fifo"');
  applyMeta(node, v, time, what);
  return node;
}

function restoreOrphans(fs: FileSystem, list: Json, nextIno: number): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) fail("orphans", "should be an array");
  const dirs: [DirNode, Json][] = [];
  list.forEach((v, i) => {
    const what = `orphans[${i}]`;
    if (!isObject(v)) fail(what, "should be an object");
    const ino = intIn(v.ino, `${what}.ino`, 1, nextIno - 1);
    if (fs.nodes.has(ino)) fail(`${what}.ino`, "is in use");
    const time = ROOT_TIME;
    let node: Node;
    if (v.type === "file") {
      if (typeof v.data !== "string") fail(`${what}.data`, "should be base64");
      const data = new Uint8Array(Buffer.from(v.data, "base64"));
      node = {
        ...bare(ino, time),
        kind: "file",
        data,
        size: data.length,
        shared: 0,
        parents: [],
      };
    } else if (v.type === "dir") {
      node = {
        ...bare(ino, time),
        kind: "dir",
        entries: new Map(),
        parent: fs.root,
        tree: EMPTY_DIR,
        born: timeOf(v.time, `${what}.time`, time),
      };
      dirs.push([node, v.parent]);
    } else node = linkNode({ ino, raw: v }, v, time, what);
    applyMeta(node, v, time, what);
    fs.nodes.set(ino, node);
    fs.orphans.add(ino);
  });
  for (const [d, parent] of dirs) {
    const p = typeof parent === "number" ? fs.nodes.get(parent) : undefined;
    if (p?.kind === "dir") d.parent = p.ino;
  }
}
