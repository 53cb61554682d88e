/**
 * issue 13 point 1: a gc stopped after any number of deletions must leave a
 * store where saving the same tree again yields a complete snapshot. The
 * tree is regenerated exactly (determinism), so any directory the
 * interrupted gc left behind is "present" to putTree, which skips it.
 */
import { assert, test } from "../harness.ts";
import { blob, treeFromPaths, type TreeNode } from "../../core/tree/mod.ts";
import { fsck, gc, Store } from "../../core/store/mod.ts";
import { meta, tempStore } from "./support.ts";

/** Three levels of directories over 24 distinct blobs: 24 + 6 + 2 + 1 objects. */
function deepTree(): TreeNode {
  const paths: [string, TreeNode][] = [];
  for (let a = 0; a < 2; a++) {
    for (let b = 0; b < 3; b++) {
      for (let c = 0; c < 4; c++) paths.push([`d${a}/e${b}/f${c}`, blob(`blob ${a} ${b} ${c}`)]);
    }
  }
  return treeFromPaths(paths);
}

/** Stops gc with an exception after `n` deletions, as a kill would. */
function interruptAfter(store: Store, n: number): void {
  const remove = store.removeObject.bind(store);
  let left = n;
  store.removeObject = (hash: string) => {
    if (left-- === 0) throw new Error("killed");
    remove(hash);
  };
}

test("gc killed after any number of deletions: saving the same tree again gives a complete snapshot", () => {
  const tree = deepTree();
  const total = 33;
  for (let n = 0; n <= total; n++) {
    const dir = tempStore();
    const first = Store.open(dir, { write: true });
    first.putTree(tree);
    first.putSnapshot("a", meta(tree));
    first.removeSnapshot("a");
    const collector = Store.open(dir, { write: true });
    interruptAfter(collector, n);
    try {
      const r = gc(collector, { graceMs: 0 });
      assert.equal(r.removed, total, `gc ran to the end only when not interrupted (n=${n})`);
    } catch (e) {
      assert.equal((e as Error).message, "killed");
    }
    // A later process saves the very same tree (determinism regenerates it).
    const writer = Store.open(dir, { write: true });
    writer.putTree(tree);
    writer.putSnapshot("a", meta(tree));
    assert.deepEqual(fsck(Store.open(dir)).problems.map((p) => p.message), [], `after ${n} deletions`);
    assert.equal(Store.open(dir).loadSnapshot("a").tree.hash, tree.hash);
  }
});
