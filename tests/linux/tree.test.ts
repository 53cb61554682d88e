/**
 * The file system as a data tree: getTree/setTree, lazy materialisation,
 * copy-on-write contents, cache invalidation, names.
 */
import { assert, test } from "../harness.ts";
import {
  blob,
  type BlobNode,
  dirFromEntries,
  type DirNode as TreeDir,
  EMPTY_DIR,
  hashStats,
  type TreeNode,
  treeFromPaths,
} from "../../core/tree/mod.ts";
import { FileSystem } from "../../core/linux/fs/filesystem.ts";
import { fsMeta } from "../../core/linux/fs/meta.ts";
import type { FileNode } from "../../core/linux/fs/node.ts";
import { standardLayout } from "../../core/linux/fs/layout.ts";
import { toFsName, toTreeName } from "../../core/linux/fs/treenames.ts";
import { EINVAL, ENOENT, ENOTDIR } from "../../core/linux/errno.ts";
import {
  O_APPEND,
  O_CREAT,
  O_DIRECTORY,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
} from "../../core/linux/files.ts";
import { dec, enc, Sys } from "./sys.ts";
import { Rng, treeOpCall } from "./treesupport.ts";

/** The errno a call throws (FsError), or 0 if it returns. */
function errno(f: () => unknown): number {
  try {
    f();
  } catch (e) {
    return (e as { errno: number }).errno;
  }
  return 0;
}

/** A directory of `n` files f00000… with distinct contents. */
function bigDir(n: number): TreeDir {
  return dirFromEntries(
    Array.from({ length: n }, (_, i) => [
      `f${String(i).padStart(5, "0")}`,
      blob(`file ${i}\n`),
    ]),
  );
}

function hashes<T>(f: () => T): { value: T; blobs: number; dirs: number } {
  const b = hashStats.blobs, d = hashStats.dirs;
  const value = f();
  return { value, blobs: hashStats.blobs - b, dirs: hashStats.dirs - d };
}

/** What a file system's caches should say, computed from scratch on a copy. */
function fresh(fs: FileSystem): { tree: string; meta: string } {
  const copy = FileSystem.load(fs.dump());
  return {
    tree: copy.getTree("/").hash,
    meta: dec.decode(fsMeta(copy).bytes),
  };
}

function assertCachesFresh(fs: FileSystem, what: string): void {
  const want = fresh(fs);
  assert.equal(fs.getTree("/").hash, want.tree, `tree after ${what}`);
  assert.equal(dec.decode(fsMeta(fs).bytes), want.meta, `fsmeta after ${what}`);
}

test("tree: getTree reflects files and directories, leaves out links and devices", () => {
  const fs = new FileSystem();
  standardLayout(fs);
  fs.writeFile("/etc/hostname", enc.encode("fx86\n"));
  fs.symlink("hostname", "/etc/name");
  fs.mkdirp("/empty");
  const root = fs.getTree("/") as TreeDir;
  assert.deepEqual(root.names, ["dev", "empty", "etc", "tmp"]);
  assert.equal((root.get("dev") as TreeDir).size, 0, "devices are not in the tree");
  const etc = root.get("etc") as TreeDir;
  assert.deepEqual(etc.names, ["hostname"], "symbolic links are not in the tree");
  assert.equal(dec.decode((etc.get("hostname") as BlobNode).bytes), "fx86\n");
  assert.equal(fs.getTree("/etc"), etc, "a subtree is the same node as in the root's tree");
  assert.equal(fs.getTree("/etc/hostname"), etc.get("hostname"));
});

test("tree: getTree paths resolve like system calls", () => {
  const fs = new FileSystem();
  fs.writeFile("/etc/hostname", enc.encode("fx86\n"));
  fs.symlink("/etc", "/link");
  fs.symlink("hostname", "/etc/name");
  const etc = fs.getTree("/etc");
  assert.equal(fs.getTree("/link/hostname"), fs.getTree("/etc/hostname"), "links followed inside the path");
  assert.equal(fs.getTree("etc", fs.root), etc, "relative to the start directory");
  assert.equal(fs.getTree("hostname", fs.find("/etc")!.ino).kind, "blob");
  assert.equal(fs.getTree("/etc/../etc/./"), etc);
  assert.equal(errno(() => fs.getTree("/link")), EINVAL, "a link in the last component is not followed");
  assert.equal(errno(() => fs.getTree("/etc/name")), EINVAL);
  assert.equal(errno(() => fs.getTree("/nope")), ENOENT);
  assert.equal(errno(() => fs.getTree("/etc/hostname/x")), ENOTDIR);
  assert.equal(errno(() => fs.getTree("")), ENOENT);
});

