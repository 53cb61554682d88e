/** The object store in process: round trips, verified reads, snapshots, gc, fsck, bad directories. */
import { readFileSync, rmSync, utimesSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { blob, dirFromEntries, type DirNode, EMPTY_DIR, encode, set, treeFromPaths, type TreeNode } from "../../core/tree/mod.ts";
import { fsck, gc, Store, StoreError, storeDir } from "../../core/store/mod.ts";
import { COMPRESSED_TAG, fromObjectFile, toObjectFile } from "../../core/store/object-file.ts";
import { meta, tempStore } from "./support.ts";

function sample(): DirNode {
  const page = new Uint8Array(4096);
  for (let i = 0; i < page.length; i++) page[i] = (i * 7919) & 0xff;
  return treeFromPaths([
    ["etc/hostname", blob("fx86\n")],
    ["empty", EMPTY_DIR],
    ["mem/000", blob(new Uint8Array(4096))],
    ["mem/001", blob(page)],
    ["same/a", blob("x")],
    ["same/b", blob("x")],
    ["unicode/\u00e9t\u00e9", blob("")],
  ]);
}

function throwsStore(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StoreError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    return true;
  });
}

test("store: a tree round-trips and each node is stored once", () => {
  const store = Store.open(tempStore(), { write: true });
  const tree = sample();
  const first = store.putTree(tree);
  // Nodes: root, etc, hostname, empty, mem, 000, 001, same, x (shared), unicode, the empty blob.
  assert.equal(first.objects, 11);
  assert.deepEqual(store.putTree(tree), { objects: 0, bytes: 0 });
  // A second handle (another process) also finds everything present.
  const again = Store.open(store.dir, { write: true });
  assert.deepEqual(again.putTree(tree), { objects: 0, bytes: 0 });
  const loaded = again.getTree(tree.hash);
  assert.equal(loaded.hash, tree.hash);
  assert.deepEqual(encode(loaded), encode(tree));
});

test("store: object files are the encoding, or Z + zlib when that is smaller", () => {
  const zeros = encode(blob(new Uint8Array(4096)));
  const z = toObjectFile(zeros);
  assert.equal(z[0], COMPRESSED_TAG);
  assert.ok(z.length < 100, `a zero page takes ${z.length} bytes`);
  assert.deepEqual(fromObjectFile(z), zeros);
  const noise = encode(blob(crypto.getRandomValues(new Uint8Array(4096))));
  assert.equal(toObjectFile(noise), noise);
  const tiny = encode(blob("hello"));
  assert.equal(toObjectFile(tiny), tiny);
});

test("store: a 50 000-deep chain is written and loaded without recursion", () => {
  let tree: TreeNode = blob("bottom");
  for (let i = 0; i < 50_000; i++) tree = dirFromEntries([["d", tree]]);
  const store = Store.open(tempStore(), { write: true });
  assert.equal(store.putTree(tree).objects, 50_001);
  assert.equal(store.getTree(tree.hash).hash, tree.hash);
});

test("store: a small change writes only the path to it", () => {
  const store = Store.open(tempStore(), { write: true });
  const tree = sample();
  store.putTree(tree);
  const changed = set(tree, "mem/001", blob("changed"));
  assert.equal(store.putTree(changed).objects, 3); // the blob, mem, the root
});

test("store: corrupt and missing objects are reported with their hash and the snapshot", () => {
  const store = Store.open(tempStore(), { write: true });
  const tree = sample();
  store.putTree(tree);
  store.putSnapshot("s1", meta(tree));
  const victim = tree.get("etc")!;
  const path = store.objectPath(victim.hash);
  const good = readFileSync(path);
  writeFileSync(path, "D garbage");
  throwsStore(() => store.loadSnapshot("s1"), "corrupt", new RegExp(`^snapshot s1 needs object ${victim.hash}, which is corrupt\\.$`));
  const r = fsck(store);
  assert.equal(r.problems.length, 1);
  assert.deepEqual(r.problems[0].snapshots, ["s1"]);
  assert.match(r.problems[0].message, new RegExp(`object ${victim.hash} is corrupt.*needed by snapshot s1`));
  rmSync(path);
  throwsStore(() => store.loadSnapshot("s1"), "missing", new RegExp(`snapshot s1 needs object ${victim.hash}, which is missing`));
  assert.match(fsck(store).problems[0].message, new RegExp(`object ${victim.hash} is missing.*needed by snapshot s1`));
  writeFileSync(path, good);
  assert.deepEqual(fsck(store).problems, []);
  // A compressed object whose zlib stream is damaged.
  const zeroPage = blob(new Uint8Array(4096)).hash;
  writeFileSync(store.objectPath(zeroPage), Uint8Array.of(COMPRESSED_TAG, 1, 2, 3));
  throwsStore(() => store.loadSnapshot("s1"), "corrupt", new RegExp(zeroPage));
});

