import { assert, test } from "../harness.ts";
import {
  EACCES,
  EAGAIN,
  EBADF,
  EEXIST,
  EFAULT,
  EINVAL,
  EISDIR,
  ELOOP,
  EMFILE,
  ENOENT,
  ENOSPC,
  ENOTDIR,
  ENOTTY,
  ENXIO,
  EPIPE,
  ESPIPE,
} from "../../core/linux/errno.ts";
import {
  O_APPEND,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
} from "../../core/linux/files.ts";
import { standardLayout } from "../../core/linux/fs/layout.ts";
import { dec, enc, READONLY, Sys, UNMAPPED } from "./sys.ts";

test("files: create, write, seek, read back, append, truncate", () => {
  const s = new Sys();
  const fd = s.open("/a.txt", O_CREAT | O_RDWR, 0o600);
  assert.equal(fd, 3);
  assert.equal(s.write(fd, "hello "), 6);
  assert.equal(s.write(fd, "world"), 5);
  assert.equal(s.call("lseek", fd, 0, 0), 0);
  assert.equal(s.read(fd), "hello world");
  assert.equal(s.read(fd), "", "end of file");
  assert.equal(s.call("lseek", fd, -5, 2), 6, "SEEK_END");
  assert.equal(s.read(fd, 3), "wor");
  assert.equal(s.call("lseek", fd, 1, 1), 10, "SEEK_CUR");
  assert.equal(s.call("lseek", fd, -1, 0), -EINVAL);
  assert.equal(s.call("close", fd), 0);
  assert.equal(dec.decode(s.fs.readFile("/a.txt")), "hello world");

  const ap = s.open("/a.txt", O_WRONLY | O_APPEND);
  s.call("lseek", ap, 0, 0);
  s.write(ap, "!");
  assert.equal(dec.decode(s.fs.readFile("/a.txt")), "hello world!");
  assert.equal(s.call("ftruncate", ap, 5), 0);
  assert.equal(dec.decode(s.fs.readFile("/a.txt")), "hello");
  assert.equal(s.call("truncate", s.str("/a.txt"), 8), 0);
  assert.deepEqual([...s.fs.readFile("/a.txt").subarray(5)], [0, 0, 0]);
  assert.equal(
    s.call("ftruncate", s.open("/a.txt"), 0),
    -EINVAL,
    "read-only descriptor",
  );
  const t = s.open("/a.txt", O_WRONLY | O_TRUNC);
  assert.ok(t > 0);
  assert.equal(s.fs.readFile("/a.txt").length, 0);
});

test("files: growing a file in many small writes keeps every byte", () => {
  const s = new Sys();
  const fd = s.open("/big", O_CREAT | O_WRONLY);
  const chunk = s.data("0123456789abcdef");
  for (let i = 0; i < 20000; i++) {
    assert.equal(s.call("write", fd, chunk, 16), 16);
  }
  const data = s.fs.readFile("/big");
  assert.equal(data.length, 320000);
  assert.equal(dec.decode(data.subarray(319984)), "0123456789abcdef");
});

test("files: pread/pwrite, readv/writev, _llseek, sendfile", () => {
  const s = new Sys();
  s.fs.writeFile("/f", enc.encode("abcdefghij"));
  const fd = s.open("/f", O_RDWR);
  const buf = s.alloc(16);
  assert.equal(s.call("pread64", fd, buf, 3, 4, 0), 3);
  assert.equal(s.text(buf, 3), "efg");
  assert.equal(s.call("pwrite64", fd, s.data("XY"), 2, 8, 0), 2);
  assert.equal(s.call("lseek", fd, 0, 1), 0, "pread/pwrite leave the offset");
  assert.equal(s.call("pread64", fd, buf, 1, 0xffffffff, 0xffffffff), -EINVAL);
  // readv into two buffers
  const a = s.alloc(4), b = s.alloc(8);
  const iov = s.alloc(16);
  s.m.write(iov, new Uint8Array(new Uint32Array([a, 4, b, 8]).buffer));
  assert.equal(s.call("readv", fd, iov, 2), 10);
  assert.equal(s.text(a, 4) + s.text(b, 6), "abcdefghXY");
  // writev from two buffers
  s.m.write(a, enc.encode("1234"));
  s.m.write(b, enc.encode("56"));
  s.m.write(iov, new Uint8Array(new Uint32Array([a, 4, b, 2]).buffer));
  assert.equal(s.call("writev", fd, iov, 2), 6);
  assert.equal(dec.decode(s.fs.readFile("/f")), "abcdefghXY123456");
  // _llseek writes a 64-bit result
  const res = s.alloc(8);
  assert.equal(s.call("_llseek", fd, 0, 3, res, 0), 0);
  assert.equal(s.u32(res), 3);
  assert.equal(s.u32(res + 4), 0);
  assert.equal(s.call("_llseek", fd, 0, 3, UNMAPPED, 0), -EFAULT);
  assert.equal(s.call("lseek", fd, 0, 1), 3, "a failed _llseek moves nothing");
  // sendfile to stdout, from an explicit offset
  const off = s.data(new Uint8Array(new Uint32Array([2]).buffer));
  assert.equal(s.call("sendfile", 1, fd, off, 4), 4);
  assert.equal(s.u32(off), 6);
  assert.equal(dec.decode(s.k.stdout), "cdef");
});

