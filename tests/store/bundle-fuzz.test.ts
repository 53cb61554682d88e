/**
 * issue 13 points 2 and 3: crafted and mutated bundles — entry counts,
 * lengths, names, hashes, metadata, gzip bombs, truncation — are each
 * refused by `fx86 import` with one line, in bounded time and memory (the
 * maximum RSS of every import is measured with GNU time and reported),
 * nothing is written outside the store, and the store stays fsck-clean
 * with no snapshot and no temporary file. Then 300 random mutations of a
 * real bundle go through the importer in process, with the same checks.
 */
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { assert, runtime, test } from "../harness.ts";
import { exportBundle, fsck, importBundle, Store, StoreError } from "../../core/store/mod.ts";
import { blob, treeFromPaths } from "../../core/tree/mod.ts";
import { blobEncoding, concat, dirEncoding, gz, header, metaOf, record, sha, utf8 } from "./bundle-craft.ts";
import { assertOneLine, fx86Env, lcg, meta, tempStore } from "./support.ts";

const X = blobEncoding(utf8.encode("hello"));
const hx = sha(X);
/** A blob no case stores (earlier cases leave X behind, unreferenced, as a refused import may). */
const Y = blobEncoding(utf8.encode("never stored"));
const ZERO_HASH = "00".repeat(32);

/** A bundle of a directory encoding (and X, its child), the snapshot naming the directory. */
function withDir(dir: Uint8Array): Uint8Array {
  return gz(header({ s: metaOf(sha(dir)) }), record(X), record(dir));
}

/** A bundle whose one snapshot has `over` in its metadata. */
function withMeta(over: Record<string, unknown>, name = "s"): Uint8Array {
  return gz(header({ [name]: metaOf(hx, over) }), record(X));
}

const DAMAGED = "^fx86: the bundle is damaged: ";
const NOT_CANONICAL = new RegExp(`${DAMAGED}object [0-9a-f]{64} is not a canonical node encoding \\(.*\\)\\.$`);

let zeroMember: Uint8Array | undefined;

/**
 * A gzip bomb: `mib` MiB of zeros (a multiple of 64) after `prefix`,
 * compressed about 1000 to 1, as gzip members one after another (gunzip
 * reads them as one stream), so the test never holds the zeros itself.
 */
function bomb(prefix: Uint8Array, mib: number): Uint8Array {
  zeroMember ??= new Uint8Array(gzipSync(new Uint8Array(64 << 20), { level: 9 }));
  const first = new Uint8Array(gzipSync(concat(prefix, new Uint8Array(64 << 20)), { level: 9 }));
  return concat(first, ...Array.from({ length: mib / 64 - 1 }, () => zeroMember!));
}

