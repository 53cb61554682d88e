import { assert, test } from "../harness.ts";
import {
  blob,
  dirFromEntries,
  EMPTY_DIR,
  TreeError,
} from "../../core/tree/mod.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const isCode = (code: string) => (e: unknown) =>
  e instanceof TreeError && e.code === code;

test("blob: wraps and exposes bytes without copying", () => {
  const page = new Uint8Array(4096);
  const b = blob(page);
  assert.equal(b.bytes, page);
  assert.equal(b.size, 4096);
  assert.equal(b.kind, "blob");
  assert.equal(b.read().buffer, page.buffer, "read returns a view");
});

test("blob: read clamps at the end", () => {
  const b = blob("hello");
  assert.equal(text(b.read(1, 3)), "ell");
  assert.equal(text(b.read(4, 10)), "o");
  assert.equal(b.read(5).length, 0);
  assert.equal(b.read(99, 1).length, 0);
  assert.throws(() => b.read(-1), isCode("bad-range"));
  assert.throws(() => b.read(0, 1.5), isCode("bad-range"));
});

test("blob: write and resize make new blobs and leave the old one alone", () => {
  const b = blob("hello");
  const w = b.write(1, new TextEncoder().encode("EL"));
  assert.equal(text(w.bytes), "hELlo");
  assert.equal(text(b.bytes), "hello");
  assert.deepEqual([...blob("").write(2, Uint8Array.of(7)).bytes], [0, 0, 7]);
  assert.equal(
    text(b.write(3, new TextEncoder().encode("p me")).bytes),
    "help me",
  );
  assert.equal(
    b.write(9, new Uint8Array(0)),
    b,
    "writing nothing changes nothing",
  );
  assert.equal(text(b.resize(2).bytes), "he");
  assert.deepEqual([...blob("a").resize(3).bytes], [97, 0, 0]);
  assert.equal(b.resize(5), b);
  assert.throws(() => b.write(-1, Uint8Array.of(1)), isCode("bad-range"));
});

test("dir: sorted entries, lookup, with/without", () => {
  const d = EMPTY_DIR.with("b", blob("2")).with("a", blob("1")).with(
    "c",
    EMPTY_DIR,
  );
  assert.deepEqual(d.names, ["a", "b", "c"]);
  assert.equal(d.kind, "dir");
  assert.equal(d.size, 3);
  assert.equal(text((d.get("b") as ReturnType<typeof blob>).bytes), "2");
  assert.equal(d.get("x"), undefined);
  assert.equal(d.has("c"), true);
  assert.deepEqual(d.without("b").names, ["a", "c"]);
  assert.equal(d.without("x"), d);
  assert.deepEqual([...d.entries()].map(([n, c]) => [n, c.kind]), [
    ["a", "blob"],
    ["b", "blob"],
    ["c", "dir"],
  ]);
  assert.equal(EMPTY_DIR.size, 0, "EMPTY_DIR itself is never changed");
});

test("dir: replacing an entry shares everything else", () => {
  const x = blob("x");
  const d = dirFromEntries({ a: x, b: blob("b") });
  assert.equal(d.with("a", x), d, "setting the same node is a no-op");
  const d2 = d.with("a", blob("y"));
  assert.equal(d2.names, d.names, "the names array is shared on replacement");
  assert.equal(d2.get("b"), d.get("b"));
  assert.equal(d.get("a"), x);
});

test("dir: a thousand-entry directory behaves", () => {
  const names = Array.from(
    { length: 1024 },
    (_, i) => i.toString(16).padStart(3, "0"),
  );
  const zero = blob(new Uint8Array(4096));
  const d = dirFromEntries(names.map((n) => [n, zero]));
  assert.deepEqual(d.names, names);
  for (const n of names) assert.equal(d.get(n), zero);
  const one = blob(new Uint8Array(4096).fill(1));
  const d2 = d.with("1ff", one);
  assert.equal(d2.get("1ff"), one);
  assert.equal(d2.get("200"), zero);
  assert.equal(d2.size, 1024);
  const d3 = d.with("1ff0", one);
  assert.equal(d3.size, 1025);
  assert.equal(d3.names.indexOf("1ff0"), d3.names.indexOf("1ff") + 1);
});

test("dir: dirFromEntries checks names and duplicates", () => {
  assert.throws(
    () => dirFromEntries([["a", EMPTY_DIR], ["a", EMPTY_DIR]]),
    isCode("exists"),
  );
  assert.throws(() => dirFromEntries({ "a/b": EMPTY_DIR }), isCode("bad-path"));
  assert.throws(() => dirFromEntries({ "..": EMPTY_DIR }), isCode("bad-path"));
  assert.throws(() => EMPTY_DIR.with("", EMPTY_DIR), isCode("bad-path"));
  assert.throws(
    () => EMPTY_DIR.with("x".repeat(256), EMPTY_DIR),
    isCode("bad-path"),
  );
  assert.equal(EMPTY_DIR.with("x".repeat(255), EMPTY_DIR).size, 1);
  assert.throws(
    () => EMPTY_DIR.with("é".repeat(128), EMPTY_DIR),
    isCode("bad-path"),
    "256 bytes of UTF-8",
  );
});