test("files: open errors", () => {
  const s = new Sys();
  s.fs.mkdirp("/d");
  s.fs.writeFile("/d/f", enc.encode("x"));
  s.fs.symlink("f", "/d/link");
  s.fs.symlink("loop", "/d/loop");
  assert.equal(s.open("/nope"), -ENOENT);
  assert.equal(s.open("/nope/x", O_CREAT | O_WRONLY), -ENOENT);
  assert.equal(s.open("/d/f/x"), -ENOTDIR);
  assert.equal(s.open("/d/f", O_CREAT | O_EXCL | O_WRONLY), -EEXIST);
  assert.equal(s.open("/d", O_WRONLY), -EISDIR);
  assert.equal(s.open("/d", O_CREAT | O_RDONLY), -EISDIR);
  assert.equal(s.open("/d/f", O_DIRECTORY), -ENOTDIR);
  assert.equal(s.open("/d/f/"), -ENOTDIR);
  assert.equal(s.open("/d/link", O_NOFOLLOW), -ELOOP);
  assert.equal(s.open("/d/loop"), -ELOOP);
  assert.equal(s.open("/d/link", 3), -EINVAL, "access mode 3");
  assert.equal(s.call("open", UNMAPPED, 0, 0), -EFAULT);
  assert.equal(s.call("open", 0, 0, 0), -EFAULT);
  assert.ok(s.open("/d/link") > 0, "symbolic links are followed");
  assert.ok(s.open("/d", O_DIRECTORY) > 0);
  // O_CREAT through a dangling symlink creates its target
  s.fs.symlink("made", "/d/dangling");
  assert.ok(s.open("/d/dangling", O_CREAT | O_WRONLY) > 0);
  assert.ok(s.fs.find("/d/made")?.kind === "file");
  // permissions: the guest user is not root
  s.fs.writeFile("/secret", enc.encode("s"), { mode: 0o200 });
  assert.equal(s.open("/secret"), -EACCES);
  assert.ok(s.open("/secret", O_WRONLY) > 0);
  s.fs.mkdirp("/locked", { mode: 0o600 });
  s.fs.writeFile("/locked/x", enc.encode(""));
  assert.equal(s.open("/locked/x"), -EACCES, "no search permission");
  // a file created with a read-only mode is still writable through its creating open
  const ro = s.open("/ro", O_CREAT | O_WRONLY, 0o444);
  assert.equal(s.write(ro, "ok"), 2);
  assert.equal(s.open("/ro", O_WRONLY), -EACCES);
});

test("files: bad descriptors and bad buffers", () => {
  const s = new Sys();
  const buf = s.alloc(8);
  assert.equal(s.call("read", 99, buf, 8), -EBADF);
  assert.equal(s.call("write", 99, buf, 8), -EBADF);
  assert.equal(s.call("close", 99), -EBADF);
  assert.equal(s.call("read", 1, buf, 8), -EBADF, "stdout is write-only");
  assert.equal(s.call("write", 0, buf, 8), -EBADF, "stdin is read-only");
  assert.equal(s.call("write", 1, UNMAPPED, 8), -EFAULT);
  assert.equal(
    s.call("write", 1, buf, 0x7fffffff),
    -EFAULT,
    "huge lengths fault, not allocate",
  );
  s.fs.writeFile("/f", enc.encode("data"));
  const fd = s.open("/f");
  assert.equal(s.call("read", fd, READONLY, 4), -EFAULT);
  assert.equal(
    s.call("lseek", fd, 0, 1),
    0,
    "a faulting read consumes nothing",
  );
  assert.equal(s.call("lseek", 1, 0, 0), -ESPIPE);
  assert.equal(s.call("lseek", fd, 0, 9), -EINVAL);
  const d = s.open("/", O_DIRECTORY);
  assert.equal(s.call("read", d, buf, 8), -EISDIR);
});

