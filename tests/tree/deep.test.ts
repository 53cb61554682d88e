import { assert, test } from "../harness.ts";
import {
  blob,
  decode,
  diff,
  type DirNode,
  EMPTY_DIR,
  encode,
  intern,
  set,
  type TreeNode,
} from "../../core/tree/mod.ts";

/**
 * A guest can nest its tree as deep as it likes in O(1) per level (for
 * instance by copying its root into a fresh directory, again and again). Everything that walks a whole tree must therefore
 * work without recursion, or a deep tree would overflow the host stack (at a
 * depth that even differs between V8 and JavaScriptCore).
 */
const DEPTH = 100_000;

function deep(leaf: string): DirNode {
  let root = set(EMPTY_DIR, "leaf", blob(leaf));
  for (let i = 0; i < DEPTH; i++) root = set(EMPTY_DIR, "a", root);
  return root;
}

test("deep trees: hashing, interning, diff, encoding without recursion", () => {
  const x = deep("x");
  const y = deep("y");
  assert.notEqual(x.hash, y.hash);
  assert.equal(deep("x").hash, x.hash);
  const canonical = intern(x);
  assert.equal(intern(deep("x")), canonical);
  const changes = [...diff(x, y)];
  assert.equal(changes.length, 1);
  assert.equal(changes[0].path, "a/".repeat(DEPTH) + "leaf");
  // A store loads bottom-up; here the lookup serves the chain from a table.
  const byHash = new Map<string, TreeNode>();
  for (
    let node: TreeNode | undefined = y;
    node;
    node = node.kind === "dir" ? node.get("a") : undefined
  ) {
    byHash.set(node.hash, node);
    if (node.kind === "dir" && node.get("leaf")) {
      byHash.set(node.get("leaf")!.hash, node.get("leaf")!);
    }
  }
  assert.equal(decode(encode(y), (h) => byHash.get(h)).hash, y.hash);
});