function cases(valid: Uint8Array): [string, Uint8Array, RegExp, string[]?][] {
  const raw = new Uint8Array(gunzipSync(valid));
  const zeros64k = blobEncoding(new Uint8Array(64 << 10));
  return [
    ["a directory claiming 2^32-1 children", withDir(dirEncoding([[utf8.encode("a"), hx]], 0xffffffff)), NOT_CANONICAL],
    ["a directory claiming 4096 children", withDir(dirEncoding([[utf8.encode("a"), hx]], 4096)), NOT_CANONICAL],
    ["an entry named ..", withDir(dirEncoding([[utf8.encode(".."), hx]])), NOT_CANONICAL],
    ["an entry with a slash", withDir(dirEncoding([[utf8.encode("a/b"), hx]])), NOT_CANONICAL],
    ["an empty entry name", withDir(dirEncoding([[new Uint8Array(0), hx]])), NOT_CANONICAL],
    ["entries out of order", withDir(dirEncoding([[utf8.encode("b"), hx], [utf8.encode("a"), hx]])), NOT_CANONICAL],
    ["bytes after the last entry", withDir(concat(dirEncoding([[utf8.encode("a"), hx]]), Uint8Array.of(0))), NOT_CANONICAL],
    ["a blob whose length field lies", gz(header({ s: metaOf(sha(blobEncoding(X, 99))) }), record(blobEncoding(X, 99))), NOT_CANONICAL],
    ["an unknown tag", gz(header({}), record(utf8.encode("Xabc"))), NOT_CANONICAL],
    ["an empty encoding (the empty hash)", gz(header({}), record(new Uint8Array(0))), NOT_CANONICAL],
    [
      "a directory before its child",
      gz(header({}), record(dirEncoding([[utf8.encode("a"), sha(Y)]])), record(Y)),
      new RegExp(`${DAMAGED}directory [0-9a-f]{64} comes before its child ${sha(Y)}\\.$`),
    ],
    ["a forged hash", gz(header({}), record(X, { hash: ZERO_HASH })), new RegExp(`${DAMAGED}object ${ZERO_HASH} does not hash to its name\\.$`)],
    [
      "a length of 2^32-1",
      gz(header({}), record(X, { length: 0xffffffff })),
      /^fx86: the bundle's object [0-9a-f]{64} is 4294967295 bytes, over the limit of \d+ \(see --max-object-bytes\)\.$/,
    ],
    ["a length past the end", gz(header({}), record(X, { length: 1000 })), new RegExp(`${DAMAGED}object ${hx} is cut short\\.$`)],
    ["budget_used -1e308", withMeta({ budget_used: -1e308 }), /^fx86: snapshot s is damaged: its budget_used is not a whole number\.$/],
    ["status an object", withMeta({ status: {} }), /^fx86: snapshot s is damaged: its status is not one fx86 writes\.$/],
    ["origin ../../etc/passwd", withMeta({ origin: "../../etc/passwd" }), /^fx86: snapshot s is damaged: its origin is not a snapshot name\.$/],
    ["created not a time", withMeta({ created: 5 }), /^fx86: snapshot s is damaged: its created time is not ISO 8601 UTC\.$/],
    ["a name ../x", withMeta({}, "../x"), /^fx86: "\.\.\/x" is not a valid snapshot name/],
    ["a root that is not a hash", withMeta({ root: "" }), /^fx86: snapshot s is damaged: its file does not name a root hash\.$/],
    ["snapshots an array", gz(utf8.encode('fx86-bundle 1\n{"snapshots": []}\n')), new RegExp(`${DAMAGED}its header lists no snapshots\\.$`)],
    ["a header that is not JSON", gz(utf8.encode("fx86-bundle 1\n{nope\n")), new RegExp(`${DAMAGED}its header is not JSON\\.$`)],
    ["a header with no end", gz(utf8.encode('fx86-bundle 1\n{"snapshots": {}}')), new RegExp(`${DAMAGED}its header line is cut short or too long\\.$`)],
    ["a snapshot whose root is not in it", gz(header({ s: metaOf(ZERO_HASH) }), record(X)), new RegExp(`${DAMAGED}it lacks object ${ZERO_HASH}, which snapshot s needs\\.$`)],
    ["not gzip", utf8.encode("just text\n"), new RegExp(`${DAMAGED}it is not a complete gzip stream\\.$`)],
    ["an empty file", new Uint8Array(0), /^fx86: (this file is not an fx86 bundle|the bundle is damaged: it is not a complete gzip stream)\.$/],
    ["a gzip bomb of zeros (2 GiB)", bomb(new Uint8Array(0), 2048), /^fx86: this file is not an fx86 bundle\.$/],
    ["a bomb after a valid header", bomb(header({}), 2048), new RegExp(`${DAMAGED}object ${ZERO_HASH} does not hash to its name\\.$`)],
    [
      "a bomb declaring a 1 GiB directory",
      bomb(concat(header({}), record(new Uint8Array(0), { hash: ZERO_HASH, length: 1 << 30 })), 1024),
      new RegExp(`${DAMAGED}object ${ZERO_HASH} is 1073741824 bytes but not a blob \\(no directory is that large\\)\\.$`),
    ],
    [
      "a bomb declaring a 192 MiB blob (streamed to disk, then refused)",
      bomb(concat(header({}), record(blobEncoding(new Uint8Array(0), 192 << 20), { hash: ZERO_HASH, length: (192 << 20) + 9 })), 192),
      new RegExp(`${DAMAGED}object ${ZERO_HASH} does not hash to its name\\.$`),
    ],
    [
      "64 MiB of one repeated object, over --max-bundle-bytes 32M",
      gz(header({}), ...Array.from({ length: 1024 }, () => record(zeros64k))),
      /^fx86: the bundle is larger than 32000000 bytes uncompressed \(see --max-bundle-bytes\)\.$/,
      ["--max-bundle-bytes", "32M"],
    ],
    ["a real bundle cut inside its gzip stream", valid.subarray(0, valid.length >> 1), new RegExp(`${DAMAGED}it is not a complete gzip stream\\.$`)],
    ["a real bundle cut inside an object", gz(raw.subarray(0, raw.length - 3)), new RegExp(`${DAMAGED}object [0-9a-f]{64} is cut short\\.$`)],
    ["a real bundle cut inside an object header", gz(raw.subarray(0, raw.length - 30 - X.length)), new RegExp(`${DAMAGED}(an object header|object [0-9a-f]{64}) is cut short\\.$`)],
  ];
}

