import type { Memory } from "../../memory/memory.ts";
import {
  getI64,
  guestBytes,
  joinI64,
  putU32,
  readStruct,
  Struct,
} from "../abi.ts";
import {
  EBADF,
  EINVAL,
  ENOTTY,
  ENXIO,
  EOVERFLOW,
  ESPIPE,
  LinuxError,
} from "../errno.ts";
import {
  canWrite,
  O_CLOEXEC,
  O_DIRECT,
  O_NONBLOCK,
  O_RDONLY,
  O_WRONLY,
  type OpenFile,
  SETFL_MASK,
} from "../files.ts";
import { consume, MAX_RW, pendingBytes, readFrom, writeTo } from "../io.ts";
import type { Linux } from "../linux.ts";
import { PIPE_CAPACITY } from "../pipe.ts";
import { seekDir } from "./dirs.ts";
import type { Call, SyscallTable } from "./types.ts";

/** Reading, writing and seeking open files; descriptors (dup, fcntl, pipe, ioctl). */

const SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2, SEEK_DATA = 3, SEEK_HOLE = 4;
/** Most iovecs in one readv/writev. */
const UIO_MAXIOV = 1024;

function read(
  s: Call,
  fd: number,
  buf: number,
  n: number,
  at?: number,
): number {
  const f = s.k.file(fd);
  const data = readFrom(s.k, f, n, at);
  s.m.write(buf, data);
  consume(s.k, f, data.length, at);
  return data.length;
}

function write(
  s: Call,
  fd: number,
  buf: number,
  n: number,
  at?: number,
): number {
  const f = s.k.file(fd);
  if (!canWrite(f)) throw new LinuxError(EBADF);
  return writeTo(s.k, f, guestBytes(s.m, buf, Math.min(n, MAX_RW)), at);
}

/** An explicit file position (pread, pwrite): must not be negative. */
function position(lo: number, hi: number): number {
  const pos = joinI64(lo, hi);
  if (pos < 0) throw new LinuxError(EINVAL);
  return pos;
}

/** The (address, length) pairs of an iovec array. */
function iovecs(m: Memory, iov: number, count: number): [number, number][] {
  if ((count | 0) < 0 || count > UIO_MAXIOV) throw new LinuxError(EINVAL);
  const v = readStruct(m, iov, count * 8);
  const out: [number, number][] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const len = v.getUint32(i * 8 + 4, true);
    if (len > 0x7fffffff || (total += len) > 0x7fffffff) {
      throw new LinuxError(EINVAL);
    }
    out.push([v.getUint32(i * 8, true), len]);
  }
  return out;
}

function readv(
  s: Call,
  fd: number,
  iov: number,
  count: number,
  at?: number,
): number {
  const f = s.k.file(fd);
  const vecs = iovecs(s.m, iov, count);
  const data = readFrom(s.k, f, vecs.reduce((n, [, len]) => n + len, 0), at);
  let done = 0;
  for (const [base, len] of vecs) {
    if (done === data.length) break;
    const part = data.subarray(done, done + len);
    s.m.write(base, part);
    done += part.length;
  }
  consume(s.k, f, data.length, at);
  return data.length;
}

function writev(
  s: Call,
  fd: number,
  iov: number,
  count: number,
  at?: number,
): number {
  const f = s.k.file(fd);
  if (!canWrite(f)) throw new LinuxError(EBADF);
  const parts = iovecs(s.m, iov, count).map(([base, len]) =>
    guestBytes(s.m, base, len)
  );
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at0 = 0;
  for (const p of parts) {
    data.set(p, at0);
    at0 += p.length;
  }
  return writeTo(s.k, f, data, at);
}

/** lseek on any kind of open file; returns the new offset. */
function seek(k: Linux, f: OpenFile, off: number, whence: number): number {
  if (whence > SEEK_HOLE) throw new LinuxError(EINVAL);
  if (f.kind === "pipe") throw new LinuxError(ESPIPE);
  if (f.kind === "epoll") return f.offset; // Linux's noop_llseek
  const node = k.fs.get(f.target);
  if (node.kind === "dir") return seekDir(k, f, node, off, whence);
  if (node.kind !== "file") return 0;
  let pos: number;
  switch (whence) {
    case SEEK_SET:
      pos = off;
      break;
    case SEEK_CUR:
      pos = f.offset + off;
      break;
    case SEEK_END:
      pos = node.size + off;
      break;
    default: // SEEK_DATA, SEEK_HOLE: files have no holes
      if (off < 0) throw new LinuxError(EINVAL);
      if (off >= node.size) throw new LinuxError(ENXIO);
      pos = whence === SEEK_DATA ? off : node.size;
  }
  if (pos < 0) throw new LinuxError(EINVAL);
  f.offset = pos;
  return pos;
}