test("tree: getTree is O(1) when nothing changed, and rebuilds only the changed path", () => {
  const fs = new FileSystem();
  fs.setTree("/data", bigDir(10_000));
  fs.writeFile("/a/b/c/file", enc.encode("x"));
  fs.find("/data/f00007"); // materialise /data: 10 000 nodes
  const first = fs.getTree("/");
  first.hash;
  const again = hashes(() => fs.getTree("/").hash);
  assert.equal(fs.getTree("/"), first, "same object");
  assert.deepEqual([again.blobs, again.dirs], [0, 0], "nothing hashed");

  // One small file changes deep down: the path up is rebuilt and re-hashed.
  const s = new Sys({ fs });
  const fd = s.open("/a/b/c/file", O_WRONLY | O_APPEND);
  assert.equal(s.write(fd, "y"), 1);
  const after = hashes(() => fs.getTree("/").hash);
  assert.deepEqual([after.blobs, after.dirs], [1, 4], "one blob, /a/b/c, /a/b, /a and /");
  const root = fs.getTree("/") as TreeDir;
  assert.equal(root.get("data"), (first as TreeDir).get("data"), "the big directory is shared");

  // A change in the big directory rebuilds it (its entries, no hashing of files).
  assert.equal(s.write(s.open("/data/f00003", O_WRONLY | O_TRUNC), "new"), 3);
  const big = hashes(() => fs.getTree("/").hash);
  assert.deepEqual([big.blobs, big.dirs], [1, 2], "one blob, /data and /");

  // Timing: 10 000 getTree calls of the unchanged 10 001-file tree.
  const t0 = performance.now();
  for (let i = 0; i < 10_000; i++) fs.getTree("/");
  const perCall = (performance.now() - t0) / 10_000;
  assert.ok(perCall < 0.05, `getTree of an unchanged tree took ${perCall} ms`);
});

test("tree: setTree is O(1); directories materialise on first use, in tree order", () => {
  const big = bigDir(10_000);
  const tree = treeFromPaths([
    ["data", big],
    ["etc/hostname", blob("fx86\n")],
    ["etc/motd", blob("hi\n")],
  ]);
  const fs = new FileSystem();
  fs.mkdirp("/guests");
  const before = fs.nodes.size;
  const t0 = performance.now();
  const node = fs.setTree("/guests/child", tree);
  const ms = performance.now() - t0;
  assert.ok(ms < 20, `setTree took ${ms} ms`);
  assert.equal(fs.nodes.size, before + 1, "one node for the whole tree");
  assert.equal(node.kind, "dir");
  assert.equal(fs.getTree("/guests/child"), tree, "the tree set is the tree got");
  assert.equal(node.nlink, 4, "2 + data and etc, without materialising");

  // Looking up /guests/child/etc/motd materialises child and etc, not data.
  const motd = fs.find("/guests/child/etc/motd")!;
  assert.equal(fs.nodes.size, before + 1 + 2 + 2);
  const childIno = node.ino;
  assert.deepEqual(
    [fs.find("/guests/child/data")!.ino, fs.find("/guests/child/etc")!.ino],
    [childIno + 1, childIno + 2],
    "inode numbers in tree order",
  );
  assert.equal(motd.ino, childIno + 4, "etc's entries next: hostname, motd");
  assert.equal(motd.mode, 0o644);
  assert.equal(fs.find("/guests/child/etc")!.mode, 0o755);
  assert.equal(fs.getTree("/guests/child"), tree, "materialising changes no tree");
  assert.equal(fs.getTree("/guests/child/data"), big);

  // The same calls give the same inode numbers.
  const again = new FileSystem();
  again.mkdirp("/guests");
  again.setTree("/guests/child", tree);
  assert.equal(again.find("/guests/child/etc/motd")!.ino, motd.ino);

  // rmdir of a lazy directory answers ENOTEMPTY without materialising it.
  const s = new Sys({ fs });
  const nodes = fs.nodes.size;
  assert.equal(s.call("rmdir", s.str("/guests/child/data")), -39 /* ENOTEMPTY */);
  assert.equal(fs.nodes.size, nodes);

  // Setting the tree that is already there changes nothing.
  assert.equal(fs.setTree("/guests/child", tree), node);
  assert.equal(fs.find("/guests/child")!.ino, childIno);
  // Replacing it makes a new node and frees the old subtree.
  const n2 = fs.setTree("/guests/child", blob("now a file"));
  assert.equal(n2.kind, "file");
  assert.equal(fs.nodes.has(childIno), false);
  assert.equal(fs.nodes.has(motd.ino), false);
  assert.equal(fs.nodes.size, before + 1);
});

