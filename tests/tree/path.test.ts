import { assert, test } from "../harness.ts";
import {
  blob,
  checkName,
  copy,
  type DirNode,
  EMPTY_DIR,
  get,
  has,
  list,
  mkdir,
  parsePath,
  readBlob,
  remove,
  set,
  stat,
  TreeError,
  treeFromPaths,
  writeBlob,
} from "../../core/tree/mod.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

/** Asserts that `fn` throws a TreeError with `code` and a one-sentence message. */
function throwsCode(fn: () => unknown, code: string) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TreeError, `expected a TreeError, got ${e}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, /^[A-Z"].*\.$/, "one sentence");
    return true;
  });
}

function sample(): DirNode {
  return treeFromPaths([
    ["etc/hostname", blob("fx86\n")],
    ["etc/motd", blob("hi")],
    ["bin/sh", blob("ELF")],
    ["tmp", EMPTY_DIR],
  ]);
}

test("path: parse", () => {
  assert.deepEqual(parsePath(""), []);
  assert.deepEqual(parsePath("/"), []);
  assert.deepEqual(parsePath("/a/b"), ["a", "b"]);
  assert.deepEqual(parsePath("a/b"), ["a", "b"]);
  assert.deepEqual(parsePath(["a", "b"]), ["a", "b"]);
  for (const bad of ["a//b", "a/", "//a", "a/./b", "../a", "a/\0", "\uD800"]) {
    throwsCode(() => parsePath(bad), "bad-path");
  }
  throwsCode(() => parsePath(["a/b"]), "bad-path");
  throwsCode(() => checkName("."), "bad-path");
});

test("path: get, has, list, stat", () => {
  const root = sample();
  assert.equal(
    text((get(root, "etc/hostname") as ReturnType<typeof blob>).bytes),
    "fx86\n",
  );
  assert.equal(get(root, ""), root);
  assert.equal(get(root, ["etc", "motd"]), get(root, "/etc/motd"));
  assert.equal(has(root, "etc/motd"), true);
  assert.equal(has(root, "etc/nope"), false);
  assert.equal(has(root, "etc/motd/x"), false);
  assert.deepEqual(list(root, "etc"), [
    { name: "hostname", kind: "blob", size: 5 },
    { name: "motd", kind: "blob", size: 2 },
  ]);
  assert.deepEqual(list(root, "").map((e) => `${e.name}:${e.kind}:${e.size}`), [
    "bin:dir:1",
    "etc:dir:2",
    "tmp:dir:0",
  ]);
  const s = stat(root, "etc/motd");
  assert.deepEqual(s, { kind: "blob", size: 2, hash: blob("hi").hash });
  assert.equal(stat(root, "").hash, root.hash);
});

test("path: errors name the path", () => {
  const root = sample();
  throwsCode(() => get(root, "etc/nope"), "not-found");
  throwsCode(() => get(root, "nope/x"), "not-found");
  throwsCode(() => get(root, "etc/motd/x"), "not-a-directory");
  throwsCode(() => get(blob("x"), "a"), "not-a-directory");
  throwsCode(() => list(root, "etc/motd"), "not-a-directory");
  throwsCode(() => set(root, "etc/motd/x", blob("")), "not-a-directory");
  throwsCode(() => set(root, "var/log/x", blob("")), "not-found");
  throwsCode(() => set(root, "", EMPTY_DIR), "bad-path");
  throwsCode(() => remove(root, "etc/nope"), "not-found");
  throwsCode(() => remove(root, "/"), "bad-path");
  throwsCode(() => mkdir(root, "etc"), "exists");
  throwsCode(() => mkdir(root, "etc/motd", { parents: true }), "exists");
  throwsCode(() => mkdir(root, "a/b"), "not-found");
  throwsCode(() => readBlob(root, "etc"), "is-a-directory");
  throwsCode(() => writeBlob(root, "etc", 0, bytes("x")), "is-a-directory");
  throwsCode(() => copy(root, "nope", "x"), "not-found");
  throwsCode(
    () => treeFromPaths([["a", blob("")], ["a/b", blob("")]]),
    "exists",
  );
  throwsCode(
    () => treeFromPaths([["a/b", blob("")], ["a", blob("")]]),
    "exists",
  );
  assert.throws(() => get(root, "etc/nope"), {
    message: `"etc/nope" does not exist.`,
  });
});

test("path: set re-creates only the directories on the path", () => {
  const root = sample();
  const r2 = set(root, "etc/hostname", blob("other\n"));
  assert.notEqual(r2, root);
  assert.notEqual(get(r2, "etc"), get(root, "etc"));
  assert.equal(
    get(r2, "bin"),
    get(root, "bin"),
    "unchanged subtree is the same object",
  );
  assert.equal(get(r2, "tmp"), get(root, "tmp"));
  assert.equal(get(r2, "etc/motd"), get(root, "etc/motd"));
  assert.equal(
    text(readBlob(root, "etc/hostname")),
    "fx86\n",
    "the old root is intact",
  );
  assert.equal(
    set(root, "bin/sh", get(root, "bin/sh")),
    root,
    "no-op set returns the same root",
  );
  const r3 = set(root, "var/log/messages", blob("boot"), { parents: true });
  assert.equal(text(readBlob(r3, "var/log/messages")), "boot");
  assert.equal(get(r3, "etc"), get(root, "etc"));
});

test("path: mkdir, remove, copy, readBlob, writeBlob", () => {
  const root = sample();
  const r1 = mkdir(root, "home/user", { parents: true });
  assert.deepEqual(list(r1, "home/user"), []);
  assert.equal(
    mkdir(r1, "home", { parents: true }),
    r1,
    "mkdir -p on a directory is a no-op",
  );
  const r2 = remove(r1, "etc");
  assert.equal(has(r2, "etc"), false);
  assert.equal(has(r1, "etc/motd"), true);
  const r3 = copy(root, "etc", "backup/etc", { parents: true });
  assert.equal(
    get(r3, "backup/etc"),
    get(root, "etc"),
    "copy is O(1): the same node",
  );
  const r4 = copy(root, "", "etc/self");
  assert.equal(
    get(r4, "etc/self"),
    root,
    "copying the root into itself keeps the old version",
  );
  assert.equal(text(readBlob(root, "etc/hostname", 1, 2)), "x8");
  const r5 = writeBlob(root, "etc/hostname", 4, bytes("!\n"));
  assert.equal(text(readBlob(r5, "etc/hostname")), "fx86!\n");
  const r6 = writeBlob(root, "log/new", 2, bytes("z"), { parents: true });
  assert.deepEqual([...readBlob(r6, "log/new")], [0, 0, 122]);
});

test("path: treeFromPaths equals the same tree built by set", () => {
  let bySet = EMPTY_DIR;
  const entries: [string, ReturnType<typeof blob>][] = [];
  for (let i = 0; i < 300; i++) {
    const path = `d${i % 7}/e${i % 13}/f${i}`;
    entries.push([path, blob(String(i))]);
    bySet = set(bySet, path, blob(String(i)), { parents: true });
  }
  assert.equal(treeFromPaths(entries).hash, bySet.hash);
});
