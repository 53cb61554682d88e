/**
 * The Linux personality as data-tree nodes: linuxToTree → Linux.fromTree
 * round trips, identity of unchanged parts, edits by a parent, bad input.
 */
import { assert, test } from "../harness.ts";
import {
  blob,
  type BlobNode,
  type DirNode as TreeDir,
  EMPTY_DIR,
  hashStats,
  set,
  treeFromPaths,
} from "../../core/tree/mod.ts";
import { ENOENT } from "../../core/linux/errno.ts";
import { O_CREAT, O_DIRECTORY, O_RDONLY, O_RDWR, O_WRONLY } from "../../core/linux/files.ts";
import { standardLayout } from "../../core/linux/fs/layout.ts";
import type { DirNode } from "../../core/linux/fs/node.ts";
import { GuestStateError } from "../../core/linux/json.ts";
import { Linux, type LinuxDump } from "../../core/linux/linux.ts";
import { linuxToTree, type LinuxTree } from "../../core/linux/state.ts";
import { dec, enc, Sys } from "./sys.ts";
import { treeOpCall } from "./treesupport.ts";

const LONG_BAD_NAME = new Uint8Array(200).fill(0xfe);
const LONG_BAD_LINK = new Uint8Array(150).fill(0xfd);

/** A NUL-terminated raw-bytes path in scratch memory. */
function rawPath(s: Sys, ...parts: (string | Uint8Array)[]): number {
  const bytes = parts.map((p) => typeof p === "string" ? enc.encode(p) : p);
  const all = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0) + 1);
  let at = 0;
  for (const b of bytes) all.set(b, at), at += b.length;
  return s.data(all);
}

/**
 * A guest with a bit of everything: lazy and materialised directories,
 * hard and symbolic links, devices, odd names, open files at offsets, a
 * directory half listed, a pipe with queued bytes, an unlinked open file, a
 * removed working directory, partly read stdin, output, TLS, signals,
 * limits, a used random stream. Returns the descriptors it opened.
 */
