/**
 * Export/import: a snapshot moves to another store (and runtime) as one
 * file, and resumes there to the uninterrupted root; damaged bundles and
 * name clashes are refused with one line, leaving the target store intact.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { fsck, Store } from "../../core/store/mod.ts";
import { BUSYBOX, pseudoText } from "../support/guests.ts";
import { assertOneLine, fx86Env, tempStore } from "./support.ts";

const input = new TextDecoder().decode(pseudoText(5_000, 9));
const program = [BUSYBOX, "md5sum"];

test("bundle: export under Deno, import under Bun, resume to the uninterrupted root; damage is refused", () => {
  const a = tempStore(), b = tempStore();
  const file = join(a, "..", "s.fx86");
  const end = JSON.parse(fx86Env("bun", ["exec", "--json", ...program], { stdin: input }).stdout);
  assert.equal(fx86Env("deno", ["exec", "--store", a, "--budget", "4000", "--save", "s", ...program], { stdin: input }).status, 124);
  const exp = fx86Env("deno", ["export", "s", "-o", file, "--store", a]);
  assert.equal(exp.status, 0, exp.stderr);

  const imp = fx86Env("bun", ["import", file, "--store", b]);
  assert.equal(imp.status, 0, imp.stderr);
  assert.match(imp.stdout, /^imported s: (\d+) objects, \1 new\n$/);
  assert.match(fx86Env("bun", ["import", file, "--store", b]).stdout, /^imported s: \d+ objects, 0 new\n$/);
  assert.equal(fx86Env("bun", ["verify", "s", "--store", b]).status, 0);
  const resumed = fx86Env("bun", ["resume", "s", "--json", "--store", b]);
  assert.equal(JSON.parse(resumed.stdout).root, end.root);
  assert.deepEqual(fsck(Store.open(b)).problems, []);

  // Damage: a flipped byte (gzip's CRC), a cut file, a forged object, not a bundle.
  const good = readFileSync(file);
  const raw = gunzipSync(good);
  const forged = Uint8Array.from(raw);
  forged[forged.length - 1] ^= 1; // the last object's last byte
  const flipped = Uint8Array.from(good);
  flipped[flipped.length >> 1] ^= 0x40;
  const c = tempStore();
  const cases: [Uint8Array, RegExp][] = [
    // Objects are checked as they stream in, so a flipped byte may be met as a bad object before the CRC.
    [flipped, /^fx86: the bundle is damaged: (it is not a complete gzip stream|object [0-9a-f]{64} does not hash to its name)\.$/],
    [good.subarray(0, good.length - 100), /^fx86: the bundle is damaged: it is not a complete gzip stream\.$/],
    [gzipSync(forged), /^fx86: the bundle is damaged: object [0-9a-f]{64} does not hash to its name\.$/],
    [gzipSync("hello"), /^fx86: this file is not an fx86 bundle\.$/],
  ];
  for (const [bytes, pattern] of cases) {
    writeFileSync(file, bytes);
    const r = fx86Env("deno", ["import", file, "--store", c]);
    assert.equal(r.status, 2);
    assertOneLine(r.stderr, pattern);
  }
  assert.deepEqual(Store.open(c).snapshotNames(), []);
  assert.deepEqual(fsck(Store.open(c)).problems, []);

  // A name that exists with another root is not replaced.
  writeFileSync(file, good);
  assert.equal(fx86Env("deno", ["exec", "--store", c, "--budget", "10", "--save", "s", ...program]).status, 124);
  const clash = fx86Env("deno", ["import", file, "--store", c]);
  assert.equal(clash.status, 2);
  assertOneLine(clash.stderr, /^fx86: snapshot s already exists with another root; remove it or import elsewhere\.$/);
  assert.equal(Store.open(c).getSnapshot("s").budget_used, 10);
  const missing = fx86Env("deno", ["export", "nope", "-o", file, "--store", a]);
  assert.equal(missing.status, 2);
  assertOneLine(missing.stderr, /^fx86: there is no snapshot named nope in /);
});
