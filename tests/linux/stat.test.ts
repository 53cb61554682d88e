import { assert, test } from "../harness.ts";
import {
  EACCES,
  EFAULT,
  EINVAL,
  ENOENT,
  EPERM,
} from "../../core/linux/errno.ts";
import { O_CREAT, O_PATH, O_WRONLY } from "../../core/linux/files.ts";
import { EPOCH_SEC } from "../../core/linux/clock.ts";
import { GID, UID } from "../../core/linux/identity.ts";
import { FS_DEV } from "../../core/linux/syscalls/stat.ts";
import { enc, Sys, UNMAPPED } from "./sys.ts";

/** The fields of a struct stat64 at `a`. */
function stat64(s: Sys, a: number) {
  return {
    dev: s.u32(a),
    mode: s.u32(a + 16),
    nlink: s.u32(a + 20),
    uid: s.u32(a + 24),
    gid: s.u32(a + 28),
    rdev: s.u32(a + 32),
    size: s.u32(a + 44),
    blksize: s.u32(a + 52),
    blocks: s.u32(a + 56),
    mtime: s.u32(a + 72),
    mtimeNsec: s.u32(a + 76),
    ino: s.u32(a + 88),
  };
}

test("stat: stat64, lstat64, fstat64 and fstatat64 report the node", () => {
  const s = new Sys();
  s.fs.writeFile("/f", new Uint8Array(5000), { mode: 0o640 });
  s.fs.symlink("f", "/l");
  const b = s.alloc(96);
  assert.equal(s.call("stat64", s.str("/f"), b), 0);
  const f = stat64(s, b);
  assert.deepEqual(
    {
      mode: f.mode,
      nlink: f.nlink,
      uid: f.uid,
      gid: f.gid,
      size: f.size,
      blocks: f.blocks,
    },
    { mode: 0o100640, nlink: 1, uid: UID, gid: GID, size: 5000, blocks: 16 },
  );
  assert.equal(f.blksize, 4096);
  assert.equal(f.ino, s.fs.find("/f")!.ino);
  assert.equal(f.dev, FS_DEV);
  assert.equal(s.call("stat64", s.str("/l"), b), 0);
  assert.equal(stat64(s, b).ino, f.ino, "stat follows links");
  assert.equal(s.call("lstat64", s.str("/l"), b), 0);
  assert.equal(stat64(s, b).mode, 0o120777);
  assert.equal(stat64(s, b).size, 1, "a link's size is its target's length");
  assert.equal(s.call("fstatat64", -100, s.str("l"), b, 0x100), 0);
  assert.equal(stat64(s, b).mode, 0o120777, "AT_SYMLINK_NOFOLLOW");
  const fd = s.open("/f");
  assert.equal(s.call("fstatat64", fd, s.str(""), b, 0x1000), 0);
  assert.equal(stat64(s, b).ino, f.ino, "AT_EMPTY_PATH");
  assert.equal(s.call("fstat64", fd, b), 0);
  assert.equal(stat64(s, b).size, 5000);
  assert.equal(s.call("stat64", s.str("/d/none"), b), -ENOENT);
  assert.equal(s.call("stat64", s.str("/f"), UNMAPPED), -EFAULT);
  assert.equal(s.call("fstatat64", -100, s.str("/f"), b, 0x4), -EINVAL);
  assert.equal(s.call("stat64", s.str("/"), b), 0);
  assert.equal(stat64(s, b).mode, 0o40755);
  assert.equal(stat64(s, b).nlink, 2);
});

test("stat: old struct stat and __old_kernel_stat layouts", () => {
  const s = new Sys();
  s.fs.writeFile("/f", new Uint8Array(77), { mode: 0o600 });
  const b = s.alloc(64);
  assert.equal(s.call("stat", s.str("/f"), b), 0);
  assert.equal(s.m.r16(b + 8), 0o100600);
  assert.equal(s.m.r16(b + 10), 1);
  assert.equal(s.m.r16(b + 12), UID);
  assert.equal(s.u32(b + 20), 77);
  assert.equal(s.u32(b + 4), s.fs.find("/f")!.ino);
  assert.equal(s.call("oldstat", s.str("/f"), b), 0);
  assert.equal(s.m.r16(b + 4), 0o100600);
  assert.equal(s.u32(b + 16), 77);
});

test("stat: statx", () => {
  const s = new Sys();
  s.fs.writeFile("/f", new Uint8Array(10));
  const b = s.alloc(256);
  assert.equal(s.call("statx", -100, s.str("/f"), 0, 0x7ff, b), 0);
  assert.equal(s.u32(b), 0x7ff, "basic stats");
  assert.equal(s.m.r16(b + 28), 0o100644);
  assert.equal(s.u32(b + 40), 10);
  assert.equal(s.u32(b + 32), s.fs.find("/f")!.ino);
  assert.equal(s.u32(b + 64), EPOCH_SEC, "atime: the guest clock's epoch");
  assert.equal(s.u32(b + 140), 0x20, "dev minor");
  assert.equal(s.call("statx", -100, s.str("/f"), 0x80000, 0x7ff, b), -EINVAL);
  assert.equal(
    s.call("statx", 1, 0, 0x1000, 0x7ff, b),
    0,
    "NULL path with AT_EMPTY_PATH",
  );
  assert.equal(s.m.r16(b + 28) & 0o170000, 0o010000);
});

