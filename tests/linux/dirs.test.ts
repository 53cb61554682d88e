import { assert, test } from "../harness.ts";
import {
  EBUSY,
  EEXIST,
  EINVAL,
  EISDIR,
  ENOENT,
  ENOTDIR,
  ENOTEMPTY,
  EPERM,
  ERANGE,
} from "../../core/linux/errno.ts";
import { O_CREAT, O_DIRECTORY, O_WRONLY } from "../../core/linux/files.ts";
import { dec, enc, Sys } from "./sys.ts";

/** Lists a directory with getdents64: [name, type, d_off] per entry. */
function list64(
  s: Sys,
  fd: number,
  bufSize = 4096,
): [string, number, number][] {
  const buf = s.alloc(bufSize);
  const out: [string, number, number][] = [];
  for (let n; (n = s.call("getdents64", fd, buf, bufSize)) > 0;) {
    for (let at = buf; at < buf + n;) {
      const reclen = s.m.r16(at + 16);
      const name = s.bytes(at + 19, reclen - 19);
      out.push([
        dec.decode(name.subarray(0, name.indexOf(0))),
        s.m.r8(at + 18),
        s.u32(at + 8),
      ]);
      at += reclen;
    }
  }
  return out;
}

test("dirs: mkdir, rmdir, nlink counts and errors", () => {
  const s = new Sys();
  assert.equal(s.call("mkdir", s.str("/a"), 0o755), 0);
  assert.equal(s.call("mkdir", s.str("/a/b"), 0o700), 0);
  assert.equal(s.call("mkdir", s.str("/a"), 0o755), -EEXIST);
  assert.equal(s.call("mkdir", s.str("/x/y"), 0o755), -ENOENT);
  assert.equal(s.call("mkdir", s.str("/"), 0o755), -EEXIST);
  assert.equal(
    s.call("mkdirat", -100, s.str("a/c/"), 0o777),
    0,
    "a trailing slash is fine",
  );
  const a = s.fs.find("/a")!;
  assert.equal(a.nlink, 4, "2 + two subdirectories");
  assert.equal(s.fs.find("/a/c")!.mode, 0o755, "umask 022 applied");
  assert.equal(s.call("rmdir", s.str("/a")), -ENOTEMPTY);
  assert.equal(s.call("rmdir", s.str("/a/b/.")), -EINVAL);
  assert.equal(s.call("rmdir", s.str("/a/..")), -ENOTEMPTY);
  assert.equal(s.call("rmdir", s.str("/")), -EBUSY);
  s.fs.writeFile("/a/f", enc.encode(""));
  assert.equal(s.call("rmdir", s.str("/a/f")), -ENOTDIR);
  assert.equal(s.call("mkdir", s.str("/a/f/g"), 0o755), -ENOTDIR);
  assert.equal(s.call("rmdir", s.str("/a/b")), 0);
  assert.equal(s.call("unlinkat", -100, s.str("/a/c"), 0x200), 0);
  assert.equal(a.nlink, 2);
  assert.equal(s.call("unlinkat", -100, s.str("/a/f"), 0x1), -EINVAL);
});

test("dirs: unlink keeps open files readable until closed", () => {
  const s = new Sys();
  s.fs.writeFile("/f", enc.encode("still here"));
  const fd = s.open("/f");
  const ino = s.fs.find("/f")!.ino;
  assert.equal(s.call("unlink", s.str("/f")), 0);
  assert.equal(s.fs.find("/f"), undefined);
  assert.ok(s.fs.nodes.has(ino));
  assert.equal(s.read(fd), "still here");
  s.call("close", fd);
  assert.ok(!s.fs.nodes.has(ino), "freed on last close");
  assert.equal(s.call("unlink", s.str("/f")), -ENOENT);
  assert.equal(s.call("unlink", s.str("/")), -EISDIR);
  s.fs.mkdirp("/d");
  assert.equal(s.call("unlink", s.str("/d")), -EISDIR);
  s.fs.writeFile("/g", enc.encode(""));
  assert.equal(s.call("unlink", s.str("/g/")), -ENOTDIR);
});

