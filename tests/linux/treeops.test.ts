/** The Fx86 data-tree instructions (docs/abi.md) on the guest's file system. */
import { assert, test } from "../harness.ts";
import { blob, type DirNode as TreeDir, treeFromPaths } from "../../core/tree/mod.ts";
import { EAX, EBX, EDI, EDX, ESI } from "../../core/cpu/state.ts";
import { GuestFault } from "../../core/fault.ts";
import {
  EACCES,
  EEXIST,
  EFAULT,
  EINVAL,
  EISDIR,
  ENAMETOOLONG,
  ENOENT,
  ENOTDIR,
  EPERM,
} from "../../core/linux/errno.ts";
import { O_CREAT, O_RDONLY, O_RDWR } from "../../core/linux/files.ts";
import { standardLayout } from "../../core/linux/fs/layout.ts";
import type { DirNode } from "../../core/linux/fs/node.ts";
import {
  FX86_COPY,
  FX86_LIST,
  FX86_MKDIR,
  FX86_READ,
  FX86_REMOVE,
  FX86_REPLACE,
  FX86_STAT,
  FX86_WRITE,
  getTreeAt,
  readPath,
  setTreeAt,
  treeOp,
} from "../../core/linux/treeops.ts";
import { dec, enc, READONLY, Sys, UNMAPPED } from "./sys.ts";
import { treeOpCall as op } from "./treesupport.ts";

function guest(): Sys {
  const s = new Sys();
  standardLayout(s.fs);
  s.fs.writeFile("/data/hello", enc.encode("hello, world"));
  s.fs.mkdirp("/guests");
  s.fs.symlink("data/hello", "/link");
  return s;
}

test("treeops: READ reads a blob at an offset", () => {
  const s = guest();
  const buf = s.alloc(64);
  assert.equal(op(s, FX86_READ, [s.str("/data/hello"), buf, 5, 0]), 5);
  assert.equal(s.text(buf, 5), "hello");
  assert.equal(op(s, FX86_READ, [s.str("data/hello"), buf, 64, 7]), 5, "relative to cwd; fewer at the end");
  assert.equal(s.text(buf, 5), "world");
  assert.equal(op(s, FX86_READ, [s.str("/data/hello"), buf, 64, 12]), 0, "at the end");
  assert.equal(op(s, FX86_READ, [s.str("/data/hello"), buf, 64, 0xffffffff]), 0, "past the end");
  assert.equal(op(s, FX86_READ, [s.str("/data"), buf, 64, 0]), -EISDIR);
  assert.equal(op(s, FX86_READ, [s.str("/link"), buf, 64, 0]), -EINVAL, "a link in the last component is not followed");
  assert.equal(op(s, FX86_READ, [s.str("/dev/null"), buf, 64, 0]), -EINVAL, "devices are not in the tree");
  assert.equal(op(s, FX86_READ, [s.str("/nope"), buf, 64, 0]), -ENOENT);
  assert.equal(op(s, FX86_READ, [s.str("/data/hello/x"), buf, 64, 0]), -ENOTDIR);
  assert.equal(op(s, FX86_READ, [s.str("/data/hello"), UNMAPPED, 64, 0]), -EFAULT);
  assert.equal(op(s, FX86_READ, [s.str("/data/hello"), READONLY, 64, 0]), -EFAULT);
  assert.equal(op(s, FX86_READ, [UNMAPPED, buf, 64, 0]), -EFAULT, "a bad path pointer");
  assert.equal(op(s, FX86_READ, [s.str("/" + "x".repeat(5000)), buf, 1, 0]), -ENAMETOOLONG);
  assert.equal(op(s, FX86_READ, [s.str(""), buf, 1, 0]), -ENOENT);
  // Permissions as for read(2).
  assert.equal(s.call("chmod", s.str("/data/hello"), 0o200), 0);
  assert.equal(op(s, FX86_READ, [s.str("/data/hello"), buf, 5, 0]), -EACCES);
  assert.equal(s.call("chmod", s.str("/data"), 0o600), 0);
  assert.equal(op(s, FX86_STAT, [s.str("/data/hello"), buf]), -EACCES, "search permission on the way");
});