function sendfile(s: Call, a: number[], wide: boolean): number {
  const [outFd, inFd, offp, count] = a;
  const input = s.k.file(inFd);
  const output = s.k.file(outFd);
  if (!canWrite(output)) throw new LinuxError(EBADF);
  let at: number | undefined;
  if (offp) {
    const v = readStruct(s.m, offp, wide ? 8 : 4);
    at = wide ? getI64(v, 0) : v.getInt32(0, true);
    if (at < 0) throw new LinuxError(EINVAL);
  }
  const data = readFrom(s.k, input, Math.min(count, MAX_RW), at);
  const n = writeTo(s.k, output, data);
  consume(s.k, input, n, at);
  if (at !== undefined) {
    new Struct(wide ? 8 : 4)[wide ? "u64" : "u32"](0, at + n).write(s.m, offp);
  }
  return n;
}

const F_DUPFD = 0,
  F_GETFD = 1,
  F_SETFD = 2,
  F_GETFL = 3,
  F_SETFL = 4,
  F_GETLK = 5,
  F_SETLK = 6,
  F_SETLKW = 7,
  F_SETOWN = 8,
  F_GETOWN = 9,
  F_GETLK64 = 12,
  F_SETLK64 = 13,
  F_SETLKW64 = 14,
  F_OFD_GETLK = 36,
  F_OFD_SETLK = 37,
  F_OFD_SETLKW = 38,
  F_DUPFD_CLOEXEC = 1030,
  F_SETPIPE_SZ = 1031,
  F_GETPIPE_SZ = 1032;
const F_UNLCK = 2;

function fcntl(s: Call, fd: number, cmd: number, arg: number): number {
  const k = s.k;
  const f = k.file(fd);
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
      if (arg >= k.limits[7][0]) throw new LinuxError(EINVAL);
      return k.installFd(f, cmd === F_DUPFD_CLOEXEC, arg);
    case F_GETFD:
      return k.fds.get(fd)!.cloexec ? 1 : 0;
    case F_SETFD:
      k.fds.get(fd)!.cloexec = (arg & 1) === 1;
      return 0;
    case F_GETFL:
      return f.flags;
    case F_SETFL:
      f.flags = (f.flags & ~SETFL_MASK) | (arg & SETFL_MASK);
      return 0;
    case F_GETLK:
    case F_GETLK64:
    case F_OFD_GETLK:
      // One process holds every lock there is: nothing conflicts.
      new Struct(2).u16(0, F_UNLCK).write(s.m, arg);
      return 0;
    case F_SETLK:
    case F_SETLKW:
    case F_SETLK64:
    case F_SETLKW64:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
      readStruct(s.m, arg, cmd === F_SETLK || cmd === F_SETLKW ? 16 : 24);
      return 0;
    case F_GETOWN:
    case F_SETOWN:
      return 0;
    case F_GETPIPE_SZ:
    case F_SETPIPE_SZ:
      if (f.kind !== "pipe") throw new LinuxError(EBADF);
      return PIPE_CAPACITY;
    default:
      throw new LinuxError(EINVAL);
  }
}

const FIONREAD = 0x541b, FIONBIO = 0x5421, FIONCLEX = 0x5450, FIOCLEX = 0x5451;

/** ioctl: no descriptor is a terminal, so terminal requests fail with ENOTTY. */
function ioctl(s: Call, fd: number, req: number, arg: number): number {
  const k = s.k;
  const f = k.file(fd);
  switch (req) {
    case FIONREAD:
      putU32(s.m, arg, pendingBytes(k, f));
      return 0;
    case FIONBIO:
      if (readStruct(s.m, arg, 4).getInt32(0, true)) f.flags |= O_NONBLOCK;
      else f.flags &= ~O_NONBLOCK;
      return 0;
    case FIOCLEX:
    case FIONCLEX:
      k.fds.get(fd)!.cloexec = req === FIOCLEX;
      return 0;
    default:
      throw new LinuxError(ENOTTY);
  }
}

function pipe2(s: Call, fds: number, flags: number): number {
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) {
    throw new LinuxError(EINVAL);
  }
  const k = s.k;
  const p = k.newPipe();
  const status = flags & O_NONBLOCK;
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const ends: number[] = [];
  try {
    ends.push(k.installFd(k.openPipe(p, O_RDONLY | status), cloexec));
    ends.push(k.installFd(k.openPipe(p, O_WRONLY | status), cloexec));
    new Struct(8).u32(0, ends[0]).u32(4, ends[1]).write(s.m, fds);
  } catch (e) {
    for (const fd of ends) k.closeFd(fd);
    throw e;
  }
  return 0;
}

function dup3(s: Call, oldFd: number, newFd: number, flags: number): number {
  const k = s.k;
  const f = k.file(oldFd);
  if (newFd >= k.limits[7][0]) throw new LinuxError(EBADF);
  k.setFd(newFd, f, (flags & O_CLOEXEC) !== 0);
  return newFd;
}

const CLOSE_RANGE_UNSHARE = 2, CLOSE_RANGE_CLOEXEC = 4;

function closeRange(
  s: Call,
  first: number,
  last: number,
  flags: number,
): number {
  if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) || first > last) {
    throw new LinuxError(EINVAL);
  }
  for (const [fd, e] of [...s.k.fds.entries()]) {
    if (fd < first || fd > last) continue;
    if (flags & CLOSE_RANGE_CLOEXEC) e.cloexec = true;
    else s.k.closeFd(fd);
  }
  return 0;
}

