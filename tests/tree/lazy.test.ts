/**
 * Lazy directories (decodeLazy, DirNode.lazy): entries load on first touch,
 * one at a time; hashing, encoding and diffing load nothing they skip; and
 * a lazy tree behaves exactly like the eager one under every operation.
 */
import { assert, test } from "../harness.ts";
import {
  blob,
  decodeLazy,
  diff,
  dirFromEntries,
  type DirNode,
  encode,
  get,
  list,
  remove,
  set,
  type TreeNode,
} from "../../core/tree/mod.ts";
import { flatten, randomTree, rng } from "./util.ts";

/** A tree as encoded objects, and a lazy loader over them that counts what it reads. */
function objectsOf(root: TreeNode) {
  const objects = new Map<string, Uint8Array>();
  for (const node of flatten(root).values()) objects.set(node.hash, encode(node));
  const reads: string[] = [];
  const load = (h: string): TreeNode => {
    reads.push(h);
    const bytes = objects.get(h);
    if (!bytes) throw new Error(`no object ${h}`);
    return decodeLazy(bytes, load);
  };
  return { objects, reads, load };
}

/** A two-level radix like a guest's mem/pages: 16 directories of 64 distinct blobs. */
function radix(seed: number): DirNode {
  return dirFromEntries(
    Array.from({ length: 16 }, (_, hi) => [
      hi.toString(16).padStart(3, "0"),
      dirFromEntries(
        Array.from({ length: 64 }, (_, lo) => [lo.toString(16).padStart(3, "0"), blob(`${seed}:${hi}:${lo}`)]),
      ),
    ]),
  );
}

test("lazy: get reads only the path; hash and encode read nothing more", () => {
  const tree = radix(1);
  const { reads, load } = objectsOf(tree);
  const lazy = load(tree.hash) as DirNode;
  assert.equal(reads.length, 1);
  assert.equal(lazy.hash, tree.hash);
  assert.deepEqual(encode(lazy), encode(tree));
  assert.equal(reads.length, 1, "encoding used the known child digests");
  const leaf = get(lazy, "00a/03f");
  assert.equal(new TextDecoder().decode((leaf as { bytes: Uint8Array }).bytes), "1:10:63");
  assert.equal(reads.length, 3, "root, one directory, one blob");
  assert.equal(get(lazy, "00a/03f"), leaf, "loaded once");
  assert.equal(reads.length, 3);
});

test("lazy: diff of two lazy trees reads only the changed paths", () => {
  const a = radix(1);
  const b = set(set(a, "003/010", blob("changed")), "00f/000", blob("also"));
  const oa = objectsOf(a), ob = objectsOf(b);
  const la = oa.load(a.hash), lb = ob.load(b.hash);
  const changes = [...diff(la, lb)].map((c) => `${c.type} ${c.path}`);
  assert.deepEqual(changes, ["modified 003/010", "modified 00f/000"]);
  // Root, the two page directories and the two blobs on each side.
  assert.equal(oa.reads.length, 5);
  assert.equal(ob.reads.length, 5);
});

test("lazy: every operation gives what it gives on the eager tree", () => {
  const r = rng(7);
  for (let i = 0; i < 200; i++) {
    const tree = randomTree(r, 3);
    const { load, objects } = objectsOf(tree);
    const lazy = load(tree.hash);
    // A fresh lazy tree per check, so no check sees what another loaded.
    const reload = (): TreeNode => {
      const fresh = (h: string): TreeNode => decodeLazy(objects.get(h)!, fresh);
      return fresh(tree.hash);
    };
    for (const [path, node] of flatten(tree)) {
      const fresh = reload();
      const got = get(fresh, path);
      assert.equal(got.hash, node.hash, path);
      if (node.kind === "dir") {
        assert.deepEqual(list(lazy, path), list(tree, path));
        // Edits of a lazy directory keep it lazy where untouched, and equal the eager edits.
        const added = set(fresh as DirNode, path === "" ? "new" : `${path}/new`, blob("x"));
        assert.equal(added.hash, set(tree, path === "" ? "new" : `${path}/new`, blob("x")).hash);
      } else if (path !== "") {
        assert.equal(remove(reload() as DirNode, path).hash, remove(tree, path).hash, path);
      }
    }
    const other = randomTree(r, 3);
    const eager = [...diff(tree, other)].map((c) => `${c.type} ${c.path}`);
    const both = [...diff(reload(), objectsOf(other).load(other.hash))].map((c) => `${c.type} ${c.path}`);
    assert.deepEqual(both, eager);
    assert.equal([...(lazy as DirNode).children].length, (tree as DirNode).size);
  }
});

test("lazy: an entry that cannot be read fails where it is touched, not before", () => {
  const tree = radix(2);
  const { objects, load } = objectsOf(tree);
  objects.delete(get(tree, "005/001").hash);
  const lazy = load(tree.hash);
  assert.equal(get(lazy, "005/002").hash, get(tree, "005/002").hash);
  assert.throws(() => get(lazy, "005/001"), /no object/);
});