test("files: dup, dup2, dup3, fcntl share offsets and track close-on-exec", () => {
  const s = new Sys();
  s.fs.writeFile("/f", enc.encode("0123456789"));
  const fd = s.open("/f");
  const d = s.call("dup", fd);
  assert.equal(d, 4);
  assert.equal(s.read(fd, 3), "012");
  assert.equal(s.read(d, 3), "345", "dup shares the offset");
  assert.equal(s.call("dup2", fd, 10), 10);
  assert.equal(s.call("dup2", fd, fd), fd);
  assert.equal(s.call("dup2", 77, 10), -EBADF);
  assert.equal(s.call("dup3", fd, fd, 0), -EINVAL);
  assert.equal(s.call("dup3", fd, 11, O_CLOEXEC), 11);
  assert.equal(s.call("fcntl64", 11, 1 /* F_GETFD */), 1);
  assert.equal(s.call("fcntl64", 10, 1), 0);
  assert.equal(s.call("fcntl64", 10, 2, /* F_SETFD */ 1), 0);
  assert.equal(s.call("fcntl64", 10, 1), 1);
  assert.equal(s.call("fcntl64", fd, 0, /* F_DUPFD */ 20), 20);
  assert.equal(s.call("fcntl64", fd, 1030, /* F_DUPFD_CLOEXEC */ 20), 21);
  assert.equal(s.call("fcntl64", 21, 1), 1);
  assert.equal(s.call("fcntl64", fd, 3 /* F_GETFL */), O_RDONLY);
  assert.equal(
    s.call("fcntl64", fd, 4, /* F_SETFL */ O_NONBLOCK | O_APPEND | O_WRONLY),
    0,
  );
  assert.equal(
    s.call("fcntl64", fd, 3),
    O_NONBLOCK | O_APPEND,
    "access mode is kept",
  );
  assert.equal(s.call("fcntl64", fd, 999), -EINVAL);
  assert.equal(s.call("fcntl64", 55, 1), -EBADF);
  // locks: nothing conflicts
  const fl = s.alloc(24);
  assert.equal(s.call("fcntl64", fd, 13, /* F_SETLK64 */ fl), 0);
  assert.equal(s.call("fcntl64", fd, 12, /* F_GETLK64 */ fl), 0);
  assert.equal(s.m.r16(fl), 2, "F_UNLCK");
  s.call("close", fd);
  assert.equal(
    s.read(d, 2),
    "67",
    "the description lives while a duplicate is open",
  );
  assert.equal(s.call("close_range", 3, 100, 0), 0);
  assert.equal(s.call("close", d), -EBADF);
});

test("files: descriptors run out at RLIMIT_NOFILE", () => {
  const s = new Sys();
  s.fs.writeFile("/f", new Uint8Array(0));
  let last = 0;
  for (let i = 3; i < 1024; i++) last = s.open("/f");
  assert.equal(last, 1023);
  assert.equal(s.open("/f"), -EMFILE);
  assert.equal(s.call("dup", 0), -EMFILE);
  assert.equal(s.call("pipe", s.alloc(8)), -EMFILE);
  assert.equal(s.k.files.size, 1024, "failed opens leave no open file behind");
});

test("files: pipes carry bytes, report EOF, EAGAIN and EPIPE", () => {
  const s = new Sys();
  const fds = s.alloc(8);
  assert.equal(s.call("pipe2", fds, O_NONBLOCK), 0);
  const [r, w] = [s.i32(fds), s.i32(fds + 4)];
  assert.deepEqual([r, w], [3, 4]);
  assert.equal(s.write(w, "ping"), 4);
  const n = s.alloc(4);
  assert.equal(s.call("ioctl", r, 0x541b, /* FIONREAD */ n), 0);
  assert.equal(s.u32(n), 4);
  assert.equal(s.read(r, 2), "pi");
  assert.equal(s.read(r), "ng");
  const buf = s.alloc(4);
  assert.equal(s.call("read", r, buf, 4), -EAGAIN);
  assert.equal(s.call("lseek", r, 0, 0), -ESPIPE);
  // a full pipe refuses more (non-blocking)
  const big = s.alloc(70000);
  assert.equal(s.call("write", w, big, 70000), 65536);
  assert.equal(s.call("write", w, big, 10), -EAGAIN);
  s.call("close", w);
  let total = 0;
  for (let got; (got = s.call("read", r, big, 70000)) > 0;) total += got;
  assert.equal(total, 65536);
  assert.equal(s.call("read", r, buf, 4), 0, "EOF once the writer is gone");
  // writing with no reader: SIGPIPE (ignored here) and EPIPE
  assert.equal(s.call("pipe", fds), 0);
  s.call("close", s.i32(fds));
  const act = s.data(
    new Uint8Array(new Uint32Array([1, /* SIG_IGN */ 0, 0, 0, 0]).buffer),
  );
  assert.equal(s.call("rt_sigaction", 13, act, 0, 8), 0);
  assert.equal(s.write(s.i32(fds + 4), "x"), -EPIPE);
  assert.equal(s.k.exit, undefined);
  // ...and with the default action, SIGPIPE kills
  assert.equal(s.call("rt_sigaction", 13, s.data(new Uint8Array(20)), 0, 8), 0);
  s.write(s.i32(fds + 4), "x");
  assert.deepEqual(s.k.exit, { kind: "killed", signal: 13 });
  assert.equal(s.k.exitCode, 141);
  assert.ok(s.c.halted);
});