test("dirs: rename replaces, moves directories, refuses loops", () => {
  const s = new Sys();
  s.fs.writeFile("/a", enc.encode("A"));
  s.fs.writeFile("/b", enc.encode("B"));
  s.fs.mkdirp("/d1/sub");
  s.fs.mkdirp("/d2");
  s.fs.mkdirp("/full/x");
  assert.equal(s.call("rename", s.str("/a"), s.str("/b")), 0);
  assert.equal(dec.decode(s.fs.readFile("/b")), "A");
  assert.equal(s.fs.find("/a"), undefined);
  assert.equal(s.call("rename", s.str("/b"), s.str("/d2")), -EISDIR);
  assert.equal(s.call("rename", s.str("/d2"), s.str("/b")), -ENOTDIR);
  assert.equal(s.call("rename", s.str("/d1"), s.str("/full")), -ENOTEMPTY);
  assert.equal(s.call("rename", s.str("/d1"), s.str("/d1/sub/in")), -EINVAL);
  assert.equal(s.call("rename", s.str("/nope"), s.str("/x")), -ENOENT);
  assert.equal(s.call("rename", s.str("/."), s.str("/x")), -EBUSY);
  assert.equal(
    s.call("rename", s.str("/d1"), s.str("/d2")),
    0,
    "onto an empty directory",
  );
  assert.equal(s.fs.find("/d2/sub")?.kind, "dir");
  const root = s.fs.find("/")!;
  assert.equal(root.nlink, 2 + 2, "/d2 and /full");
  assert.equal(s.call("rename", s.str("/d2/sub"), s.str("/sub")), 0);
  assert.equal(s.fs.find("/d2")!.nlink, 2);
  assert.equal(s.call("chdir", s.str("/sub")), 0);
  assert.equal(s.call("chdir", s.str("..")), 0);
  assert.equal(s.k.cwd, root.ino, "'..' follows the move");
  // renameat2 flags
  s.fs.writeFile("/p", enc.encode("P"));
  s.fs.writeFile("/q", enc.encode("Q"));
  assert.equal(
    s.call("renameat2", -100, s.str("/p"), -100, s.str("/q"), 1),
    -EEXIST,
  );
  assert.equal(s.call("renameat2", -100, s.str("/p"), -100, s.str("/q"), 2), 0);
  assert.equal(dec.decode(s.fs.readFile("/p")), "Q");
  assert.equal(dec.decode(s.fs.readFile("/q")), "P");
  assert.equal(
    s.call("renameat2", -100, s.str("/p"), -100, s.str("/q"), 3),
    -EINVAL,
  );
});

test("dirs: hard links and symbolic links", () => {
  const s = new Sys();
  s.fs.writeFile("/f", enc.encode("data"));
  s.fs.mkdirp("/d");
  assert.equal(s.call("link", s.str("/f"), s.str("/d/g")), 0);
  assert.equal(s.fs.find("/f")!.nlink, 2);
  assert.equal(s.call("link", s.str("/f"), s.str("/d/g")), -EEXIST);
  assert.equal(s.call("link", s.str("/d"), s.str("/e")), -EPERM);
  assert.equal(s.call("symlink", s.str("../f"), s.str("/d/s")), 0);
  assert.equal(s.call("symlink", s.str(""), s.str("/d/empty")), -ENOENT);
  const buf = s.alloc(64);
  assert.equal(s.call("readlink", s.str("/d/s"), buf, 64), 4);
  assert.equal(s.text(buf, 4), "../f");
  assert.equal(
    s.call("readlink", s.str("/d/s"), buf, 2),
    2,
    "truncated, no NUL",
  );
  assert.equal(s.call("readlink", s.str("/f"), buf, 64), -EINVAL);
  assert.equal(s.call("readlink", s.str("/d/s"), buf, 0), -EINVAL);
  assert.equal(s.call("readlinkat", -100, s.str("d/s"), buf, 64), 4);
  assert.equal(s.read(s.open("/d/s")), "data");
  // linkat with AT_SYMLINK_FOLLOW links the target, without it the link itself
  assert.equal(
    s.call("linkat", -100, s.str("/d/s"), -100, s.str("/t1"), 0x400),
    0,
  );
  assert.equal(s.fs.find("/t1", false)!.kind, "file");
  assert.equal(s.call("linkat", -100, s.str("/d/s"), -100, s.str("/t2"), 0), 0);
  assert.equal(s.fs.find("/t2", false)!.kind, "symlink");
});

test("dirs: getcwd, chdir, fchdir and relative *at paths", () => {
  const s = new Sys();
  s.fs.mkdirp("/home/user/work");
  const buf = s.alloc(256);
  assert.equal(s.call("getcwd", buf, 256), 2);
  assert.equal(s.text(buf, 2), "/\0");
  assert.equal(s.call("chdir", s.str("/home/user")), 0);
  assert.equal(s.call("getcwd", buf, 256), 11);
  assert.equal(s.text(buf, 10), "/home/user");
  assert.equal(s.call("getcwd", buf, 5), -ERANGE);
  assert.ok(s.open("work/new", O_CREAT | O_WRONLY) > 0);
  assert.ok(s.fs.find("/home/user/work/new"));
  const dfd = s.open("/home/user/work", O_DIRECTORY);
  assert.ok(s.call("openat", dfd, s.str("new"), 0) > 0);
  assert.equal(
    s.call("openat", s.open("/home/user/work/new"), s.str("x"), 0),
    -ENOTDIR,
  );
  assert.equal(s.call("fchdir", dfd), 0);
  assert.equal(s.call("getcwd", buf, 256), 16);
  assert.equal(s.call("chdir", s.str("/home/user/work/new")), -ENOTDIR);
  // removing the working directory: getcwd fails, "." still works
  assert.equal(s.call("rmdir", s.str("/home/user/work")), -ENOTEMPTY);
  s.call("unlink", s.str("/home/user/work/new"));
  assert.equal(s.call("rmdir", s.str("/home/user/work")), 0);
  assert.equal(s.call("getcwd", buf, 256), -ENOENT);
  assert.equal(s.call("chdir", s.str("/")), 0);
});