function richGuest(): { s: Sys; fds: Record<string, number> } {
  const s = new Sys({ stdin: enc.encode("line1\nline2\nline3\n") });
  standardLayout(s.fs);
  s.c.icount = 1_000;
  s.fs.writeFile("/etc/passwd", enc.encode("root:x:0:0::/:/bin/sh\nuser:x:1000:1000::/:/bin/sh\n"));
  s.fs.setTree(
    "/lazy",
    treeFromPaths([
      ["big/f1", blob("one")],
      ["big/f2", blob("two")],
      ["small", blob("s")],
      ["deep/a/b/c", blob("c")],
      ["deep/x", blob("x")],
    ]),
  );
  const fds: Record<string, number> = {};
  s.c.icount = 5_000;
  assert.ok(s.fs.find("/lazy/big/f1"), "materialises /lazy and /lazy/big, not /lazy/deep");
  assert.equal(s.call("link", s.str("/etc/passwd"), s.str("/etc/passwd2")), 0);
  assert.equal(s.call("symlink", s.str("passwd"), s.str("/etc/pw")), 0);
  assert.equal(s.call("chmod", s.str("/etc/passwd"), 0o640), 0);
  assert.equal(s.call("lchown32", s.str("/etc/pw"), 0, 0), 0);
  const short = s.call("open", rawPath(s, "/lazy/bad\xff"), O_CREAT | O_WRONLY, 0o600);
  assert.equal(s.call("close", short), 0);
  const long = s.call("open", rawPath(s, "/tmp/", LONG_BAD_NAME), O_CREAT | O_WRONLY, 0o644);
  assert.equal(s.write(long, "long name"), 9);
  assert.equal(s.call("close", long), 0);
  assert.equal(s.call("symlink", s.str("/etc/passwd"), rawPath(s, "/tmp/", LONG_BAD_LINK)), 0);
  assert.equal(s.call("umask", 0o077), 0o022);

  fds.passwd = s.open("/etc/passwd", O_RDWR);
  assert.equal(s.read(fds.passwd, 5), "root:");
  fds.dev = s.open("/dev", O_RDONLY | O_DIRECTORY);
  assert.equal(s.call("getdents64", fds.dev, s.alloc(64), 64), 48, "two entries listed");
  const ends = s.alloc(8);
  assert.equal(s.call("pipe2", ends, 0), 0);
  [fds.pipeR, fds.pipeW] = [s.u32(ends), s.u32(ends + 4)];
  assert.equal(s.write(fds.pipeW, "queued "), 7);
  assert.equal(s.write(fds.pipeW, "bytes"), 5);
  assert.equal(s.read(fds.pipeR, 3), "que");
  fds.ghost = s.open("/tmp/ghost", O_CREAT | O_RDWR, 0o600);
  assert.equal(s.write(fds.ghost, "boo"), 3);
  assert.equal(s.call("unlink", s.str("/tmp/ghost")), 0);
  assert.equal(s.call("dup2", fds.passwd, 10), 10);
  fds.dup = 10;
  assert.equal(s.call("mkdir", s.str("/gone"), 0o700), 0);
  assert.equal(s.call("chdir", s.str("/gone")), 0);
  assert.equal(s.call("rmdir", s.str("/gone")), 0);
  assert.equal(s.read(0, 6), "line1\n");
  s.write(1, "out1\n");
  s.write(2, "err1\n");
  assert.equal(s.call("getrandom", s.alloc(10), 10, 0), 10);
  const desc = s.data(new Uint8Array(new Uint32Array([0xffffffff, 0x12345000, 0xfffff, 0x51]).buffer));
  assert.equal(s.call("set_thread_area", desc), 0);
  const act = s.data(new Uint8Array(new Uint32Array([0x8048000, 0x4000000, 0x8049000, 0x100, 0]).buffer));
  assert.equal(s.call("rt_sigaction", 10, act, 0, 8), 0);
  assert.equal(s.call("rt_sigprocmask", 0, s.data(new Uint8Array(new Uint32Array([2, 0]).buffer)), 0, 8), 0);
  assert.equal(s.call("prlimit64", 0, 7, s.data(new Uint8Array(new Uint32Array([512, 0, 4096, 0]).buffer)), 0), 0);
  assert.equal(s.call("prctl", 15, s.str("worker")), 0);
  assert.equal(s.call("set_tid_address", 0x4444), 100);
  s.k.brkStart = 0x0805_0000;
  s.k.brk = 0x0805_3000;
  s.c.icount = 9_000;
  treeOpCall(s, 2, [s.str("/lazy/deep/x"), s.data("X"), 1, 0]); // materialises /lazy/deep
  s.c.icount = 10_000;
  return { s, fds };
}

/** A Linux dump with pipes' queues as plain bytes (their chunking is not state). */
function normal(d: LinuxDump): unknown {
  return {
    ...d,
    pipes: d.pipes.map((p) => {
      const bytes = new Uint8Array(p.size);
      let at = 0;
      p.chunks.forEach((c, i) => {
        const part = i === 0 ? c.subarray(p.head) : c;
        bytes.set(part, at);
        at += part.length;
      });
      return { ...p, chunks: [...bytes], head: 0 };
    }),
  };
}