/** A store with one snapshot of a small tree, and its bundle. */
function validBundle(): Uint8Array {
  const dir = tempStore();
  const store = Store.open(dir, { write: true });
  const tree = treeFromPaths([["a/x", blob("hello")], ["a/y", blob("world")], ["b", blob(new Uint8Array(5000))]]);
  store.putTree(tree);
  store.putSnapshot("base", meta(tree));
  return exportBundle(store, ["base"]);
}

/** The store holds nothing from the bundle: no snapshot, no temporary file, fsck clean. */
function assertUntouched(dir: string, what: string): void {
  const store = Store.open(dir);
  assert.deepEqual(store.snapshotNames(), [], what);
  assert.deepEqual(store.tempFiles(), [], what);
  assert.deepEqual(fsck(store).problems, [], what);
}

test(`bundle fuzz (${runtime}): crafted bundles are refused with one line, in bounded time and memory`, () => {
  const store = tempStore();
  assert.equal(fx86Env(runtime, ["gc", "--store", store]).status, 0); // creates it
  const work = join(store, "..");
  const file = join(work, "crafted.fx86");
  writeFileSync(file, "");
  const before = readdirSync(work).sort();
  let maxRss = 0, slowest = 0;
  const report: string[] = [];
  for (const [what, bytes, pattern, extra] of cases(validBundle())) {
    writeFileSync(file, bytes);
    const started = Date.now();
    const r = fx86Env(runtime, ["import", file, "--store", store, ...extra ?? []], {
      prefix: ["/usr/bin/time", "-f", "maxrss %M"],
    });
    const ms = Date.now() - started;
    const lines = r.stderr.trimEnd().split("\n").filter((l) => !l.startsWith("Command exited with non-zero status"));
    const rss = Number(/^maxrss (\d+)$/.exec(lines.pop() ?? "")?.[1]);
    assert.ok(rss > 0, `GNU time reported no RSS (install the Debian package time): ${r.stderr}`);
    assert.equal(r.status, 2, `${what}: ${r.stderr}`);
    assertOneLine(lines.join("\n"), pattern);
    assert.ok(rss < 400_000, `${what}: ${rss} KB`);
    assert.ok(ms < 60_000, `${what}: ${ms} ms`);
    assertUntouched(store, what);
    maxRss = Math.max(maxRss, rss);
    slowest = Math.max(slowest, ms);
    report.push(`${what}: ${bytes.length} bytes, ${rss} KB, ${ms} ms`);
  }
  assert.deepEqual(readdirSync(work).sort(), before, "nothing written beside the store");
  console.log(report.join("\n"));
  console.log(`bundle fuzz (${runtime}): maximum RSS ${Math.round(maxRss / 1024)} MB, slowest import ${slowest} ms`);
}, { timeoutMs: 600_000 });

test(`bundle fuzz (${runtime}): 300 random mutations of a real bundle are refused or imported whole`, async () => {
  const valid = validBundle();
  const raw = new Uint8Array(gunzipSync(valid));
  const random = lcg(77);
  const dir = tempStore();
  Store.open(dir, { write: true });
  let refused = 0;
  for (let i = 0; i < 300; i++) {
    const m = Uint8Array.from(raw);
    const kind = i % 3;
    if (kind === 0) m[random(m.length)] ^= 1 << random(8);
    else if (kind === 1) m[random(m.length)] = [0, 0xff, 0x0a, 0x44, 0x42][random(5)];
    const bytes = kind === 2 ? m.subarray(0, random(m.length)) : m;
    const store = Store.open(dir, { write: true });
    try {
      const r = await importBundle(store, gzipSync(bytes));
      for (const name of r.snapshots) store.loadSnapshot(name); // imported whole
      for (const name of r.snapshots) store.removeSnapshot(name);
    } catch (e) {
      assert.ok(e instanceof StoreError, `mutation ${i}: ${(e as Error).stack}`);
      assert.equal(e.message.split("\n").length, 1);
      refused++;
    }
    assert.deepEqual(store.tempFiles(), []);
    assert.deepEqual(fsck(Store.open(dir)).problems, [], `mutation ${i}`);
  }
  assert.ok(refused > 200, `${refused} refused`);
});