test("treeops: WRITE and REPLACE create, extend and replace blobs", () => {
  const s = guest();
  const buf = s.alloc(64);
  assert.equal(op(s, FX86_WRITE, [s.str("/data/new"), s.data("abc"), 3, 2]), 3);
  assert.deepEqual([...s.fs.readFile("/data/new")], [0, 0, 97, 98, 99], "zeros before the offset");
  assert.equal(s.fs.find("/data/new")!.mode, 0o644, "0666 & ~umask");
  assert.equal(op(s, FX86_WRITE, [s.str("/data/hello"), s.data("HELLO"), 5, 0]), 5);
  assert.equal(dec.decode(s.fs.readFile("/data/hello")), "HELLO, world");
  assert.equal(op(s, FX86_WRITE, [s.str("/data/hello"), s.data("!"), 1, 20]), 1);
  assert.equal(s.fs.readFile("/data/hello").length, 21);
  assert.equal(op(s, FX86_WRITE, [s.str("/data/empty"), 0, 0, 0]), 0, "an empty write creates the blob");
  assert.equal(s.fs.readFile("/data/empty").length, 0);
  assert.equal(op(s, FX86_REPLACE, [s.str("/data/hello"), s.data("short"), 5]), 0);
  assert.equal(dec.decode(s.fs.readFile("/data/hello")), "short");
  assert.equal(op(s, FX86_REPLACE, [s.str("/data/fresh"), s.data("xy"), 2]), 0);
  assert.equal(dec.decode(s.fs.readFile("/data/fresh")), "xy");
  assert.equal(op(s, FX86_REPLACE, [s.str("/data/fresh"), 0, 0]), 0);
  assert.equal(s.fs.readFile("/data/fresh").length, 0);

  // The inode stays: an open descriptor and a hard link see the change.
  assert.equal(s.call("link", s.str("/data/hello"), s.str("/data/hard")), 0);
  const fd = s.open("/data/hello", O_RDONLY);
  assert.equal(op(s, FX86_REPLACE, [s.str("/data/hard"), s.data("via link"), 8]), 0);
  assert.equal(s.read(fd), "via link");

  assert.equal(op(s, FX86_WRITE, [s.str("/data"), s.data("x"), 1, 0]), -EISDIR);
  assert.equal(op(s, FX86_WRITE, [s.str("/data/x/"), s.data("x"), 1, 0]), -EISDIR);
  assert.equal(op(s, FX86_WRITE, [s.str("/"), s.data("x"), 1, 0]), -EISDIR);
  assert.equal(op(s, FX86_WRITE, [s.str("/link"), s.data("x"), 1, 0]), -EINVAL);
  assert.equal(op(s, FX86_WRITE, [s.str("/nope/x"), s.data("x"), 1, 0]), -ENOENT, "the parent must exist");
  assert.equal(op(s, FX86_WRITE, [s.str("/data/bad"), UNMAPPED, 4, 0]), -EFAULT);
  assert.equal(s.fs.find("/data/bad"), undefined, "a bad buffer creates nothing");
  assert.equal(op(s, FX86_WRITE, [s.str("/data/big"), s.data("x"), 1, 1 << 30]), -27 /* EFBIG */);
  assert.equal(s.call("chmod", s.str("/data/hello"), 0o444), 0);
  assert.equal(op(s, FX86_WRITE, [s.str("/data/hello"), s.data("x"), 1, 0]), -EACCES);
  assert.equal(s.call("chmod", s.str("/data"), 0o555), 0);
  assert.equal(op(s, FX86_REPLACE, [s.str("/data/other"), s.data("x"), 1]), -EACCES, "write permission on the directory to create");
  void buf;
});

test("treeops: LIST names the entries in byte order, sizes first", () => {
  const s = guest();
  s.fs.writeFile("/data/b", enc.encode(""));
  s.fs.mkdirp("/data/a");
  s.fs.symlink("b", "/data/c");
  const buf = s.alloc(64);
  assert.equal(op(s, FX86_LIST, [s.str("/data"), 0, 0]), 10, "a\\0b\\0hello\\0: links are not listed");
  assert.equal(op(s, FX86_LIST, [s.str("/data"), buf, 9]), 10, "too small: nothing written");
  assert.equal(s.m.r8(buf), 0);
  assert.equal(op(s, FX86_LIST, [s.str("/data"), buf, 10]), 10);
  assert.equal(s.text(buf, 10), "a\0b\0hello\0");
  assert.equal(op(s, FX86_LIST, [s.str("/data/hello"), buf, 64]), -ENOTDIR);
  assert.equal(op(s, FX86_LIST, [s.str("/link"), buf, 64]), -EINVAL);
  assert.equal(op(s, FX86_LIST, [s.str("/data"), UNMAPPED, 64]), -EFAULT);
  assert.equal(op(s, FX86_LIST, [s.str("/guests"), buf, 64]), 0, "empty");

  // A lazy directory is listed from its tree, without materialising it.
  s.fs.setTree("/lazy", treeFromPaths([["z", blob("")], ["y/w", blob("")], ["caf\u00e9", blob("")]]));
  s.fs.find("/lazy/z"); // /lazy itself is materialised, y is not
  const before = s.fs.nodes.size;
  assert.equal(op(s, FX86_LIST, [s.str("/lazy/y"), buf, 64]), 2);
  assert.equal(s.text(buf, 2), "w\0");
  assert.equal(s.fs.nodes.size, before);
  assert.equal(op(s, FX86_LIST, [s.str("/lazy"), buf, 64]), 2 + 2 + 6);
  assert.deepEqual([...s.bytes(buf, 10)], [...enc.encode("caf\u00e9\0y\0z\0")], "byte order");
  assert.equal(s.call("chmod", s.str("/data"), 0o300), 0);
  assert.equal(op(s, FX86_LIST, [s.str("/data"), buf, 64]), -EACCES);
});

