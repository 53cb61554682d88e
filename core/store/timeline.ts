/**
 * A snapshot's stored history (docs/store.md §3, "Timelines"): the
 * checkpoints of its timeline, its start and its own state, which `fx86
 * goto|back`, `fx86 resume` and a session's `restore` travel in.
 */
import type { DirNode } from "../tree/mod.ts";
import { LayoutError } from "../vm/guest.ts";
import { type Checkpoint, checkpointsFromTree, mergeCheckpoints } from "../vm/timeline.ts";
import { StoreError } from "./errors.ts";
import type { SnapshotMeta } from "./snapshot.ts";
import type { Store } from "./store.ts";

/**
 * Snapshot `name`'s timeline directory, read lazily, or undefined if it has
 * none. StoreError if it is not a directory.
 *
 * @example
 * const dir = snapshotTimeline(store, "run1", store.getSnapshot("run1"));
 */
export function snapshotTimeline(store: Store, name: string, meta: SnapshotMeta): DirNode | undefined {
  if (!meta.timeline) return undefined;
  const dir = store.lazyTree(meta.timeline, name);
  if (dir.kind !== "dir") throw damaged(name, "it is not a directory");
  return dir;
}

/**
 * Every state of snapshot `name`'s run that is stored: its timeline's
 * checkpoints, its start and `root` (its own state), in order of
 * instruction count. Trees load only when a checkpoint is restored.
 * StoreError if the timeline is damaged.
 *
 * @example
 * const { meta, tree } = store.openSnapshot("run1");
 * Timeline.at(1234, snapshotCheckpoints(store, "run1", meta, tree as DirNode), { every: 1e6 });
 */
export function snapshotCheckpoints(store: Store, name: string, meta: SnapshotMeta, root: DirNode): Checkpoint[] {
  const dir = snapshotTimeline(store, name, meta);
  let fromTimeline: Checkpoint[] = [];
  try {
    if (dir) fromTimeline = checkpointsFromTree(dir);
  } catch (e) {
    if (e instanceof LayoutError) throw damaged(name, e.message);
    throw e;
  }
  const ends: Checkpoint[] = [{ at: meta.instructions, tree: root }];
  if (meta.start) {
    const startHash = meta.start;
    ends.push({
      at: meta.instructions - meta.budget_used,
      get tree(): DirNode {
        return store.lazyTree(startHash, name) as DirNode;
      },
    });
  }
  return mergeCheckpoints(fromTimeline, ends);
}

function damaged(name: string, why: string): StoreError {
  return new StoreError("bad-snapshot", `snapshot ${name} has a damaged timeline: ${why}.`);
}