test("tree: setTree of a directory onto a directory keeps it; twice is the same as once", () => {
  const t1 = treeFromPaths([["a/x", blob("1")]]);
  const t2 = treeFromPaths([["a/y", blob("2")], ["b", blob("3")]]);
  const make = () => {
    const s = new Sys();
    s.fs.mkdirp("/g/child");
    assert.equal(s.call("chmod", s.str("/g/child"), 0o700), 0);
    s.c.icount = 500;
    return s;
  };
  const once = make(), twice = make();
  const ino = once.fs.find("/g/child")!.ino;
  twice.fs.find("/g/child/");
  twice.fs.setTree("/g/child", t1);
  const n = twice.fs.setTree("/g/child", t2);
  once.fs.setTree("/g/child", t2);
  assert.equal(n.ino, ino, "the same inode");
  assert.equal(n.mode, 0o700, "and metadata");
  assert.equal(n.nlink, 3);
  assert.equal(twice.fs.getTree("/g/child"), t2);
  assert.equal(once.fs.getTree("/").hash, twice.fs.getTree("/").hash);
  assert.equal(dec.decode(fsMeta(twice.fs).bytes), dec.decode(fsMeta(once.fs).bytes), "the same metadata");
  assert.equal(twice.fs.nextIno, once.fs.nextIno);
  assertCachesFresh(twice.fs, "replacing a directory's contents");
  // What was materialised below is freed, unless in use.
  const x = twice.fs.find("/g/child/a/y")!.ino;
  const fd = twice.open("/g/child/b", O_RDONLY);
  twice.fs.setTree("/g/child", t1);
  assert.equal(twice.fs.nodes.has(x), false);
  assert.equal(twice.read(fd), "3", "an open file lives on");
  assertCachesFresh(twice.fs, "replacing materialised contents");
});

test("tree: setTree of the root, errors, and a directory in use", () => {
  const s = new Sys();
  s.fs.writeFile("/old/f", enc.encode("old"));
  assert.equal(s.call("chdir", s.str("/old")), 0);
  const tree = treeFromPaths([["new/f", blob("new")]]);
  s.fs.setTree("/", tree);
  assert.equal(s.fs.getTree("/"), tree);
  assert.equal(s.fs.get(s.fs.root).ino, 1, "the root keeps its inode");
  assert.equal(dec.decode(s.fs.readFile("/new/f")), "new");
  assert.equal(s.fs.find("/old"), undefined);
  const buf = s.alloc(64);
  assert.equal(s.call("getcwd", buf, 64), -ENOENT, "the old cwd was removed");
  assert.equal(s.open("x", O_CREAT | O_WRONLY), -ENOENT, "a removed directory takes no entries");
  assert.equal(errno(() => s.fs.setTree("/nope/x", EMPTY_DIR)), ENOENT);
  assert.equal(errno(() => s.fs.setTree("/new/f/x", EMPTY_DIR)), ENOTDIR);
  assert.equal(errno(() => s.fs.setTree("/new/..", EMPTY_DIR)), EINVAL);
  assert.equal(errno(() => s.fs.setTree("/new/g/", blob("x"))), ENOTDIR);
  assert.equal(errno(() => s.fs.setTree("/", blob("x"))), EINVAL);
});