test("treeops: STAT reports kind, size and the node's hash", () => {
  const s = guest();
  const st = s.alloc(48);
  assert.equal(op(s, FX86_STAT, [s.str("/data/hello"), st]), 0);
  const h = s.fs.getTree("/data/hello");
  assert.deepEqual([s.u32(st), s.u32(st + 4), s.u32(st + 8), s.u32(st + 12)], [1, 0, 12, 0]);
  assert.deepEqual([...s.bytes(st + 16, 32)], [...h.digest]);
  assert.equal(op(s, FX86_STAT, [s.str("/data"), st]), 0);
  assert.deepEqual([s.u32(st), s.u32(st + 8)], [2, 1], "a directory: its entry count");
  assert.deepEqual([...s.bytes(st + 16, 32)], [...s.fs.getTree("/data").digest]);
  assert.equal(op(s, FX86_STAT, [s.str("/"), st]), 0);
  assert.deepEqual([...s.bytes(st + 16, 32)], [...s.fs.getTree("/").digest]);
  assert.equal(op(s, FX86_STAT, [s.str("/link"), st]), -EINVAL);
  assert.equal(op(s, FX86_STAT, [s.str("/data"), READONLY]), -EFAULT);
  assert.equal(op(s, FX86_STAT, [s.str("/nope"), st]), -ENOENT);
});

test("treeops: COPY shares the source's nodes (O(1))", () => {
  const s = guest();
  const big = treeFromPaths(Array.from({ length: 5000 }, (_, i) => [`d/f${i}`, blob(`${i}`)]));
  s.fs.setTree("/big", big);
  const t0 = performance.now();
  assert.equal(op(s, FX86_COPY, [s.str("/big"), s.str("/guests/copy")]), 0);
  assert.ok(performance.now() - t0 < 20, "O(1)");
  assert.equal(s.fs.getTree("/guests/copy"), big, "the very same tree");
  // Copying a directory with materialised, changed contents: a snapshot.
  assert.equal(op(s, FX86_WRITE, [s.str("/data/hello"), s.data("J"), 1, 0]), 0 + 1);
  assert.equal(op(s, FX86_COPY, [s.str("/data"), s.str("/snap")]), 0);
  assert.equal(s.fs.getTree("/snap"), s.fs.getTree("/data"));
  assert.equal(op(s, FX86_WRITE, [s.str("/data/hello"), s.data("Y"), 1, 0]), 1);
  assert.equal(dec.decode(s.fs.readFile("/snap/hello")), "Jello, world", "the copy does not follow later changes");
  assert.notEqual(s.fs.find("/snap/hello")!.ino, s.fs.find("/data/hello")!.ino);
  // Into itself, onto an existing directory, onto itself.
  assert.equal(op(s, FX86_COPY, [s.str("/data"), s.str("/data/inner")]), 0);
  assert.equal(dec.decode(s.fs.readFile("/data/inner/hello")), "Yello, world");
  assert.equal(s.fs.find("/data/inner/inner"), undefined);
  assert.equal(op(s, FX86_COPY, [s.str("/data/hello"), s.str("/snap")]), 0, "replaces a directory");
  assert.equal(s.fs.find("/snap")!.kind, "file");
  const ino = s.fs.find("/snap")!.ino;
  assert.equal(op(s, FX86_COPY, [s.str("/snap"), s.str("/snap")]), 0);
  assert.equal(s.fs.find("/snap")!.ino, ino, "copying a node onto itself changes nothing");
  // Copying the root into a subdirectory of itself.
  assert.equal(op(s, FX86_COPY, [s.str("/"), s.str("/guests/root")]), 0);
  assert.equal(dec.decode(s.fs.readFile("/guests/root/data/hello")), "Yello, world");

  assert.equal(op(s, FX86_COPY, [s.str("/nope"), s.str("/x")]), -ENOENT);
  assert.equal(op(s, FX86_COPY, [s.str("/data"), s.str("/nope/x")]), -ENOENT);
  assert.equal(op(s, FX86_COPY, [s.str("/link"), s.str("/x")]), -EINVAL);
  assert.equal(op(s, FX86_COPY, [s.str("/data"), s.str("/data/..")]), -EINVAL);
  assert.equal(s.call("chmod", s.str("/data/hello"), 0o000), 0);
  assert.equal(op(s, FX86_COPY, [s.str("/data/hello"), s.str("/x")]), -EACCES, "the source must be readable");
  // The sticky bit guards replacing someone else's node, as for rename.
  s.fs.writeFile("/tmp/theirs", enc.encode("x"), { uid: 0 });
  assert.equal(op(s, FX86_COPY, [s.str("/data/inner"), s.str("/tmp/theirs")]), -EPERM);
});