test("store: snapshots are listed, shown, replaced and removed; bad names are refused", () => {
  const store = Store.open(tempStore(), { write: true });
  const tree = sample();
  store.putTree(tree);
  store.putSnapshot("b", meta(tree));
  store.putSnapshot("a.1_x-y", meta(tree));
  assert.deepEqual(store.snapshotNames(), ["a.1_x-y", "b"]);
  assert.equal(store.getSnapshot("b").root, tree.hash);
  store.removeSnapshot("b");
  assert.deepEqual(store.snapshotNames(), ["a.1_x-y"]);
  throwsStore(() => store.getSnapshot("b"), "no-snapshot", /^there is no snapshot named b in /);
  throwsStore(() => store.removeSnapshot("b"), "no-snapshot", /no snapshot named b/);
  for (const bad of ["", "../x", ".hidden", "a/b", "a:b", "x".repeat(129)]) {
    throwsStore(() => store.putSnapshot(bad, meta(tree)), "bad-name", /is not a valid snapshot name/);
  }
  writeFileSync(store.snapshotPath("broken"), "{");
  throwsStore(() => store.getSnapshot("broken"), "bad-snapshot", /snapshot broken is damaged/);
});

test("store: gc removes what no snapshot reaches, keeps recent objects and what they reach", () => {
  const store = Store.open(tempStore(), { write: true });
  const kept = sample();
  const dropped = set(kept, "etc/hostname", blob("other\n"));
  store.putTree(kept);
  store.putTree(dropped);
  store.putSnapshot("kept", meta(kept));
  // Everything is recent: a one-hour grace period keeps it all. What the
  // snapshot reaches counts as reachable, young as it is; only the three
  // objects nothing reaches are kept for their age.
  const total = [...store.objectHashes()].length;
  assert.deepEqual(gc(store, { graceMs: 3_600_000 }), { removed: 0, reachable: total - 3, recent: 3, temporary: 0 });
  // Age every object, then make only the unreachable root recent: it and all below stay.
  const old = new Date(Date.now() - 7_200_000);
  for (const h of store.objectHashes()) utimesSync(store.objectPath(h), old, old);
  const recent = new Date(Date.now() - 1000);
  utimesSync(store.objectPath(dropped.hash), recent, recent);
  assert.equal(gc(store, { graceMs: 3_600_000 }).removed, 0);
  // With no grace period the unreachable root, etc and hostname go.
  mkdirSync(join(store.dir, "tmp"), { recursive: true });
  writeFileSync(join(store.dir, "tmp", "leftover"), "x");
  utimesSync(join(store.dir, "tmp", "leftover"), old, old);
  const r = gc(store, { graceMs: 0 });
  assert.equal(r.removed, 3);
  assert.equal(r.temporary, 1);
  assert.equal(store.loadSnapshot("kept").tree.hash, kept.hash);
  assert.equal(storeHas(store, dropped.hash), false);
  assert.deepEqual(fsck(store).problems, []);
});

/** A fresh handle's view (the old handle remembers what it wrote). */
function storeHas(store: Store, hash: string): boolean {
  return Store.open(store.dir).has(hash);
}

test("store: a directory that is not a store, no store, another version", () => {
  const dir = tempStore();
  throwsStore(() => Store.open(dir), "no-store", /^there is no fx86 store at /);
  mkdirSync(dir);
  writeFileSync(join(dir, "notes.txt"), "mine");
  throwsStore(() => Store.open(dir, { write: true }), "not-a-store", /is not an fx86 store \(it has no fx86-store.json\)\.$/);
  throwsStore(() => Store.open(join(dir, "notes.txt")), "not-a-store", /it is a file/);
  const other = tempStore();
  Store.open(other, { write: true });
  writeFileSync(join(other, "fx86-store.json"), JSON.stringify({ format: "fx86-store", version: 99 }));
  throwsStore(() => Store.open(other), "version", /format version 99, but this fx86 reads version 1/);
  // An empty directory becomes a store.
  const empty = tempStore();
  mkdirSync(empty);
  Store.open(empty, { write: true });
  assert.equal(JSON.parse(readFileSync(join(empty, "fx86-store.json"), "utf8")).version, 1);
});

test("store: the location is --store, else $FX86_HOME, else .fx86", () => {
  assert.equal(storeDir("s", { FX86_HOME: "/h" }, "/w"), "/w/s");
  assert.equal(storeDir(undefined, { FX86_HOME: "/h" }, "/w"), "/h");
  assert.equal(storeDir(undefined, {}, "/w"), "/w/.fx86");
});
