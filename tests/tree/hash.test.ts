import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { assert, test } from "../harness.ts";
import {
  blob,
  compareNames,
  dirFromEntries,
  EMPTY_DIR,
  encode,
  type TreeNode,
} from "../../core/tree/mod.ts";
import { pick, rng } from "./util.ts";

const hex = (bytes: Uint8Array) =>
  createHash("sha256").update(bytes).digest("hex");
const raw = (bytes: Uint8Array) =>
  new Uint8Array(createHash("sha256").update(bytes).digest());
const utf8 = (s: string) => new TextEncoder().encode(s);
const cat = (...parts: ArrayLike<number>[]) =>
  Uint8Array.from(parts.flatMap((p) => [...Array.from(p)]));

test("hash: blob known answer, assembled by hand", () => {
  const bytes = cat([0x42, 0, 0, 0, 0, 0, 0, 0, 5], utf8("hello"));
  assert.equal(blob("hello").hash, hex(bytes));
  assert.deepEqual(encode(blob("hello")), bytes);
  // Pinned (computed with Python's hashlib, also listed in docs/tree.md) so
  // that an accidental change of the encoding cannot go unnoticed.
  assert.equal(
    blob("hello").hash,
    "bfa95b1909b4ad6e8a17e92b614c624412f2820519856bf22ea173489b26f08f",
  );
  assert.equal(
    dirFromEntries({ b: blob("hello"), a: EMPTY_DIR }).hash,
    "ea21b713f560b8ae3baebd49b23e0ed20a0b4a68c027914c95532fc9e7a327fc",
  );
});

test("hash: empty directory and blob known answers", () => {
  assert.equal(EMPTY_DIR.hash, hex(Uint8Array.of(0x44, 0, 0, 0, 0)));
  assert.equal(
    EMPTY_DIR.hash,
    "093f931703155bc6bf1c13039ffdb49856410b2b359c93cab8e52059073ecef9",
  );
  assert.equal(blob("").hash, hex(Uint8Array.of(0x42, 0, 0, 0, 0, 0, 0, 0, 0)));
  assert.equal(
    blob("").hash,
    "4f2fdd3d218cddc41290345f749988b33f391c29745a1710638573ec671d1c16",
  );
});

test("hash: directory known answer, assembled by hand", () => {
  const hello = blob("hello");
  const d = dirFromEntries({ "b": hello, "a": EMPTY_DIR, "é": hello });
  const bytes = cat(
    [0x44, 0, 0, 0, 3],
    [1],
    utf8("a"),
    raw(Uint8Array.of(0x44, 0, 0, 0, 0)),
    [1],
    utf8("b"),
    raw(cat([0x42, 0, 0, 0, 0, 0, 0, 0, 5], utf8("hello"))),
    [2],
    utf8("é"),
    raw(cat([0x42, 0, 0, 0, 0, 0, 0, 0, 5], utf8("hello"))),
  );
  assert.deepEqual(encode(d), bytes);
  assert.equal(d.hash, hex(bytes));
});

test("hash: insertion order is irrelevant", () => {
  const r = rng(7);
  const entries: [string, TreeNode][] = Array.from({ length: 200 }, (_, i) => [
    `n${i}`,
    blob(String(i)),
  ]);
  const reference = dirFromEntries(entries).hash;
  for (let round = 0; round < 5; round++) {
    const shuffled = [...entries];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = pick(r, i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    assert.equal(dirFromEntries(shuffled).hash, reference);
    let d = EMPTY_DIR;
    for (const [name, node] of shuffled) d = d.with(name, node);
    assert.equal(d.hash, reference);
  }
});

test("hash: entries are ordered by UTF-8 bytes, not UTF-16 code units", () => {
  const d = dirFromEntries({
    "\u{10000}": EMPTY_DIR,
    "\uE000": EMPTY_DIR,
    "é": EMPTY_DIR,
    "Z": EMPTY_DIR,
  });
  assert.deepEqual(d.names, ["Z", "é", "\uE000", "\u{10000}"]);
  // JavaScript's own order would put the surrogate pair first.
  assert.deepEqual(["\uE000", "\u{10000}"].sort(), ["\u{10000}", "\uE000"]);
  const r = rng(99);
  const pool = [
    0x41,
    0x7f,
    0xe9,
    0x7ff,
    0x800,
    0xd7ff,
    0xe000,
    0xfffd,
    0xffff,
    0x10000,
    0x1f600,
    0x10ffff,
  ];
  const word = () =>
    String.fromCodePoint(
      ...Array.from(
        { length: 1 + pick(r, 3) },
        () => pool[pick(r, pool.length)],
      ),
    );
  for (let i = 0; i < 2000; i++) {
    const a = word();
    const b = word();
    const want = Math.sign(Buffer.compare(utf8(a), utf8(b)));
    assert.equal(
      Math.sign(compareNames(a, b)),
      want,
      `${JSON.stringify(a)} vs ${JSON.stringify(b)}`,
    );
  }
});

test("hash: equal content, equal hash; any change, another hash", () => {
  const a = dirFromEntries({
    x: blob("1"),
    y: dirFromEntries({ z: blob("2") }),
  });
  const b = dirFromEntries({
    y: dirFromEntries({ z: blob("2") }),
    x: blob("1"),
  });
  assert.notEqual(a, b);
  assert.equal(a.hash, b.hash);
  assert.notEqual(a.with("x", blob("3")).hash, a.hash);
  assert.notEqual(a.without("x").hash, a.hash);
  assert.notEqual(a.with("w", EMPTY_DIR).hash, a.hash);
  // A blob and a directory can never share an encoding.
  assert.notEqual(blob(Uint8Array.of(0, 0, 0, 0)).hash, EMPTY_DIR.hash);
});

test("hash: computed lazily and once", () => {
  const b = blob("lazy");
  assert.equal(b.isHashed, false);
  const h = b.hash;
  assert.equal(b.isHashed, true);
  assert.equal(b.hash, h);
  const d = dirFromEntries({ b });
  assert.equal(d.isHashed, false);
  void d.digest;
  assert.equal(d.isHashed, true);
});