test("treeops: REMOVE removes blobs and whole directories; open nodes survive", () => {
  const s = guest();
  s.fs.writeFile("/d/sub/f", enc.encode("keep reading"));
  s.fs.writeFile("/d/sub/g", enc.encode("g"));
  s.fs.writeFile("/outside", enc.encode("linked"));
  assert.equal(s.call("link", s.str("/outside"), s.str("/d/hard")), 0);
  const fd = s.open("/d/sub/f", O_RDWR);
  assert.equal(s.call("chdir", s.str("/d/sub")), 0);
  const gIno = s.fs.find("/d/sub/g")!.ino;
  assert.equal(op(s, FX86_REMOVE, [s.str("/d")]), 0);
  assert.equal(s.fs.find("/d"), undefined);
  assert.equal(s.fs.nodes.has(gIno), false, "unused nodes are freed");
  assert.equal(s.read(fd), "keep reading", "an open file stays readable");
  assert.equal(s.fs.find("/outside")!.nlink, 1, "a hard link elsewhere loses one link");
  const cwd = s.alloc(64);
  assert.equal(s.call("getcwd", cwd, 64), -ENOENT, "the working directory was removed");
  assert.equal(s.call("getdents64", s.open(".", O_RDONLY), s.alloc(128), 128), -ENOENT, "and cannot be listed");
  assert.equal(op(s, FX86_WRITE, [s.str("x"), s.data("x"), 1, 0]), -ENOENT, "and takes no new entries");
  assert.equal(s.call("chdir", s.str("..")), 0, "its parent is gone too: .. is the root");
  assert.equal(s.call("getcwd", cwd, 64), 2);
  assert.equal(s.call("chdir", s.str("/")), 0);
  assert.equal(op(s, FX86_REMOVE, [s.str("/data/hello")]), 0);
  assert.equal(op(s, FX86_REMOVE, [s.str("/link")]), 0, "links and devices can be removed");
  assert.equal(s.fs.find("/link", false), undefined);
  assert.equal(op(s, FX86_REMOVE, [s.str("/data/hello")]), -ENOENT);
  assert.equal(op(s, FX86_REMOVE, [s.str("/")]), -EINVAL);
  assert.equal(op(s, FX86_REMOVE, [s.str("/data/.")]), -EINVAL);
  assert.equal(op(s, FX86_REMOVE, [s.str("/outside/")]), -ENOTDIR);
  s.fs.writeFile("/tmp/theirs", enc.encode("x"), { uid: 0 });
  assert.equal(op(s, FX86_REMOVE, [s.str("/tmp/theirs")]), -EPERM, "the sticky bit");
});

