import { assert, test } from "../harness.ts";
import {
  addedBytes,
  blob,
  copy,
  decode,
  diff,
  type DirNode,
  EMPTY_DIR,
  encode,
  get,
  mkdir,
  remove,
  set,
  type TreeChange,
  type TreeNode,
  writeBlob,
} from "../../core/tree/mod.ts";
import { flatten, NAMES, pick, randomBlob, randomTree, rng } from "./util.ts";

/**
 * The reference: flatten both trees and report every path whose parent is a
 * directory in both trees, that is not a directory in both, and whose node is
 * missing on one side or has another hash.
 */
function naiveDiff(a: TreeNode, b: TreeNode): string[] {
  const fa = flatten(a);
  const fb = flatten(b);
  const out: string[] = [];
  for (const path of new Set([...fa.keys(), ...fb.keys()])) {
    const x = fa.get(path);
    const y = fb.get(path);
    if (x?.kind === "dir" && y?.kind === "dir") continue;
    if (x && y && x.hash === y.hash) continue;
    if (path !== "") {
      const parent = path.includes("/")
        ? path.slice(0, path.lastIndexOf("/"))
        : "";
      if (fa.get(parent)?.kind !== "dir" || fb.get(parent)?.kind !== "dir") {
        continue;
      }
    }
    out.push(`${x ? (y ? "modified" : "removed") : "added"} ${path}`);
  }
  return out.sort();
}

const show = (changes: Iterable<TreeChange>) =>
  [...changes].map((c) => `${c.type} ${c.path}`);

/** Random edits through the path API, so that the result shares with `root`. */
function mutate(r: () => number, root: DirNode): DirNode {
  const paths = [...flatten(root).keys()].filter((p) => p !== "");
  const n = 1 + pick(r, 4);
  for (let i = 0; i < n; i++) {
    const existing = paths.length ? paths[pick(r, paths.length)] : undefined;
    const fresh = (existing && r() < 0.5 ? existing + "/" : "") +
      NAMES[pick(r, NAMES.length)];
    try {
      switch (pick(r, 5)) {
        case 0:
          root = set(root, fresh, randomBlob(r), { parents: true });
          break;
        case 1:
          if (existing) root = remove(root, existing);
          break;
        case 2:
          root = mkdir(root, fresh, { parents: true });
          break;
        case 3:
          if (existing) root = copy(root, existing, fresh, { parents: true });
          break;
        case 4:
          root = writeBlob(root, fresh, pick(r, 3), Uint8Array.of(pick(r, 2)), {
            parents: true,
          });
          break;
      }
    } catch {
      // Edits that do not apply (writing into a blob, ...) are just skipped.
    }
  }
  return root;
}

/** The same tree as fresh objects, all hashed: like a snapshot read from disk. */
function reload(root: TreeNode): TreeNode {
  const objects = new Map<string, Uint8Array>();
  for (const node of flatten(root).values()) {
    objects.set(node.hash, encode(node));
  }
  const load = (h: string): TreeNode => decode(objects.get(h)!, load);
  return load(root.hash);
}

test("diff: matches a naive diff on random trees", () => {
  const r = rng(42);
  let nonEmpty = 0;
  for (let i = 0; i < 400; i++) {
    const a = randomTree(r, 3);
    const b = r() < 0.8 ? mutate(r, a) : randomTree(r, 3);
    const want = naiveDiff(a, b);
    assert.deepEqual(show(diff(a, b)).sort(), want, `round ${i}`);
    nonEmpty += want.length > 0 ? 1 : 0;
    assert.deepEqual(
      show(diff(reload(a), b)).sort(),
      want,
      `round ${i}, reloaded`,
    );
    assert.deepEqual(
      show(diff(b, a)).sort(),
      naiveDiff(b, a),
      `round ${i}, reversed`,
    );
  }
  assert.ok(nonEmpty > 300, `only ${nonEmpty} rounds had differences`);
});

test("diff: details", () => {
  const a = set(EMPTY_DIR, "x/y", blob("1"), { parents: true });
  assert.deepEqual(show(diff(a, a)), []);
  const b = set(a, "x/y", blob("2"));
  const [c] = diff(a, b);
  assert.equal(c.path, "x/y");
  assert.equal(c.type, "modified");
  assert.equal(c.before, get(a, "x/y"));
  assert.equal(c.after, get(b, "x/y"));
  assert.deepEqual(show(diff(a, remove(a, "x"))), ["removed x"]);
  assert.deepEqual(show(diff(EMPTY_DIR, a)), ["added x"]);
  assert.deepEqual(show(diff(blob("1"), blob("2"))), ["modified "]);
  assert.deepEqual(show(diff(blob("1"), blob("1"))), []);
  assert.deepEqual(show(diff(a, set(a, "x", blob("1")))), ["modified x"]);
  // Output is in canonical path order.
  const many = set(
    set(set(a, "b", EMPTY_DIR), "x/a", EMPTY_DIR),
    "x/z",
    EMPTY_DIR,
  );
  assert.deepEqual(show(diff(a, many)), ["added b", "added x/a", "added x/z"]);
});

test("addedBytes: the blob bytes of the second tree that are not the first's very nodes", () => {
  const r = rng(7);
  const reference = (a: TreeNode, b: TreeNode) => {
    const fa = flatten(a);
    let total = 0;
    for (const [path, node] of flatten(b)) if (node.kind === "blob" && fa.get(path) !== node) total += node.size;
    return total;
  };
  let positive = 0;
  for (let i = 0; i < 400; i++) {
    const a = randomTree(r, 3);
    const b = r() < 0.8 ? mutate(r, a) : randomTree(r, 3);
    const want = reference(a, b);
    assert.equal(addedBytes(a, b), want, `round ${i}`);
    if (want > 0) positive++;
  }
  assert.ok(positive > 200, `only ${positive} rounds added bytes`);
  const page = blob(new Uint8Array(4096));
  const t = set(EMPTY_DIR, "mem/000/001", page, { parents: true }) as DirNode;
  assert.equal(addedBytes(t, t), 0);
  assert.equal(addedBytes(EMPTY_DIR, t), 4096);
  assert.equal(addedBytes(t, set(t, "mem/000/002", blob(new Uint8Array(4096)), { parents: true })), 4096);
});