test("tree: file contents are copy-on-write, blobs are never changed", () => {
  const original = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  const b = blob(original);
  const s = new Sys();
  s.fs.setTree("/f", b);
  const f = s.fs.find("/f") as FileNode;
  assert.equal(f.data, original, "the file reads the blob's bytes, no copy");
  assert.equal(s.fs.getTree("/f"), b, "and its tree is the blob");

  const fd = s.open("/f", O_RDWR);
  assert.equal(s.read(fd, 2), "\x01\x02");
  assert.equal(f.data, original, "reading copies nothing");
  assert.equal(s.write(fd, "AB"), 2);
  assert.notEqual(f.data, original, "the first write copies");
  assert.deepEqual([...original], [1, 2, 3, 4, 5, 6, 7, 8], "the blob is unchanged");
  assert.deepEqual([...b.bytes], [1, 2, 3, 4, 5, 6, 7, 8]);
  const b2 = s.fs.getTree("/f") as BlobNode;
  assert.deepEqual([...b2.bytes], [1, 2, 65, 66, 5, 6, 7, 8]);

  // After getTree, appending writes in place (the blob covers only what existed)...
  const buffer = f.data;
  const a = s.open("/f", O_WRONLY | O_APPEND);
  assert.equal(s.write(a, "Z"), 1);
  assert.equal(f.data, buffer, "appending past the shared bytes does not copy");
  assert.deepEqual([...b2.bytes], [1, 2, 65, 66, 5, 6, 7, 8], "the earlier blob is unchanged");
  // ...but changing shared bytes (write, truncate) copies first.
  const b3 = s.fs.getTree("/f") as BlobNode;
  assert.equal(s.call("ftruncate", a, 3), 0);
  assert.notEqual(f.data, buffer);
  assert.deepEqual([...b3.bytes], [1, 2, 65, 66, 5, 6, 7, 8, 90]);
  assert.deepEqual([...(s.fs.getTree("/f") as BlobNode).bytes], [1, 2, 65]);
  assert.deepEqual([...s.fs.readFile("/f")], [1, 2, 65]);

  // Unchanged contents keep their blob (and hash) across getTree calls.
  const b4 = s.fs.getTree("/f");
  b4.hash;
  assert.equal(s.fs.getTree("/f"), b4);
  assert.equal(s.call("fchmod", a, 0o600), 0);
  assert.equal(s.fs.getTree("/f"), b4, "chmod changes metadata, not contents");
});

test("tree: caches are dropped by every change (random system calls and Fx86 operations)", () => {
  const succeeded = new Map<string, number>();
  for (let seed = 1; seed <= 12; seed++) {
    const rng = new Rng(seed);
    const s = new Sys();
    standardLayout(s.fs);
    s.fs.setTree(
      "/t",
      treeFromPaths([
        ["a/x", blob("ax")],
        ["a/y", blob("ay")],
        ["b/c/z", blob("z")],
        ["top", blob("top")],
      ]),
    );
    const names = ["/t", "/t/a", "/t/a/x", "/t/b", "/t/b/c", "/t/b/c/z", "/t/top", "/d", "/d/e", "/f", "/t/a/y", "/tmp/h", "/t/b/n"];
    const pick = () => rng.pick(names);
    const fds: number[] = [];
    const ops: [string, () => number][] = [
      ["open", () => {
        const fd = s.open(pick(), rng.pick([O_RDONLY, O_WRONLY | O_CREAT, O_RDWR | O_APPEND, O_WRONLY | O_TRUNC, O_RDONLY | O_DIRECTORY]), rng.pick([0o644, 0o600, 0o755]));
        if (fd >= 0) fds.push(fd);
        return fd;
      }],
      ["pwrite", () => fds.length ? s.call("pwrite64", rng.pick(fds), s.data("hello world"), 1 + rng.int(11), rng.int(20), 0) : -1],
      ["write", () => fds.length ? s.write(rng.pick(fds), "data".repeat(1 + rng.int(3))) : -1],
      ["ftruncate", () => fds.length ? s.call("ftruncate", rng.pick(fds), rng.int(10)) : -1],
      ["truncate", () => s.call("truncate", s.str(pick()), rng.int(10))],
      ["close", () => fds.length ? s.call("close", fds.splice(rng.int(fds.length), 1)[0]) : -1],
      ["mkdir", () => s.call("mkdir", s.str(pick()), 0o755)],
      ["rmdir", () => s.call("rmdir", s.str(pick()))],
      ["unlink", () => s.call("unlink", s.str(pick()))],
      ["rename", () => s.call("rename", s.str(pick()), s.str(pick()))],
      ["exchange", () => s.call("renameat2", -100, s.str(pick()), -100, s.str(pick()), 2)],
      ["link", () => s.call("link", s.str(pick()), s.str(rng.pick(["/f", "/t/b/n", "/d/e", "/t/b/c/z"])))],
      ["symlink", () => s.call("symlink", s.str(pick()), s.str(pick()))],
      ["chmod", () => s.call("chmod", s.str(pick()), rng.pick([0o700, 0o755, 0o644, 0o4755]))],
      ["chown", () => s.call("lchown32", s.str(pick()), rng.pick([0, 1000, 5]), rng.pick([0, 1000, 7]))],
      ["utimes", () => s.call("utimes", s.str(pick()), 0)],
      ["utimensat", () => {
        const t = s.data(new Uint8Array(new Int32Array([rng.int(1e6), 5, rng.int(1e6), 7]).buffer));
        return s.call("utimensat", -100, s.str(pick()), t, 0x100);
      }],
      ["chdir", () => s.call("chdir", s.str(rng.pick(["/", "/t", "/d", "/t/a"])))],
      ["getdents", () => {
        const fd = s.open(pick(), O_RDONLY | O_DIRECTORY);
        if (fd >= 0) s.call("getdents64", fd, s.alloc(256), 256), s.call("close", fd);
        return fd;
      }],
      ["fx86 write", () => treeOpCall(s, 2, [s.str(pick()), s.data("xyz"), 3, rng.int(6)])],
      ["fx86 replace", () => treeOpCall(s, 3, [s.str(pick()), s.data("replaced"), rng.int(9)])],
      ["fx86 copy", () => treeOpCall(s, 6, [s.str(pick()), s.str(pick())])],
      ["fx86 remove", () => treeOpCall(s, 7, [s.str(pick())])],
      ["fx86 mkdir", () => treeOpCall(s, 8, [s.str(pick()), rng.int(2)])],
      ["setTree", () => {
        try {
          s.fs.setTree(pick(), rng.pick<TreeNode>([blob("set"), EMPTY_DIR, treeFromPaths([["q/r", blob("qr")]])]));
          return 0;
        } catch {
          return -1;
        }
      }],
    ];
    for (let step = 0; step < 200; step++) {
      s.c.icount += 1 + rng.int(1000);
      // Fill some caches, so that a missing invalidation would show.
      const fill = rng.int(4);
      if (fill & 1) s.fs.getTree("/");
      if (fill & 2) fsMeta(s.fs);
      const [name, op] = rng.pick(ops);
      if (op() >= 0) succeeded.set(name, (succeeded.get(name) ?? 0) + 1);
      assertCachesFresh(s.fs, `step ${step} (${name}), seed ${seed}`);
    }
  }
  for (const name of ["open", "pwrite", "write", "ftruncate", "truncate", "mkdir", "rmdir", "unlink", "rename", "exchange", "link", "symlink", "chmod", "chown", "utimes", "utimensat", "fx86 write", "fx86 replace", "fx86 copy", "fx86 remove", "fx86 mkdir", "setTree"]) {
    assert.ok((succeeded.get(name) ?? 0) >= 5, `${name} succeeded ${succeeded.get(name) ?? 0} times`);
  }
});