test("dirs: getdents64 lists . and .. then names in byte order, resumably", () => {
  const s = new Sys();
  s.fs.mkdirp("/d/sub");
  for (const n of ["b", "a", "c", "Z", "é"]) {
    s.fs.writeFile(`/d/${n}`, enc.encode(n));
  }
  s.fs.symlink("a", "/d/l");
  const fd = s.open("/d", O_DIRECTORY);
  const all = list64(s, fd);
  assert.deepEqual(all.map((e) => e[0]), [
    ".",
    "..",
    "Z",
    "a",
    "b",
    "c",
    "l",
    "sub",
    "é",
  ]);
  assert.deepEqual(all.map((e) => e[1]), [4, 4, 8, 8, 8, 8, 10, 4, 8]);
  assert.deepEqual(all.map((e) => e[2]), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // a small buffer returns a few entries per call; EINVAL if not even one fits
  const fd2 = s.open("/d", O_DIRECTORY);
  assert.deepEqual(list64(s, fd2, 48).map((e) => e[0]), all.map((e) => e[0]));
  assert.equal(
    s.call("getdents64", s.open("/d", O_DIRECTORY), s.alloc(8), 8),
    -EINVAL,
  );
  // removing entries while listing shifts nothing
  const fd3 = s.open("/d", O_DIRECTORY);
  const buf = s.alloc(64);
  const n = s.call("getdents64", fd3, buf, 64); // ".", "..", "Z"
  assert.ok(n > 0);
  for (const name of ["Z", "a", "b"]) s.call("unlink", s.str(`/d/${name}`));
  assert.deepEqual(list64(s, fd3).map((e) => e[0]), ["c", "l", "sub", "é"]);
  // lseek to a d_off cookie resumes after that entry; 0 rewinds
  assert.equal(s.call("lseek", fd3, 3, 0), 3);
  assert.deepEqual(list64(s, fd3).map((e) => e[0]), ["l", "sub", "é"]);
  assert.equal(s.call("lseek", fd3, 0, 0), 0);
  assert.equal(list64(s, fd3).length, 6);
  assert.equal(s.call("lseek", fd3, 0, 1), 6, "SEEK_CUR reports the position");
  assert.equal(s.call("getdents64", s.open("/d/c"), buf, 64), -ENOTDIR);
});

test("dirs: old getdents (linux_dirent) puts d_type in the last byte", () => {
  const s = new Sys();
  s.fs.mkdirp("/d");
  s.fs.writeFile("/d/file", enc.encode(""));
  const fd = s.open("/d", O_DIRECTORY);
  const buf = s.alloc(256);
  const n = s.call("getdents", fd, buf, 256);
  const names: string[] = [];
  for (let at = buf; at < buf + n;) {
    const reclen = s.m.r16(at + 8);
    assert.equal(reclen % 4, 0);
    const name = s.bytes(at + 10, reclen - 10);
    names.push(
      dec.decode(name.subarray(0, name.indexOf(0))) + ":" +
        s.m.r8(at + reclen - 1),
    );
    at += reclen;
  }
  assert.deepEqual(names, [".:4", "..:4", "file:8"]);
});

test("dirs: non-UTF-8 names round-trip byte for byte", () => {
  const s = new Sys();
  const name = new Uint8Array([0x2f, 0xff, 0xfe, 0x41, 0]); // "/\xff\xfeA"
  const fd = s.call("open", s.data(name), O_CREAT | O_WRONLY, 0o644);
  assert.ok(fd > 0);
  const dfd = s.open("/", O_DIRECTORY);
  const buf = s.alloc(256);
  const n = s.call("getdents64", dfd, buf, 256);
  const entries = [];
  for (let at = buf; at < buf + n;) {
    const reclen = s.m.r16(at + 16);
    const raw = s.bytes(at + 19, reclen - 19);
    entries.push([...raw.subarray(0, raw.indexOf(0))]);
    at += reclen;
  }
  assert.deepEqual(entries[2], [0xff, 0xfe, 0x41]);
});