/** Everything observable from a few dozen calls, in order. */
function probe(s: Sys, fds: Record<string, number>): unknown[] {
  const out: unknown[] = [];
  const statBuf = () => s.alloc(96);
  const stat = (name: string, follow = true) => {
    const b = statBuf();
    const r = s.call(follow ? "stat64" : "lstat64", typeof name === "string" ? s.str(name) : name, b);
    out.push([name, r, [...s.bytes(b, 96)]]);
  };
  s.c.icount += 100;
  out.push(s.read(fds.passwd, 10), s.read(fds.dup, 5));
  const dents = s.alloc(1024);
  const n = s.call("getdents64", fds.dev, dents, 1024);
  out.push(n, [...s.bytes(dents, Math.max(0, n))]);
  out.push(s.read(fds.pipeR, 100));
  const fst = statBuf();
  out.push(s.call("fstat64", fds.ghost, fst), [...s.bytes(fst, 96)]);
  out.push(s.call("pread64", fds.ghost, s.alloc(8), 8, 0, 0));
  const cwd = s.alloc(64);
  out.push(s.call("getcwd", cwd, 64));
  out.push(s.call("chdir", s.str("/")), s.call("getcwd", cwd, 64), s.text(cwd, 2));
  for (const p of ["/etc/passwd", "/etc/passwd2", "/dev/null", "/dev", "/tmp", "/lazy", "/lazy/big", "/lazy/big/f2", "/lazy/deep", "/lazy/small"]) stat(p);
  stat("/etc/pw", false);
  const rawStat = statBuf();
  out.push(s.call("stat64", rawPath(s, "/lazy/bad\xff"), rawStat), [...s.bytes(rawStat, 96)]);
  const longFd = s.call("open", rawPath(s, "/tmp/", LONG_BAD_NAME), O_RDONLY);
  out.push(longFd, s.read(longFd, 20));
  const linkFd = s.call("open", rawPath(s, "/tmp/", LONG_BAD_LINK), O_RDONLY);
  out.push(linkFd, s.read(linkFd, 5));
  stat("/lazy/deep/a/b/c"); // materialises in both, with the same inode numbers
  const link = s.alloc(16);
  out.push(s.call("readlink", s.str("/etc/pw"), link, 16), s.text(link, 6));
  const f = s.open("/tmp/new", O_CREAT | O_WRONLY, 0o666);
  out.push(f, s.write(f, "fresh"));
  stat("/tmp/new");
  out.push(s.read(0, 100), s.read(0, 100));
  const rnd = s.alloc(8);
  out.push(s.call("getrandom", rnd, 8, 0), [...s.bytes(rnd, 8)]);
  const old = s.alloc(20);
  out.push(s.call("rt_sigaction", 10, 0, old, 8), [...s.bytes(old, 20)]);
  const mask = s.alloc(8);
  out.push(s.call("rt_sigprocmask", 0, 0, mask, 8), [...s.bytes(mask, 8)]);
  const lim = s.alloc(16);
  out.push(s.call("prlimit64", 0, 7, 0, lim), [...s.bytes(lim, 16)]);
  const name = s.alloc(16);
  out.push(s.call("prctl", 16, name), s.text(name, 6));
  out.push(s.call("umask", 0o022));
  const desc = s.data(new Uint8Array(new Uint32Array([6, 0, 0, 0]).buffer));
  out.push(s.call("get_thread_area", desc), [...s.bytes(desc, 16)]);
  out.push(s.call("brk", 0));
  out.push(s.write(fds.pipeW, "more"), s.read(fds.pipeR, 100));
  out.push(s.call("close", fds.ghost), s.call("open", s.str("/tmp/ghost"), O_RDONLY));
  const buf = s.alloc(256);
  out.push(treeOpCall(s, 4, [s.str("/lazy"), buf, 256]), s.text(buf, 40));
  s.write(1, "out2\n");
  return out;
}

function assertSameParts(a: LinuxTree, b: LinuxTree, what: string): void {
  for (const k of ["fs", "fsmeta", "os", "stdin", "stdout", "stderr"] as const) {
    assert.equal(a[k].hash, b[k].hash, `${what}: ${k}`);
  }
}

