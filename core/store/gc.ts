/** Removing objects that no snapshot reaches (docs/store.md §5). */
import { snapshotRoots } from "./snapshot.ts";
import { rmSync, statSync } from "node:fs";
import { childHashes } from "./children.ts";
import { StoreError } from "./errors.ts";
import type { Store } from "./store.ts";

/** What gc did. */
export interface GcResult {
  /** Objects deleted. */
  removed: number;
  /** Objects kept because a snapshot reaches them. */
  reachable: number;
  /** Unreachable objects kept because they are younger than the grace period. */
  recent: number;
  /** Leftover temporary files deleted. */
  temporary: number;
}

/**
 * Deletes every object no snapshot reaches, except objects modified within
 * the last `graceMs` milliseconds and everything below them: a concurrent
 * writer may be storing a tree that refers to them and not have written its
 * snapshot yet (writers refresh the time of every existing object they
 * rely on). Also deletes temporary files older than the grace period.
 *
 * Deletes **parents before children**, so that a gc killed at any moment
 * leaves no directory whose children are gone: the store's invariant (a
 * directory on disk has its whole subtree on disk), on which `putTree`'s
 * skipping of present subtrees relies, holds after every single deletion.
 *
 * @example
 * gc(store, { graceMs: 3_600_000 }); // { removed: 120, reachable: 4000, ... }
 */
export function gc(store: Store, opts: { graceMs: number }): GcResult {
  const cutoff = Date.now() - opts.graceMs;
  const roots: string[] = [];
  for (const name of store.snapshotNames()) {
    try {
      for (const [hash] of snapshotRoots(store.getSnapshot(name))) roots.push(hash);
    } catch (e) {
      // A snapshot removed meanwhile needs nothing; a damaged one cannot be
      // followed, so deleting anything would be a guess.
      if (e instanceof StoreError && e.code === "no-snapshot") continue;
      throw e;
    }
  }
  const all = [...store.objectHashes()];
  const recent = new Set<string>();
  for (const h of all) {
    const t = store.objectTime(h);
    if (t !== undefined && newer(t, cutoff)) recent.add(h);
  }
  // Marked from the snapshots first, so that `reachable` counts what they
  // need, young or old, and `recent` only what just the grace period keeps.
  const reachable = mark(store, roots, new Set());
  const marked = mark(store, recent, new Set(reachable));
  const kept = all.filter((h) => reachable.has(h)).length;
  const removed = removeGarbage(store, all.filter((h) => !marked.has(h)), cutoff);
  let temporary = 0;
  for (const path of store.tempFiles()) {
    try {
      if (newer(statSync(path).mtimeMs, cutoff)) continue;
      rmSync(path, { force: true });
      temporary++;
    } catch {
      // Renamed into place or removed by its writer meanwhile.
    }
  }
  return { removed, reachable: kept, recent: all.length - removed - kept, temporary };
}

/**
 * Whether a file time is after the cutoff, both in whole milliseconds:
 * `Date.now()` drops the fraction a file time keeps, so a file written in
 * the current millisecond would otherwise count as newer than "now" and
 * survive a gc with no grace period.
 */
function newer(mtimeMs: number, cutoff: number): boolean {
  return Math.floor(mtimeMs) > cutoff;
}

/** Adds to `marked` every object reachable from `from`. */
function mark(store: Store, from: Iterable<string>, marked: Set<string>): Set<string> {
  const stack = [...from];
  while (stack.length > 0) {
    const h = stack.pop()!;
    if (marked.has(h)) continue;
    marked.add(h);
    const children = readChildren(store, h);
    if (children) for (const c of children) if (!marked.has(c)) stack.push(c);
  }
  return marked;
}

/**
 * Child hashes of a stored object, or undefined when it cannot be read
 * (missing, corrupt): gc keeps nothing it does not know about, and a corrupt
 * object is kept for fsck to report when something reaches it.
 */
function readChildren(store: Store, hash: string): string[] | undefined {
  try {
    return childHashes(store.readObject(hash), hash);
  } catch (e) {
    if (e instanceof StoreError) return undefined;
    throw e;
  }
}

/**
 * Deletes `garbage` in topological order, parents before children (Kahn's
 * algorithm over the references among the garbage; an unreadable object
 * counts as having no children). Just before each deletion
 * the object's time is looked at again: a writer that found it present
 * since the marking refreshed it, and then it and everything below it stay.
 * Returns how many objects were deleted.
 */
function removeGarbage(store: Store, garbage: string[], cutoff: number): number {
  const inGarbage = new Set(garbage);
  const children = new Map<string, string[]>();
  const parents = new Map<string, number>();
  for (const h of garbage) {
    const cs = (readChildren(store, h) ?? []).filter((c) => inGarbage.has(c));
    children.set(h, cs);
    for (const c of cs) parents.set(c, (parents.get(c) ?? 0) + 1);
  }
  const ready = garbage.filter((h) => !parents.has(h));
  const spared = new Set<string>();
  let removed = 0;
  while (ready.length > 0) {
    const h = ready.pop()!;
    const cs = children.get(h)!;
    if (spared.has(h) || newer(store.objectTime(h) ?? 0, cutoff)) {
      for (const c of cs) spared.add(c);
    } else {
      store.removeObject(h);
      removed++;
    }
    for (const c of cs) {
      const left = parents.get(c)! - 1;
      parents.set(c, left);
      if (left === 0) ready.push(c);
    }
  }
  return removed;
}
