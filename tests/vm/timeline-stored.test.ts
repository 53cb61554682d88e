/**
 * Timelines over stored checkpoints: checkpointsToTree/checkpointsFromTree
 * round-trip through the store, Timeline.at restores only the checkpoint it
 * needs (the others are never read) and lands where a straight run does.
 */
import { assert, test } from "../harness.ts";
import { Store } from "../../core/store/mod.ts";
import type { DirNode } from "../../core/tree/mod.ts";
import { Guest } from "../../core/vm/guest.ts";
import { checkpointsFromTree, checkpointsToTree, mergeCheckpoints, Timeline } from "../../core/vm/timeline.ts";
import { busybox, pseudoText } from "../support/guests.ts";
import { tempStore } from "../store/support.ts";

const options = () => ({ program: busybox(), argv: ["busybox", "md5sum"], stdin: pseudoText(8_000, 4) });

function stateAt(n: number): string {
  const g = Guest.fromElf(options());
  g.run(n);
  return g.toTree().hash;
}

test("stored timeline: goto through lazily loaded checkpoints reads one checkpoint", () => {
  const live = new Timeline(Guest.fromElf(options()), { every: 20_000 });
  live.run(Infinity);
  const end = live.position;
  const dir = tempStore();
  const writer = Store.open(dir, { write: true });
  const tree = checkpointsToTree(live.checkpoints);
  assert.deepEqual(tree.names.map(Number), live.checkpoints.map((c) => c.at));
  writer.putTree(tree);

  const store = Store.open(dir);
  const read = store.readObject.bind(store);
  const reads: string[] = [];
  store.readObject = (h: string) => (reads.push(h), read(h));
  const stored = checkpointsFromTree(store.lazyTree(tree.hash) as DirNode);
  assert.equal(reads.length, 1, "only the timeline directory");
  const target = 45_678;
  const t = Timeline.at(target, stored, { every: 20_000 });
  assert.equal(t.position, target);
  assert.equal(t.guest.toTree().hash, stateAt(target));
  const cp40k = live.checkpoints.find((c) => c.at === 40_000)!.tree;
  assert.ok(reads.includes(cp40k.hash), "the checkpoint at 40 000 was restored");
  const otherRoots = live.checkpoints.filter((c) => c.at !== 40_000).map((c) => c.tree.hash);
  assert.ok(!otherRoots.some((h) => reads.includes(h)), "no other checkpoint was read");
  // The restored timeline travels on like a live one.
  assert.equal(t.back(10_000), target - 10_000);
  assert.equal(t.guest.toTree().hash, stateAt(target - 10_000));
  assert.equal(t.goto(end + 5), end);
  assert.equal(t.guest.toTree().hash, live.guest.toTree().hash);
});

test("stored timeline: merging, bad targets and a first checkpoint after the guest", () => {
  const g = Guest.fromElf(options());
  const a = { at: 0, tree: g.toTree() };
  g.run(100);
  const b = { at: 100, tree: g.toTree() };
  assert.deepEqual(mergeCheckpoints([b], [a, b]).map((c) => c.at), [0, 100]);
  assert.throws(() => Timeline.at(50, [b], { every: 10 }), /before the first checkpoint \(instruction 100\)/);
  assert.throws(() => Timeline.at(-1, [a], { every: 10 }), RangeError);
  assert.throws(() => Timeline.at(5, [], { every: 10 }), /no checkpoints/);
  assert.throws(() => new Timeline(Guest.fromTree(a.tree), { every: 10, checkpoints: [b] }), RangeError);
  assert.equal(Timeline.at(60, [a, b], { every: 1000 }).guest.toTree().hash, stateAt(60));
});

test("stored timeline: checkpoints written as the run takes them are kept as lazy trees, and goto through them is exact", () => {
  const store = Store.open(tempStore(), { write: true });
  const kept: number[] = [];
  const t = new Timeline(Guest.fromElf(options()), {
    every: 20_000,
    keep: (cp) => {
      store.putTree(cp.tree);
      kept.push(cp.at);
      return { at: cp.at, tree: store.lazyTree(cp.tree.hash) as DirNode };
    },
  });
  t.run(Infinity);
  assert.deepEqual(kept, t.checkpoints.map((c) => c.at), "every checkpoint went through keep, the start included");
  assert.ok(kept.length > 3);
  for (const c of t.checkpoints) assert.ok(c.tree.isLazy, `checkpoint ${c.at} holds no pages in memory`);
  for (const target of [1, 33_333, t.position - 1]) {
    assert.equal(t.goto(target), target);
    assert.equal(t.guest.toTree().hash, stateAt(target));
  }
});