test("state: a guest restored from its tree behaves identically", () => {
  const { s: a, fds } = richGuest();
  const parts = linuxToTree(a.k);
  const b = new Sys({ linux: Linux.fromTree(parts) });
  b.c.icount = a.c.icount;
  assert.deepEqual(normal(b.k.dump()), normal(a.k.dump()), "the same state");
  assertSameParts(linuxToTree(b.k), parts, "converted again");
  const pa = probe(a, fds), pb = probe(b, fds);
  assert.deepEqual(pb, pa, "the same behaviour");
  assert.deepEqual(normal(b.k.dump()), normal(a.k.dump()), "the same state after");
  assertSameParts(linuxToTree(b.k), linuxToTree(a.k), "after");
  assert.equal(dec.decode(b.k.stdout), "out1\nout2\n");
  assert.equal(dec.decode(b.k.stderr), "err1\n");
});

test("state: the parts have the documented contents", () => {
  const { s } = richGuest();
  const t = linuxToTree(s.k);
  assert.deepEqual(t.fs.names, ["dev", "etc", "lazy", "tmp"], "the removed cwd is not in the tree");
  assert.deepEqual((t.fs.get("etc") as TreeDir).names, ["passwd", "passwd2"]);
  assert.equal((t.fs.get("etc") as TreeDir).get("passwd"), (t.fs.get("etc") as TreeDir).get("passwd2"), "hard links share a blob");
  assert.equal(dec.decode(t.stdin.bytes), "line2\nline3\n");
  assert.equal(dec.decode(t.stdout.bytes), "out1\n");
  const meta = JSON.parse(dec.decode(t.fsmeta.bytes));
  const tmp = meta.root.entries.tmp.entries;
  const long = Object.keys(tmp).find((k) => tmp[k].name === "fe".repeat(200))!;
  assert.ok(long.startsWith("\uFFFD" + "fe".repeat(60) + "~"), long);
  assert.equal(tmp[long].name, "fe".repeat(200), "a long escape carries the name's bytes");
  assert.equal(meta.root.entries.etc.entries.pw.type, "symlink");
  assert.equal(meta.root.entries.etc.entries.pw.uid, 0);
  assert.equal(meta.root.entries.dev.entries.null.rdev, 0x103);
  assert.equal(typeof meta.root.entries.lazy.entries.deep.entries.a, "number", "a lazy directory is its inode number");
  assert.deepEqual(meta.orphans.map((o: { type: string }) => o.type), ["file", "dir"], "the unlinked file and the removed cwd");
  const os = JSON.parse(dec.decode(t.os.bytes));
  assert.equal(os.umask, 0o077);
  assert.equal(os.comm, "worker");
  assert.equal(os.pipes.find((p: { id: number }) => p.id === 4).data, btoa("ued bytes"));
  // Canonical: keys sorted, no white space; the same text again.
  assert.equal(dec.decode(t.os.bytes).indexOf(" "), -1);
  assert.equal(dec.decode(linuxToTree(s.k).os.bytes), dec.decode(t.os.bytes));
});

test("state: unchanged parts are the same objects; conversion costs what changed", () => {
  const { s } = richGuest();
  const t1 = linuxToTree(s.k);
  for (const k of ["fs", "fsmeta", "os", "stdin", "stdout", "stderr"] as const) t1[k].hash;
  const t2 = linuxToTree(s.k);
  for (const k of ["fs", "fsmeta", "os", "stdin", "stdout", "stderr"] as const) {
    assert.equal(t2[k], t1[k], `${k} is the same object`);
  }
  // A restored guest converts back to the very tree it came from.
  const r = Linux.fromTree(t1);
  const t3 = linuxToTree(r);
  for (const k of ["fs", "fsmeta", "os", "stdin", "stdout", "stderr"] as const) {
    assert.equal(t3[k], t1[k], `restored and converted back: the same ${k} object`);
  }
  r.capture(1, enc.encode("+"));
  assert.deepEqual([...t1.stdout.bytes], [...enc.encode("out1\n")], "output appended after a restore leaves the blob alone");

  // One appended line: its blob, the directories above, fsmeta, os, stdout.
  s.c.icount += 10;
  const fd = s.open("/lazy/big/f1", O_WRONLY | 0o2000);
  s.write(fd, "!");
  s.write(1, "x");
  const before = { ...hashStats };
  const t4 = linuxToTree(s.k);
  assert.equal(t4.fs.hash.length, 64);
  assert.equal(t4.stdin, t1.stdin);
  const blobs = hashStats.blobs - before.blobs, dirs = hashStats.dirs - before.dirs;
  assert.equal(dirs, 3, "/lazy/big, /lazy, /");
  assert.equal(blobs, 1, "f1 (fsmeta, os and stdout are hashed when asked)");
  assert.equal((t4.fs.get("etc") as TreeDir), t1.fs.get("etc"), "unchanged subtrees shared");
});