test("treeops: MKDIR, with and without parents", () => {
  const s = guest();
  assert.equal(op(s, FX86_MKDIR, [s.str("/a"), 0]), 0);
  assert.equal(s.fs.find("/a")!.mode, 0o755);
  assert.equal(op(s, FX86_MKDIR, [s.str("/a"), 0]), -EEXIST);
  assert.equal(op(s, FX86_MKDIR, [s.str("/a"), 1]), 0, "with parents: an existing directory is fine");
  assert.equal(op(s, FX86_MKDIR, [s.str("/b/c"), 0]), -ENOENT);
  assert.equal(op(s, FX86_MKDIR, [s.str("/b/c/d/"), 1]), 0);
  assert.equal(s.fs.find("/b/c/d")!.kind, "dir");
  assert.equal(s.fs.find("/b")!.nlink, 3);
  assert.equal(op(s, FX86_MKDIR, [s.str("/data/hello/x"), 1]), -ENOTDIR);
  assert.equal(op(s, FX86_MKDIR, [s.str("/data/hello"), 1]), -EEXIST);
  assert.equal(op(s, FX86_MKDIR, [s.str("/data/hello"), 0]), -EEXIST);
  assert.equal(op(s, FX86_MKDIR, [s.str("/"), 0]), -EEXIST);
  s.fs.symlink("/b", "/lb");
  assert.equal(op(s, FX86_MKDIR, [s.str("/lb/c/e"), 1]), 0, "links are followed on the way");
  assert.equal(s.fs.find("/b/c/e")!.kind, "dir");
  assert.equal(s.call("chdir", s.str("/b")), 0);
  assert.equal(op(s, FX86_MKDIR, [s.str("rel/x"), 1]), 0, "relative to cwd");
  assert.ok(s.fs.find("/b/rel/x"));
  assert.equal(s.call("chmod", s.str("/a"), 0o500), 0);
  assert.equal(op(s, FX86_MKDIR, [s.str("/a/x/y"), 1]), -EACCES);
});

test("treeops: registers, clock, trace, unknown functions", () => {
  const s = guest();
  s.c.r[EDI] = 0x1234;
  s.c.r[EDX] = 3;
  s.c.icount = 5e9;
  op(s, FX86_WRITE, [s.str("/t"), s.data("abc"), 3, 0]);
  assert.equal(s.c.r[EAX], 3);
  assert.equal(s.c.r[EDI], 0x1234, "other registers are preserved");
  assert.equal(s.fs.find("/t")!.mtime.sec, 946684800 + 5, "stamped with the guest clock");
  assert.ok(s.trace.at(-1)!.startsWith('fx86 WRITE("/t", 0x'), s.trace.at(-1)!);
  assert.ok(s.trace.at(-1)!.endsWith(", 3, 0) = 3"));
  op(s, FX86_READ, [s.str("/nope"), 0, 0, 0]);
  assert.ok(s.trace.at(-1)!.endsWith("= -1 ENOENT"), s.trace.at(-1)!);
  assert.throws(() => treeOp(s.k, s.m, s.c, 0x0b), (e) => e instanceof GuestFault && e.kind === "undefined-opcode");
  void [EBX, ESI];
});

test("treeops: helpers for RUN and LOAD", () => {
  const s = guest();
  assert.equal(readPath(s.m, s.str("/guests")), "/guests");
  assert.throws(() => readPath(s.m, UNMAPPED), (e) => (e as { errno: number }).errno === EFAULT);
  const child = treeFromPaths([["cpu/eax", blob(new Uint8Array(4))]]);
  setTreeAt(s.k, "/guests/child", child);
  assert.equal(getTreeAt(s.k, "/guests/child"), child);
  assert.equal(s.call("chdir", s.str("/guests")), 0);
  assert.equal(getTreeAt(s.k, "child"), child, "relative to cwd");
  const next = treeFromPaths([["cpu/eax", blob(new Uint8Array([1, 0, 0, 0]))]]);
  setTreeAt(s.k, "child", next);
  assert.equal(getTreeAt(s.k, "/guests/child"), next);
  assert.equal((s.fs.find("/guests/child") as DirNode).entries, null, "still lazy");
  assert.throws(() => getTreeAt(s.k, "/link"), (e) => (e as { errno: number }).errno === EINVAL);
  s.fs.writeFile("/tmp/theirs", enc.encode("x"), { uid: 0 });
  assert.throws(() => setTreeAt(s.k, "/tmp/theirs", next), (e) => (e as { errno: number }).errno === EPERM);
  // A guest that opens a file inside the sub-guest, then it is replaced.
  const fd = s.open("/guests/child/cpu/eax", O_RDONLY);
  setTreeAt(s.k, "/guests/child", child);
  assert.deepEqual([...s.bytes(s.alloc(4), 0)], []);
  const b = s.alloc(4);
  assert.equal(s.call("read", fd, b, 4), 4);
  assert.deepEqual([...s.bytes(b, 4)], [1, 0, 0, 0], "the open file keeps the old contents");
  assert.deepEqual([...(getTreeAt(s.k, "/guests/child/cpu/eax") as { bytes: Uint8Array }).bytes], [0, 0, 0, 0]);
  void (null as unknown as TreeDir);
  void O_CREAT;
});
