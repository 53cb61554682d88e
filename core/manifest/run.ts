/**
 * Running a built manifest: each top-level guest runs with its budget (in
 * chunks, so a caller can show progress; splitting a run never changes its
 * result), its final subtree replaces the initial one in the host tree, and
 * then every expectation is checked against the final host tree. Sub-guests
 * are found by walking each guest's file tree.
 */
import { type DirNode, get, type TreeNode } from "../tree/mod.ts";
import type { BuiltManifest } from "./build.ts";
import { type Check, checkGuest, expectationTargets } from "./expect.ts";
import type { GuestStatus, GuestVm } from "./vm.ts";

/** One guest subtree of the final host tree. */
export interface GuestResult {
  /** Its path in the host tree, e.g. "hello" or "hello/fs/guests/child". */
  path: string;
  names: string[];
  status: GuestStatus;
  /** Hash of its final subtree. */
  root: string;
  /** Sub-guests found in its final file tree (at any depth of directories, not inside other sub-guests). */
  children: GuestResult[];
  /** Its expectations, checked. */
  checks: Check[];
}

/** The outcome of a manifest. */
export interface RunResult {
  /** True if every expectation held. */
  ok: boolean;
  /** The final host tree and its hash. */
  tree: DirNode;
  root: string;
  guests: GuestResult[];
}

/** Progress of a running top-level guest. */
export interface Progress {
  guest: string;
  /** Instructions charged so far. */
  instructions: number;
  /** Its budget (Infinity: none). */
  budget: number;
}

/** Options of `runManifest`. */
export interface RunOptions {
  vm: GuestVm;
  /** Instructions per chunk between progress reports (default 10M). */
  chunk?: number;
  onProgress?: (p: Progress) => void;
}

/**
 * Sub-guests in a guest subtree's file tree, in path order, each with its
 * own sub-guests. Walks with an explicit stack: file trees can be deep.
 */
export function findSubGuests(tree: DirNode, names: string[], vm: GuestVm): GuestResult[] {
  const out: GuestResult[] = [];
  const fs = tree.get("fs");
  if (!fs || fs.kind !== "dir") return out;
  const stack: [DirNode, string[]][] = [];
  for (let i = fs.names.length - 1; i >= 0; i--) {
    const child = fs.get(fs.names[i]) as TreeNode;
    if (child.kind === "dir") stack.push([child, [...names, "fs", fs.names[i]]]);
  }
  while (stack.length > 0) {
    const [dir, at] = stack.pop()!;
    if (vm.isGuestTree(dir)) {
      out.push(guestResult(dir, at, vm));
      continue;
    }
    // Push in reverse so that entries come off the stack in name order
    // (a pre-order walk: sub-guests come out in canonical path order).
    for (let i = dir.names.length - 1; i >= 0; i--) {
      const child = dir.get(dir.names[i]) as TreeNode;
      if (child.kind === "dir") stack.push([child, [...at, dir.names[i]]]);
    }
  }
  return out;
}

function guestResult(tree: DirNode, names: string[], vm: GuestVm): GuestResult {
  return {
    path: names.join("/"),
    names,
    status: vm.readStatus(tree),
    root: tree.hash,
    children: findSubGuests(tree, names, vm),
    checks: [],
  };
}

/**
 * Runs every top-level guest and checks every expectation.
 *
 * @example
 * const r = runManifest(buildManifest(m, { vm: fx86Vm }), { vm: fx86Vm });
 * r.ok; r.root; r.guests[0].status.exit_code;
 */
export function runManifest(built: BuiltManifest, opts: RunOptions): RunResult {
  const run = manifestRun(built, opts);
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
  }
}

/** Where a manifest run is between two chunks. */
export interface RunStep {
  progress: Progress;
  /** The host tree as it stands: guests before this one final, this one at its current instruction, later ones new. */
  tree(): DirNode;
}

/**
 * A manifest run one chunk at a time: yields after every chunk that
 * leaves the running guest with budget and work left, and returns what
 * {@link runManifest} returns. A caller that stops early (an interrupted
 * `fx86 run --save`) can store `step.tree()`, a resumable host tree.
 *
 * @example
 * const run = manifestRun(built, { vm: fx86Vm });
 * let step = run.next();
 * while (!step.done) step = run.next(); // step.value: the RunResult
 */
export function* manifestRun(built: BuiltManifest, opts: RunOptions): Generator<RunStep, RunResult> {
  const { vm } = opts;
  const chunk = opts.chunk ?? 10_000_000;
  let tree = built.tree;
  for (const { name, guest: spec } of built.manifest.guests) {
    const budget = spec.budget ?? Infinity;
    const g = vm.fromTree(tree.get(name) as DirNode);
    let left = budget;
    for (;;) {
      const stop = g.run(Math.min(chunk, left));
      left -= stop.retired;
      const progress = { guest: name, instructions: g.instructions, budget };
      opts.onProgress?.(progress);
      if (stop.status !== "budget" || left <= 0) break;
      const before = tree;
      yield { progress, tree: () => before.with(name, g.toTree()) };
    }
    tree = tree.with(name, g.toTree());
  }
  return checkManifest(built, tree, vm);
}

/** The results of a finished run: each guest's (and sub-guest's) status and its expectations checked. */
function checkManifest(built: BuiltManifest, tree: DirNode, vm: GuestVm): RunResult {
  const guests = built.manifest.guests.map(({ name }) => guestResult(tree.get(name) as DirNode, [name], vm));
  const byPath = new Map<string, GuestResult>();
  const index = (r: GuestResult) => {
    byPath.set(r.path, r);
    r.children.forEach(index);
  };
  guests.forEach(index);
  for (const t of expectationTargets(built.manifest)) {
    const path = t.names.join("/");
    const result = byPath.get(path);
    if (result) {
      result.checks.push(...checkGuest(get(tree, t.names) as DirNode, t.expect, vm));
      continue;
    }
    const owner = byPath.get(t.owner.join("/"));
    const guestPath = "/" + t.names.slice(t.owner.length + 1).join("/");
    const check = { ok: false, message: `no sub-guest at ${guestPath}`, at: t.expect.at };
    // The owner itself may be missing (its own parent replaced it): report at the top.
    (owner ?? byPath.get(t.names[0])!).checks.push(check);
  }
  const all = [...byPath.values()].flatMap((r) => r.checks);
  return { ok: all.every((c) => c.ok), tree, root: tree.hash, guests };
}