test("tree: each kind of change drops the caches it must", () => {
  const cases: [string, (s: Sys) => number][] = [
    ["write", (s) => s.write(s.open("/d/f", O_WRONLY), "new")],
    ["O_TRUNC", (s) => s.open("/d/f", O_WRONLY | O_TRUNC)],
    ["truncate", (s) => s.call("truncate", s.str("/d/f"), 2)],
    ["create", (s) => s.open("/d/new", O_WRONLY | O_CREAT, 0o600)],
    ["mkdir", (s) => s.call("mkdir", s.str("/d/sub/x"), 0o700)],
    ["rmdir", (s) => s.call("rmdir", s.str("/d/sub/empty"))],
    ["unlink", (s) => s.call("unlink", s.str("/d/f"))],
    ["unlink a hard link", (s) => s.call("unlink", s.str("/e/hard"))],
    ["rename a file", (s) => s.call("rename", s.str("/d/f"), s.str("/e/g"))],
    ["rename a directory", (s) => s.call("rename", s.str("/d/sub"), s.str("/e/sub2"))],
    ["rename in place", (s) => s.call("rename", s.str("/d/sub"), s.str("/d/sub3"))],
    ["exchange", (s) => s.call("renameat2", -100, s.str("/d/sub"), -100, s.str("/e"), 2)],
    ["link", (s) => s.call("link", s.str("/d/f"), s.str("/d/sub/f2"))],
    ["symlink", (s) => s.call("symlink", s.str("f"), s.str("/d/sub/l"))],
    ["chmod a directory", (s) => s.call("chmod", s.str("/d/sub"), 0o700)],
    ["chmod a hard-linked file", (s) => s.call("chmod", s.str("/e/hard"), 0o600)],
    ["chown a symlink", (s) => s.call("lchown32", s.str("/d/link"), 5, 5)],
    ["utimes", (s) => s.call("utimes", s.str("/d/sub/empty"), 0)],
    ["write to a lazy file", (s) => s.write(s.open("/lazy/x/y", O_WRONLY), "!")],
    ["create in a lazy directory", (s) => s.open("/lazy/x/new", O_WRONLY | O_CREAT)],
    ["fx86 remove", (s) => treeOpCall(s, 7, [s.str("/d")])],
    ["fx86 copy", (s) => treeOpCall(s, 6, [s.str("/lazy"), s.str("/d/sub/copy")])],
    ["setTree", (s) => (s.fs.setTree("/d/sub/empty", blob("now a file")), 0)],
  ];
  for (const [name, change] of cases) {
    for (const fill of [1, 2, 3]) {
      const s = new Sys();
      s.fs.writeFile("/d/f", enc.encode("contents"));
      s.fs.mkdirp("/d/sub/empty");
      s.fs.mkdirp("/e");
      s.fs.writeFile("/e/hardsrc", enc.encode("h"));
      assert.equal(s.call("link", s.str("/e/hardsrc"), s.str("/e/hard")), 0);
      s.fs.symlink("f", "/d/link");
      s.fs.setTree("/lazy", treeFromPaths([["x/y", blob("y")]]));
      s.c.icount = 1000;
      if (fill & 1) s.fs.getTree("/");
      if (fill & 2) fsMeta(s.fs);
      s.c.icount = 2000;
      assert.ok(change(s) >= 0, `${name} succeeds`);
      assertCachesFresh(s.fs, `${name} (caches filled: ${fill})`);
    }
  }
});

