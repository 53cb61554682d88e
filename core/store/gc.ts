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
    if (t !== undefined && t > cutoff) recent.add(h);
  }
  // Marked from the snapshots first, so that `reachable` counts what they
  // need, young or old, and `recent` only what just the grace period keeps.
  const reachable = mark(store, roots, new Set());
  const marked = mark(store, recent, new Set(reachable));
  let removed = 0, kept = 0;
  for (const h of all) {
    if (!marked.has(h)) {
      store.removeObject(h);
      removed++;
    } else if (reachable.has(h)) kept++;
  }
  let temporary = 0;
  for (const path of store.tempFiles()) {
    try {
      if (statSync(path).mtimeMs > cutoff) continue;
      rmSync(path, { force: true });
      temporary++;
    } catch {
      // Renamed into place or removed by its writer meanwhile.
    }
  }
  return { removed, reachable: kept, recent: all.length - removed - kept, temporary };
}

/** Adds to `marked` every object reachable from `from`. */
function mark(store: Store, from: Iterable<string>, marked: Set<string>): Set<string> {
  const stack = [...from];
  while (stack.length > 0) {
    const h = stack.pop()!;
    if (marked.has(h)) continue;
    marked.add(h);
    let encoding: Uint8Array;
    try {
      encoding = store.readObject(h);
    } catch (e) {
      // A corrupt object is kept for fsck to report; neither it nor a
      // missing one can be followed, so gc keeps nothing it does not know about.
      if (e instanceof StoreError) continue;
      throw e;
    }
    for (const c of childHashes(encoding)) if (!marked.has(c)) stack.push(c);
  }
  return marked;
}
