import { assert, runtime, test } from "../harness.ts";
import {
  blob,
  dirFromEntries,
  EMPTY_DIR,
  get,
  intern,
  internedCount,
  set,
} from "../../core/tree/mod.ts";

test("intern: equal blobs become one object", () => {
  const a = intern(blob("same content"));
  const b = intern(blob("same content"));
  assert.equal(a, b);
  assert.notEqual(intern(blob("other content")), a);
  const page = new Uint8Array(4096).fill(9);
  assert.equal(
    intern(blob(page)).bytes,
    page,
    "the first one interned wins, uncopied",
  );
  assert.equal(intern(blob(new Uint8Array(4096).fill(9))).bytes, page);
});

test("intern: equal directories become one object, children included", () => {
  const mk = () =>
    dirFromEntries({ x: blob("1"), sub: dirFromEntries({ y: blob("2") }) });
  const a = intern(mk());
  const b = intern(mk());
  assert.equal(a, b);
  // A directory whose own hash is new still gets canonical children.
  const c = intern(mk().with("z", EMPTY_DIR));
  assert.equal(c.get("sub"), a.get("sub"));
  assert.equal(c.get("x"), a.get("x"));
  assert.equal(intern(blob("2")), get(a, "sub/y"), "interning is deep");
});

test("intern: hashes are kept, unchanged subtrees are not revisited", () => {
  const names = Array.from(
    { length: 1024 },
    (_, i) => i.toString(16).padStart(3, "0"),
  );
  const level = dirFromEntries(names.map((n) => [n, blob(n)]));
  const root = intern(dirFromEntries(names.map((n) => [n, level])));
  const changed = set(root, "0a3/1ff", blob("new page"));
  const canonical = intern(changed);
  assert.equal(canonical.get("000"), root.get("000"));
  assert.equal(intern(changed), canonical);
});

/** A way to force garbage collection: Bun has one, Deno only with --v8-flags=--expose-gc. */
const gc = runtime === "bun"
  ? () =>
    (globalThis as unknown as { Bun: { gc(sync: boolean): void } }).Bun.gc(true)
  : (globalThis as { gc?: () => void }).gc;

test(
  "intern: the table does not keep nodes alive (needs a forced GC)",
  async () => {
    if (!gc) throw new Error("no forced GC: run deno test with --v8-flags=--expose-gc (as tests/run.sh does)");
    const before = internedCount();
    (() => {
      for (let i = 0; i < 5000; i++) intern(blob(`transient ${i}`));
    })();
    assert.ok(internedCount() >= before + 5000);
    for (
      let round = 0;
      round < 50 && internedCount() >= before + 5000;
      round++
    ) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(
      internedCount() < before + 5000,
      `table still holds ${internedCount() - before} entries`,
    );
  },
);
