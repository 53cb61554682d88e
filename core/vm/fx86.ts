/**
 * The Fx86 instructions (docs/abi.md), performed by the host between guest
 * instructions: RUN and LOAD here, the data-tree operations in
 * core/linux/treeops.ts (they only touch the guest's own file system).
 */
import { decode } from "../cpu/isa/decoder.ts";
import { EAX, EBX, ECX, EDX, ESI } from "../cpu/state.ts";
import { ElfError } from "../elf/elf.ts";
import { GuestFault } from "../fault.ts";
import { EFAULT, EINVAL, ELOOP, ENOEXEC, LinuxError } from "../linux/errno.ts";
import { fromBytes, toHost } from "../linux/fs/names.ts";
import type { DirNode as FsDir } from "../linux/fs/node.ts";
import { getTreeAt, isTreeOp, readPath, setTreeAt, treeOp } from "../linux/treeops.ts";
import type { Memory } from "../memory/memory.ts";
import type { DirNode } from "../tree/mod.ts";
import { type BreakHit, childId } from "./debug.ts";
import { Guest, isGuestTree, LayoutError, MAX_DEPTH, type Stop } from "./guest.ts";

export const FX86_RUN = 0x00, FX86_LOAD = 0x09;

/** RUN stop codes (EAX). */
export const STOP_EXITED = 0, STOP_BUDGET = 1, STOP_FAULT = 2, STOP_DEADLOCK = 3,
  STOP_BUDGET_IN_RUN = 4;

/** RUN fault codes (ESI), by fault kind. */
export const FAULT_CODES: Record<string, number> = {
  "page": 1,
  "undefined-opcode": 2,
  "privileged": 3,
  "divide": 4,
  "breakpoint": 5,
  "interrupt": 6,
  "bound": 7,
  "x87": 8,
  "general-protection": 9,
  "simd": 10,
};

/** What the run loop does after an Fx86 instruction. */
export interface Fx86Result {
  /** An undefined Fx86 function: the instruction faults (EIP stays on it). */
  fault?: GuestFault;
  /** Instructions charged to the caller by sub-guests. */
  used: number;
  /** False: the caller's budget ran out inside RUN, which stays un-retired. */
  retire: boolean;
  /** Length of the instruction, to step over it when it retires. */
  length: number;
  /** A breakpoint stopped the run at this depth or below (RUN does not retire). */
  break?: BreakHit;
  /** The id of the sub-guest a RUN ran. */
  child?: string;
}

/**
 * Performs Fx86 instruction `fn` for guest `g` (EIP on the instruction),
 * within `left` instructions; `resuming` when `g` was stopped inside this
 * RUN and has retired nothing since.
 */
export function fx86Operation(g: Guest, fn: number, left: number, resuming = false): Fx86Result {
  const c = g.cpu;
  const length = decode((a) => g.mem.fetch8(a), c.eip).len;
  if (fn === FX86_RUN) return { ...run(g, left, resuming), length };
  if (fn !== FX86_LOAD && !isTreeOp(fn)) {
    const fault = new GuestFault("undefined-opcode", 0, `undefined Fx86 function 0x${fn.toString(16)}`);
    return { used: 0, retire: false, length, fault };
  }
  try {
    if (fn === FX86_LOAD) load(g);
    else treeOp(g.linux, g.mem, c, fn);
  } catch (e) {
    c.r[EAX] = -errnoOf(e);
  }
  return { used: 0, retire: true, length };
}

function errnoOf(e: unknown): number {
  if (e instanceof LinuxError) return e.errno;
  if (e instanceof GuestFault) return EFAULT;
  if (e instanceof ElfError) return ENOEXEC;
  if (e instanceof LayoutError) return EINVAL;
  throw e;
}


function stringsAt(m: Memory, ptr: number): string[] {
  const out: string[] = [];
  if (ptr === 0) return out;
  for (let k = 0; k < 4096; k++) {
    const p = m.r32((ptr + 4 * k) | 0);
    if (p === 0) return out;
    out.push(toHost(fromBytes(m.readCString(p, 131072))));
  }
  throw new LinuxError(EINVAL);
}

function load(g: Guest): void {
  const c = g.cpu, m = g.mem;
  const elf = getTreeAt(g.linux, readPath(m, c.r[EBX]));
  if (elf.kind !== "blob") throw new LinuxError(EINVAL);
  const target = readPath(m, c.r[ECX]);
  const argv = stringsAt(m, c.r[EDX]);
  const env = stringsAt(m, c.r[ESI]);
  // A sub-guest has its parent's limits, so nesting does not escape them.
  const child = Guest.fromElf({ program: elf.bytes, argv, env, quota: g.linux.quota });
  child.depth = g.depth + 1;
  adopt(g, child, target);
  setTreeAt(g.linux, target, child.toTree());
  // Keep the live guest: a RUN that follows continues it without converting.
  g.children.set(target, { tree: getTreeAt(g.linux, target), guest: child });
  c.r[EAX] = 0;
}