test("stat: timestamps come from the guest clock", () => {
  const s = new Sys();
  s.c.icount = 2_500_000_123;
  const fd = s.open("/t", O_CREAT | O_WRONLY);
  const b = s.alloc(96);
  s.call("fstat64", fd, b);
  assert.equal(stat64(s, b).mtime, EPOCH_SEC + 2);
  assert.equal(stat64(s, b).mtimeNsec, 500_000_123);
  s.c.icount = 7_000_000_000;
  s.write(fd, "x");
  s.call("fstat64", fd, b);
  assert.equal(stat64(s, b).mtime, EPOCH_SEC + 7);
  assert.equal(
    s.fs.find("/")!.mtime.sec,
    EPOCH_SEC + 2,
    "the directory changed at creation",
  );
});

test("stat: access, chmod, chown, umask, utimensat", () => {
  const s = new Sys();
  s.fs.writeFile("/f", enc.encode(""), { mode: 0o644 });
  s.fs.writeFile("/rootfile", enc.encode(""), { mode: 0o600, uid: 0, gid: 0 });
  assert.equal(s.call("access", s.str("/f"), 0), 0);
  assert.equal(s.call("access", s.str("/f"), 6), 0);
  assert.equal(s.call("access", s.str("/f"), 1), -EACCES);
  assert.equal(s.call("access", s.str("/rootfile"), 4), -EACCES);
  assert.equal(s.call("access", s.str("/nope"), 0), -ENOENT);
  assert.equal(s.call("access", s.str("/f"), 8), -EINVAL);
  assert.equal(s.call("faccessat2", -100, s.str("/f"), 2, 0x200), 0);
  assert.equal(s.call("chmod", s.str("/f"), 0o4755), 0);
  assert.equal(s.fs.find("/f")!.mode, 0o4755);
  assert.equal(s.call("access", s.str("/f"), 1), 0);
  assert.equal(s.call("chmod", s.str("/rootfile"), 0o777), -EPERM);
  assert.equal(s.call("fchmod", s.open("/f"), 0o600), 0);
  assert.equal(s.fs.find("/f")!.mode, 0o600);
  assert.equal(s.call("chown32", s.str("/f"), 0, 0xffffffff), 0, "recorded");
  assert.equal(s.fs.find("/f")!.uid, 0);
  assert.equal(s.fs.find("/f")!.gid, GID);
  assert.equal(s.call("lchown", s.str("/f"), 0xffff, 5), 0);
  assert.equal(s.fs.find("/f")!.gid, 5);
  assert.equal(s.call("umask", 0o077), 0o022);
  assert.equal(s.call("umask", 0o022), 0o077);
  s.call("umask", 0o077);
  s.call("close", s.open("/new", O_CREAT | O_WRONLY, 0o666));
  assert.equal(s.fs.find("/new")!.mode, 0o600);
  // utimensat: explicit times, UTIME_OMIT, UTIME_NOW
  const ts = s.data(
    new Uint8Array(new Uint32Array([100, 5, 200, (1 << 30) - 2]).buffer),
  );
  assert.equal(s.call("utimensat", -100, s.str("/new"), ts, 0), 0);
  const n = s.fs.find("/new")!;
  assert.deepEqual(n.atime, { sec: 100, nsec: 5 });
  assert.equal(n.mtime.sec, EPOCH_SEC, "UTIME_OMIT left it");
  s.c.icount = 3e9;
  assert.equal(s.call("utimensat", -100, s.str("/new"), 0, 0), 0);
  assert.equal(n.mtime.sec, EPOCH_SEC + 3);
  const bad = s.data(new Uint8Array(new Uint32Array([1, 2e9, 0, 0]).buffer));
  assert.equal(s.call("utimensat", -100, s.str("/new"), bad, 0), -EINVAL);
  assert.equal(s.call("utimensat", -100, 0, 0, 0), -EFAULT);
  assert.equal(s.call("utimensat", s.open("/new"), 0, 0, 0), 0, "futimens");
  const tv = s.data(new Uint8Array(new Uint32Array([50, 1, 60, 2]).buffer));
  assert.equal(s.call("utimes", s.str("/new"), tv), 0);
  assert.deepEqual(n.mtime, { sec: 60, nsec: 2000 });
  assert.equal(s.call("utimensat", -100, s.str("/rootfile"), ts, 0), -EPERM);
});

test("stat: O_PATH descriptors can be stat'ed but not read", () => {
  const s = new Sys();
  s.fs.writeFile("/f", enc.encode("x"));
  const fd = s.open("/f", O_PATH);
  assert.ok(fd > 0);
  assert.equal(s.call("fstat64", fd, s.alloc(96)), 0);
  assert.equal(s.call("read", fd, s.alloc(4), 4), -9 /* EBADF */);
});

test("stat: statfs64 describes a tmpfs-like file system", () => {
  const s = new Sys();
  const b = s.alloc(84);
  assert.equal(s.call("statfs64", s.str("/"), 84, b), 0);
  assert.equal(s.u32(b), 0x01021994);
  assert.equal(s.u32(b + 4), 4096);
  assert.equal(s.u32(b + 56), 255);
  assert.equal(s.call("statfs64", s.str("/"), 80, b), -EINVAL);
  assert.equal(s.call("fstatfs", 0, b), 0);
});
