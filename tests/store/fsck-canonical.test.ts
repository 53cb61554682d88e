/**
 * issue 13 points 5 and 3: fsck reports an object whose bytes hash to its
 * name but are not a canonical encoding (readers refuse it, so fsck must
 * too), and an object file that is a zlib bomb is refused when read
 * instead of inflating without bound.
 */
import { deflateSync } from "node:zlib";
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { assert, runtime, test } from "../harness.ts";
import { fsck, Store } from "../../core/store/mod.ts";
import { COMPRESSED_TAG, fromObjectFile } from "../../core/store/object-file.ts";
import { blob, treeFromPaths } from "../../core/tree/mod.ts";
import { blobEncoding, dirEncoding, sha, utf8 } from "./bundle-craft.ts";
import { assertOneLine, fx86Env, meta, tempStore } from "./support.ts";

test(`fsck (${runtime}): a non-canonical object with a matching hash is a problem, as it is to every reader`, () => {
  const dir = tempStore();
  const store = Store.open(dir, { write: true });
  const x = blob("x"), y = blob("y");
  const good = treeFromPaths([["a", x], ["b", y]]);
  store.putTree(good);
  // The same entries out of order: a different hash, and no reader accepts it.
  const bad = dirEncoding([[utf8.encode("b"), y.hash], [utf8.encode("a"), x.hash]]);
  const h = sha(bad);
  mkdirSync(dirname(store.objectPath(h)), { recursive: true });
  writeFileSync(store.objectPath(h), bad);
  store.putSnapshot("s", meta({ hash: h }));
  const problems = fsck(Store.open(dir)).problems.map((p) => p.message);
  assert.deepEqual(problems, [
    `object ${h} is corrupt: it is not a canonical node encoding (entry "a" is out of order or repeated); needed by snapshot s.`,
  ]);
  const f = fx86Env(runtime, ["fsck", "--store", dir]);
  assert.equal(f.status, 1);
  const ls = fx86Env(runtime, ["tree", "ls", "s:", "--store", dir]);
  assert.equal(ls.status, 2);
  assertOneLine(ls.stderr, new RegExp(`^fx86: snapshot s needs object ${h}, which is corrupt\\.$`));
});

test(`object files (${runtime}): a compressed object inflating past the object limit is refused`, () => {
  const bomb = new Uint8Array([COMPRESSED_TAG, ...deflateSync(blobEncoding(new Uint8Array(4 << 20)))]);
  assert.throws(() => fromObjectFile(bomb, 1 << 20), /larger than/i);
  assert.equal(fromObjectFile(bomb).length, (4 << 20) + 9);
});