/** Makes `child` (at `path` in `g`'s file system) part of `g`'s hierarchy. */
function adopt(g: Guest, child: Guest, path: string): string {
  child.id = childId(g.id, absolutePath(g, path));
  child.breakpoints = g.breakpoints;
  return child.id;
}

/** `path` made absolute and normal (lexically: "." and ".." removed). */
function absolutePath(g: Guest, path: string): string {
  const parts = path.startsWith("/") ? [] : cwdPath(g).split("/");
  for (const p of path.split("/")) {
    if (p === "..") parts.pop();
    else if (p !== "" && p !== ".") parts.push(p);
  }
  return "/" + parts.filter((p) => p !== "").join("/");
}

/** The working directory of `g` as a path from its root, without the leading "/". */
function cwdPath(g: Guest): string {
  const fs = g.linux.fs;
  const names: string[] = [];
  for (let dir = fs.get(g.linux.cwd) as FsDir; dir.ino !== fs.root;) {
    const parent = fs.get(dir.parent) as FsDir;
    for (const [name, ino] of fs.entries(parent)) {
      if (ino === dir.ino) names.push(name);
    }
    dir = parent;
  }
  return names.reverse().join("/");
}

type RunResult = { used: number; retire: boolean; break?: BreakHit; child?: string };

function run(g: Guest, left: number, resuming: boolean): RunResult {
  const c = g.cpu, m = g.mem;
  let path: string, tree;
  try {
    path = readPath(m, c.r[EBX]);
    tree = getTreeAt(g.linux, path);
    if (!isGuestTree(tree)) throw new LinuxError(EINVAL);
    if (g.depth + 1 >= MAX_DEPTH) throw new LinuxError(ELOOP);
  } catch (e) {
    c.r[EAX] = -errnoOf(e);
    return { used: 0, retire: true };
  }
  let child = g.children.get(path);
  if (child?.tree !== tree) {
    try {
      child = { tree, guest: Guest.fromTree(tree as DirNode, { depth: g.depth + 1 }) };
    } catch (e) {
      c.r[EAX] = -errnoOf(e);
      return { used: 0, retire: true };
    }
  }
  const id = adopt(g, child.guest, path);
  const bps = g.breakpoints?.enabled ? g.breakpoints : undefined;
  if (!resuming && bps !== undefined && (bps.skipping !== undefined || bps.hasRunEntry(id))) {
    const hit: BreakHit = { kind: "run-entry", guest: g.id, child: id };
    if (bps.stops(hit, bps.hasRunEntry(id))) return { used: 0, retire: false, break: hit };
  }
  const budget = Math.min((c.r[ECX] >>> 0) + (c.r[EDX] >>> 0) * 0x100000000, Number.MAX_SAFE_INTEGER);
  const allowed = Math.min(budget, left);
  const before = child.guest.status;
  const stop = child.guest.runNested(allowed);
  const used = stop.retired;
  if (stop.break && used === 0) {
    // Nothing ran: the caller is exactly as before RUN, as a budget stop here leaves it.
    child.guest.status = before;
    return { used, retire: false, break: stop.break };
  }
  const remaining = budget - used;
  c.r[ECX] = remaining % 0x100000000 | 0;
  c.r[EDX] = Math.floor(remaining / 0x100000000) | 0;
  try {
    setTreeAt(g.linux, path, child.guest.toTree());
  } catch (e) {
    // The caller may read the sub-guest but not write it back: RUN fails
    // after charging what the sub-guest used.
    c.r[EAX] = -errnoOf(e);
    return { used, retire: !stop.break && left - used >= 1, break: stop.break, child: id };
  }
  // Remember the node the file system now holds: if the caller leaves it
  // alone, the next RUN continues this live guest without converting.
  g.children.set(path, { tree: getTreeAt(g.linux, path), guest: child.guest });
  // The caller's budget ended the sub-guest's run (or a breakpoint did,
  // which is the same stop, early), or nothing is left to retire RUN with:
  // stop inside RUN, to be re-executed on resume.
  const callerRanOut = stop.status === "budget" && used === left && left < budget;
  if (stop.break || callerRanOut || left - used < 1) return { used, retire: false, break: stop.break };
  const [code, info] = stopCode(stop, child.guest.status.in_run === true);
  c.r[EAX] = code;
  c.r[ESI] = info;
  return { used, retire: true, child: id };
}

function stopCode(stop: Stop, inRun: boolean): [number, number] {
  switch (stop.status) {
    case "exited":
      return [STOP_EXITED, stop.exitCode ?? 0];
    case "budget":
      return [inRun ? STOP_BUDGET_IN_RUN : STOP_BUDGET, 0];
    default:
      return stop.fault?.kind === "deadlock"
        ? [STOP_DEADLOCK, 0]
        : [STOP_FAULT, FAULT_CODES[stop.fault?.kind ?? ""] ?? 0];
  }
}