/** System calls of this module by number. */
export const ioCalls: SyscallTable = {
  3: {
    name: "read",
    args: "fd,rbuf,u",
    fn: (s, a) => read(s, a[0], a[1], a[2]),
  },
  4: {
    name: "write",
    args: "fd,wbuf,u",
    fn: (s, a) => write(s, a[0], a[1], a[2]),
  },
  6: { name: "close", args: "fd", fn: (s, a) => (s.k.closeFd(a[0]), 0) },
  19: {
    name: "lseek",
    args: "fd,d,d",
    fn: (s, a) => {
      const pos = seek(s.k, s.k.file(a[0]), a[1] | 0, a[2]);
      if (pos > 0x7fffffff) throw new LinuxError(EOVERFLOW);
      return pos;
    },
  },
  140: {
    name: "_llseek",
    args: "fd,d,u,x,d",
    fn: (s, a) => {
      const f = s.k.file(a[0]);
      // Check the result pointer first: a bad one must not move the offset.
      readStruct(s.m, a[3], 8);
      const pos = seek(s.k, f, joinI64(a[2], a[1]), a[4]);
      new Struct(8).u64(0, pos).write(s.m, a[3]);
      return 0;
    },
  },
  41: {
    name: "dup",
    args: "fd",
    fn: (s, a) => s.k.installFd(s.k.file(a[0]), false),
  },
  63: {
    name: "dup2",
    args: "fd,fd",
    fn: (s, a) =>
      a[0] === a[1] ? (s.k.file(a[0]), a[1]) : dup3(s, a[0], a[1], 0),
  },
  330: {
    name: "dup3",
    args: "fd,fd,x",
    fn: (s, a) => {
      if (a[0] === a[1] || a[2] & ~O_CLOEXEC) throw new LinuxError(EINVAL);
      return dup3(s, a[0], a[1], a[2]);
    },
  },
  55: {
    name: "fcntl",
    args: "fd,d,x",
    fn: (s, a) => fcntl(s, a[0], a[1], a[2]),
  },
  221: {
    name: "fcntl64",
    args: "fd,d,x",
    fn: (s, a) => fcntl(s, a[0], a[1], a[2]),
  },
  54: {
    name: "ioctl",
    args: "fd,x,x",
    fn: (s, a) => ioctl(s, a[0], a[1], a[2]),
  },
  42: { name: "pipe", args: "x", fn: (s, a) => pipe2(s, a[0], 0) },
  331: { name: "pipe2", args: "x,oflags", fn: (s, a) => pipe2(s, a[0], a[1]) },
  145: {
    name: "readv",
    args: "fd,x,d",
    fn: (s, a) => readv(s, a[0], a[1], a[2]),
  },
  146: {
    name: "writev",
    args: "fd,x,d",
    fn: (s, a) => writev(s, a[0], a[1], a[2]),
  },
  180: {
    name: "pread64",
    args: "fd,rbuf,u,u,u",
    fn: (s, a) => read(s, a[0], a[1], a[2], position(a[3], a[4])),
  },
  181: {
    name: "pwrite64",
    args: "fd,wbuf,u,u,u",
    fn: (s, a) => write(s, a[0], a[1], a[2], position(a[3], a[4])),
  },
  333: {
    name: "preadv",
    args: "fd,x,d,u,u",
    fn: (s, a) => readv(s, a[0], a[1], a[2], position(a[3], a[4])),
  },
  334: {
    name: "pwritev",
    args: "fd,x,d,u,u",
    fn: (s, a) => writev(s, a[0], a[1], a[2], position(a[3], a[4])),
  },
  187: {
    name: "sendfile",
    args: "fd,fd,x,u",
    fn: (s, a) => sendfile(s, a, false),
  },
  239: {
    name: "sendfile64",
    args: "fd,fd,x,u",
    fn: (s, a) => sendfile(s, a, true),
  },
  118: { name: "fsync", args: "fd", fn: (s, a) => (s.k.file(a[0]), 0) },
  148: { name: "fdatasync", args: "fd", fn: (s, a) => (s.k.file(a[0]), 0) },
  344: { name: "syncfs", args: "fd", fn: (s, a) => (s.k.file(a[0]), 0) },
  36: { name: "sync", args: "", fn: () => 0 },
  143: { name: "flock", args: "fd,d", fn: (s, a) => (s.k.file(a[0]), 0) },
  250: {
    name: "fadvise64",
    args: "fd,u,u,u,d",
    fn: (s, a) => (s.k.file(a[0]), 0),
  },
  272: {
    name: "fadvise64_64",
    args: "fd,u,u,u,u,d",
    fn: (s, a) => (s.k.file(a[0]), 0),
  },
  436: {
    name: "close_range",
    args: "u,u,x",
    fn: (s, a) => closeRange(s, a[0], a[1], a[2]),
  },
};