test("tree: names convert between bytes and UTF-8, escaping what is not UTF-8", () => {
  assert.equal(toTreeName("abc"), "abc");
  assert.equal(toTreeName("caf\xc3\xa9"), "café");
  assert.equal(toFsName("café"), "caf\xc3\xa9");
  assert.equal(toTreeName("a\xff"), "\uFFFD61ff");
  assert.equal(toFsName("\uFFFD61ff"), "a\xff");
  assert.equal(toTreeName("\xef\xbf\xbdx"), "\uFFFDefbfbd78", "valid names starting with U+FFFD are escaped too");
  assert.equal(toFsName("\uFFFDefbfbd78"), "\xef\xbf\xbdx");
  assert.equal(toFsName("\uFFFDzz"), "\xef\xbf\xbdzz", "not an escape: its UTF-8 bytes");
  assert.equal(toFsName("\uFFFD2f"), "\xef\xbf\xbd2f", "an escape of a byte that is not in names is not one");
  const long = "\xff".repeat(200);
  const t = toTreeName(long);
  assert.ok(new TextEncoder().encode(t).length <= 255);
  assert.ok(t.includes("~"));
  assert.notEqual(toFsName(t), long, "long escapes need fsmeta to go back");
  for (const name of ["\x80", "\xc3", "\xed\xa0\x80", "\xc0\xaf", "ok\xfe\xff", "x".repeat(255)]) {
    const tn = toTreeName(name);
    assert.equal(toFsName(tn), name, JSON.stringify(name));
  }

  const s = new Sys();
  const bad = new Uint8Array([0x62, 0x61, 0x64, 0xff, 0]); // "bad\xff"
  const fd = s.call("open", s.data(bad), O_CREAT | O_WRONLY, 0o644);
  assert.ok(fd >= 0);
  s.write(fd, "content");
  const root = s.fs.getTree("/") as TreeDir;
  assert.deepEqual(root.names, ["\uFFFD626164ff"]);
  const copy = new Sys();
  copy.fs.setTree("/", root);
  const fd2 = copy.call("open", copy.data(bad), O_RDONLY);
  assert.ok(fd2 >= 0, "the escaped name is the same bytes again");
  assert.equal(copy.read(fd2), "content");
});

test("tree: fsmeta is small when metadata is default", () => {
  const fs = new FileSystem();
  fs.setTree("/data", bigDir(1000));
  assert.ok(fsMeta(fs).size < 120, dec.decode(fsMeta(fs).bytes));
  fs.find("/data/f00001");
  // Materialised with default metadata: an inode number per entry.
  const text = dec.decode(fsMeta(fs).bytes);
  assert.ok(text.includes('"f00000":3,"f00001":4'), text.slice(0, 200));
  assert.ok(fsMeta(fs).size < 1000 * 16 + 200, `${fsMeta(fs).size} bytes`);
  assert.equal(fsMeta(fs), fsMeta(fs), "unchanged: the same blob");
});