test("state: a parent gives input and edits files between runs", () => {
  const { s, fds } = richGuest();
  let t = linuxToTree(s.k);
  // New input, a new file, a changed file, a removed open file.
  t = { ...t, stdin: blob("typed\n") };
  let fsTree = set(t.fs, "lazy/big/f3", blob("three"));
  fsTree = set(fsTree, "etc/passwd", blob("changed\n"));
  fsTree = set(fsTree, "lazy/small", EMPTY_DIR);
  t = { ...t, fs: fsTree as TreeDir };
  const r = new Sys({ linux: Linux.fromTree(t) });
  assert.equal(r.read(0, 100), "typed\n");
  const f3 = r.open("/lazy/big/f3");
  assert.equal(r.read(f3), "three");
  assert.equal(r.read(fds.passwd, 100), "ed\n", "an open file sees the new contents at its offset");
  const b = r.alloc(96);
  assert.equal(r.call("stat64", r.str("/etc/passwd2"), b), 0);
  assert.equal(r.u32(b + 44), 50, "the hard link kept the old contents: they differ now");
  assert.equal(r.call("open", r.str("/lazy/small/x"), O_CREAT | O_WRONLY, 0o644) >= 0, true, "small is a directory now");
  // Entries without a record get inode numbers from nextIno on, in tree
  // order: the hard link whose contents now differ is a new inode first.
  assert.equal(r.k.fs.find("/etc/passwd")!.ino, s.k.fs.find("/etc/passwd")!.ino);
  assert.equal(r.k.fs.find("/etc/passwd2")!.ino, s.k.fs.nextIno);
  assert.equal(r.k.fs.find("/lazy/big/f3")!.ino, s.k.fs.nextIno + 1);

  // Files removed from the tree while open become empty orphans.
  const t2 = linuxToTree(s.k);
  const gone = Linux.fromTree({ ...t2, fs: set(t2.fs, "etc", EMPTY_DIR) as TreeDir });
  const g = new Sys({ linux: gone });
  assert.equal(g.read(fds.passwd, 10), "", "an empty placeholder");
  assert.equal(g.call("open", g.str("/etc/passwd"), O_RDONLY), -ENOENT);
});

