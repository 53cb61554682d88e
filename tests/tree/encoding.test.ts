import { assert, test } from "../harness.ts";
import {
  blob,
  decode,
  dirFromEntries,
  EMPTY_DIR,
  encode,
  hashStats,
  TreeError,
  type TreeNode,
} from "../../core/tree/mod.ts";
import { flatten, randomTree, rng } from "./util.ts";

/** A toy object store: every node of `root` by hash, as its encoding. */
function store(root: TreeNode): Map<string, Uint8Array> {
  const objects = new Map<string, Uint8Array>();
  for (const node of flatten(root).values()) {
    objects.set(node.hash, encode(node));
  }
  return objects;
}

function load(objects: Map<string, Uint8Array>, hash: string): TreeNode {
  const node = decode(objects.get(hash)!, (h) => load(objects, h));
  assert.equal(node.hash, hash, "a decoded node hashes to its name");
  return node;
}

const isCode = (code: string) => (e: unknown) =>
  e instanceof TreeError && e.code === code;

test("encoding: round trip of random trees", () => {
  const r = rng(1234);
  for (let i = 0; i < 50; i++) {
    const root = randomTree(r, 3);
    const objects = store(root);
    const back = load(objects, root.hash);
    assert.notEqual(back, root);
    assert.equal(back.hash, root.hash);
    assert.deepEqual(encode(back), encode(root));
    const a = flatten(root);
    const b = flatten(back);
    assert.deepEqual([...b.keys()], [...a.keys()]);
    for (const [path, node] of a) {
      const other = b.get(path)!;
      assert.equal(other.kind, node.kind);
      if (node.kind === "blob" && other.kind === "blob") {
        assert.deepEqual(other.bytes, node.bytes);
      }
    }
  }
});

test("encoding: decode takes the hash from the bytes, blobs without copying", () => {
  const bytes = encode(blob("payload"));
  const before = hashStats.blobs;
  const b = decode(bytes, () => undefined);
  assert.equal(hashStats.blobs - before, 1);
  assert.equal(b.isHashed, true);
  assert.equal(b.kind === "blob" && b.bytes.buffer, bytes.buffer);
});

test("encoding: only canonical encodings decode", () => {
  const a = blob("a");
  const lookup = (h: string) => (h === a.hash ? a : undefined);
  const good = encode(dirFromEntries({ x: a, y: a }));
  assert.equal(decode(good, lookup).hash, dirFromEntries({ x: a, y: a }).hash);
  const cases: [string, Uint8Array, string][] = [
    ["empty", new Uint8Array(0), "bad-encoding"],
    ["unknown tag", Uint8Array.of(0x58), "bad-encoding"],
    ["short blob header", Uint8Array.of(0x42, 0, 0), "bad-encoding"],
    [
      "blob length too big",
      Uint8Array.of(0x42, 0, 0, 0, 0, 0, 0, 0, 2, 0x61),
      "bad-encoding",
    ],
    [
      "blob length too small",
      Uint8Array.of(0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0x61),
      "bad-encoding",
    ],
    ["short dir header", Uint8Array.of(0x44, 0, 0), "bad-encoding"],
    ["missing entry", Uint8Array.of(0x44, 0, 0, 0, 1), "bad-encoding"],
    ["trailing bytes", Uint8Array.of(0x44, 0, 0, 0, 0, 0), "bad-encoding"],
    ["cut entry", good.subarray(0, good.length - 1), "bad-encoding"],
  ];
  // Entries swapped: y before x.
  const swapped = good.slice();
  swapped[6] = 0x79;
  swapped[6 + 34] = 0x78;
  cases.push(["out of order", swapped, "bad-encoding"]);
  const repeated = good.slice();
  repeated[6 + 34] = 0x78;
  cases.push(["repeated name", repeated, "bad-encoding"]);
  const slash = good.slice();
  slash[6] = 0x2f;
  cases.push(["bad name", slash, "bad-encoding"]);
  const invalid = good.slice();
  invalid[6] = 0xff;
  cases.push(["not UTF-8", invalid, "bad-encoding"]);
  const unknown = good.slice();
  unknown[7] ^= 1;
  cases.push(["unknown child", unknown, "not-found"]);
  for (const [what, bytes, code] of cases) {
    assert.throws(() => decode(bytes, lookup), isCode(code), what);
  }
  // A lookup that returns the wrong node is caught.
  assert.throws(() => decode(good, () => EMPTY_DIR), isCode("bad-encoding"));
});