test("files: reading an empty pipe this process writes stops the guest at its int 0x80", () => {
  const s = new Sys();
  const fds = s.alloc(8);
  s.call("pipe", fds);
  s.c.eip = 0x1002;
  s.call("read", s.i32(fds), s.alloc(4), 4);
  assert.ok(s.c.halted);
  assert.equal(s.c.eip, 0x1000, "EIP rewound to the int 0x80");
  assert.match(s.k.blocked!, /empty pipe/);
  assert.equal(s.k.exit, undefined);
});

test("files: stdin is a pipe the host fills; it may stay open for more input", () => {
  const s = new Sys({ stdin: enc.encode("line 1\n") });
  assert.equal(s.read(0), "line 1\n");
  assert.equal(s.read(0), "", "EOF after the bytes given");
  const t = new Sys({ stdin: enc.encode("a"), stdinOpen: true });
  assert.equal(t.read(0), "a");
  t.call("read", 0, t.alloc(4), 4);
  assert.ok(t.c.halted);
  assert.equal(t.k.blocked, "waiting for input on stdin");
  t.k.writeStdin(enc.encode("more"));
  t.c.halted = false;
  assert.equal(t.read(0), "more", "the retried read gets the new input");
  t.k.closeStdin();
  assert.equal(t.read(0), "");
  assert.equal(
    t.call("ioctl", 0, 0x5401, /* TCGETS */ t.alloc(64)),
    -ENOTTY,
    "not a tty",
  );
  assert.equal(
    t.call("ioctl", 1, 0x5413, /* TIOCGWINSZ */ t.alloc(8)),
    -ENOTTY,
  );
  const st = t.alloc(96);
  assert.equal(t.call("fstat64", 1, st), 0);
  assert.equal(t.u32(st + 16) & 0o170000, 0o010000, "stdout is a FIFO");
});

test("files: stdout and stderr are captured and streamed", () => {
  const seen: [number, string][] = [];
  const s = new Sys({ onOutput: (fd, b) => seen.push([fd, dec.decode(b)]) });
  s.write(1, "out");
  s.write(2, "err");
  s.write(1, "put");
  assert.equal(dec.decode(s.k.stdout), "output");
  assert.equal(dec.decode(s.k.stderr), "err");
  assert.deepEqual(seen, [[1, "out"], [2, "err"], [1, "put"]]);
});

test("files: character devices", () => {
  const s = new Sys();
  standardLayout(s.fs);
  const buf = s.alloc(32);
  const zero = s.open("/dev/zero", O_RDWR);
  s.m.write(buf, new Uint8Array(32).fill(7));
  assert.equal(s.call("read", zero, buf, 32), 32);
  assert.deepEqual([...s.bytes(buf, 32)], new Array(32).fill(0));
  const nul = s.open("/dev/null", O_RDWR);
  assert.equal(s.call("read", nul, buf, 32), 0);
  assert.equal(s.call("write", nul, buf, 32), 32);
  assert.equal(s.call("write", s.open("/dev/full", O_WRONLY), buf, 1), -ENOSPC);
  const ur = s.open("/dev/urandom");
  assert.equal(s.call("read", ur, buf, 32), 32);
  const first = s.bytes(buf, 32);
  const again = new Sys();
  standardLayout(again.fs);
  const b2 = again.alloc(32);
  again.call("read", again.open("/dev/urandom"), b2, 32);
  assert.deepEqual(
    again.bytes(b2, 32),
    first,
    "the same seed gives the same bytes",
  );
  s.fs.mknod("/dev/weird", 0x0a0b);
  assert.equal(s.open("/dev/weird"), -ENXIO);
});