test("state: empty parts are a fresh process; bad parts are GuestStateErrors", () => {
  const fresh = Linux.fromTree({
    fs: treeFromPaths([["hello", blob("hi")]]),
    fsmeta: blob(""),
    os: blob(""),
    stdin: blob("in"),
    stdout: blob(""),
    stderr: blob(""),
  });
  const s = new Sys({ linux: fresh });
  assert.equal(s.read(0), "in");
  assert.equal(s.read(s.open("/hello")), "hi");
  assert.equal(s.fs.find("/hello")!.ino, 2, "the root is 1, the rest materialise from 2 on");

  const { s: g } = richGuest();
  const t = linuxToTree(g.k);
  const bad = (part: Partial<LinuxTree>, pattern: RegExp) =>
    assert.throws(() => Linux.fromTree({ ...t, ...part }), (e: unknown) => e instanceof GuestStateError && pattern.test((e as Error).message));
  bad({ os: blob("{") }, /os is not JSON/);
  bad({ os: blob("[]") }, /os: os should be an object/);
  bad({ os: blob('{"v":2}') }, /os: v should be 1/);
  const os = JSON.parse(dec.decode(t.os.bytes));
  bad({ os: blob(JSON.stringify({ ...os, fds: [[0, 999, false]] })) }, /fds\[0\]\[1\] is not an open file/);
  bad({ os: blob(JSON.stringify({ ...os, umask: "x" })) }, /umask should be an integer/);
  bad({ os: blob(JSON.stringify({ ...os, tls: [] })) }, /tls should be an array of 3/);
  bad({ os: blob(JSON.stringify({ ...os, cwd: 3 })) }, /cwd is not a directory/);
  bad({ fsmeta: blob("nope") }, /fsmeta is not JSON/);
  const meta = JSON.parse(dec.decode(t.fsmeta.bytes));
  bad({ fsmeta: blob(JSON.stringify({ ...meta, nextIno: -1 })) }, /nextIno should be an integer/);
  bad({ fsmeta: blob(JSON.stringify({ ...meta, root: { ino: 1, mode: "rwx" } })) }, /root.mode should be an integer/);
  bad({ fsmeta: blob(JSON.stringify({ ...meta, root: { ino: 1, entries: { etc: { ino: 2, entries: 5 } } } })) }, /root.entries\["etc"\].entries should be an object/);
  // Records that name no tree entry are dropped; entries without records are new.
  const loose = Linux.fromTree({ ...t, fsmeta: blob(JSON.stringify({ ...meta, root: { ino: 1, time: [0, 0], entries: { nothing: 5 } } })) });
  assert.ok(loose.fs.find("/etc/passwd"));
});

test("state: an exited guest, and output streamed after a restore", () => {
  const s = new Sys();
  s.write(1, "bye\n");
  s.call("exit_group", 3);
  const t = linuxToTree(s.k);
  const seen: string[] = [];
  const r = Linux.fromTree(t, { onOutput: (fd, b) => seen.push(`${fd}:${dec.decode(b)}`) });
  assert.equal(r.exitCode, 3);
  assert.equal(dec.decode(r.stdout), "bye\n");
  const live = new Linux({ fs: r.fs, seed: new Uint8Array(1), onOutput: (fd, b) => seen.push(`${fd}:${dec.decode(b)}`) });
  live.capture(1, enc.encode("a"));
  r.capture(1, enc.encode("more"));
  assert.deepEqual(seen, ["1:a", "1:more"]);
  assert.equal(dec.decode(r.stdout), "bye\nmore");
  assert.deepEqual([...t.stdout.bytes], [...enc.encode("bye\n")], "the blob did not change");
});

test("state: deep directory chains convert without host recursion", () => {
  const s = new Sys();
  let dir = s.fs.get(s.fs.root) as DirNode;
  for (let i = 0; i < 20_000; i++) {
    const next = s.fs.create<DirNode>({ kind: "dir", mode: 0o755, entries: new Map(), parent: dir.ino });
    s.fs.link(dir, "d", next);
    dir = next;
  }
  const t = linuxToTree(s.k);
  const r = Linux.fromTree(t);
  assert.equal(r.fs.nodes.size, s.fs.nodes.size);
  assert.equal(linuxToTree(r).fsmeta.hash, t.fsmeta.hash);
  assert.equal(linuxToTree(r).fs, t.fs);
});

test("state: dump and load keep lazy directories lazy", () => {
  const s = new Sys();
  const tree = treeFromPaths([["a/b", blob("b")]]);
  s.fs.setTree("/t", tree);
  const copy = Linux.load(s.k.dump());
  assert.equal(copy.fs.getTree("/t"), tree);
  assert.equal((copy.fs.find("/t") as DirNode).entries, null);
  assert.equal(dec.decode(copy.fs.readFile("/t/a/b")), "b");
  void (null as unknown as BlobNode);
});
