import {
  Blocked,
  EAGAIN,
  EBADF,
  EFBIG,
  EINVAL,
  EISDIR,
  ENOSPC,
  ENXIO,
  EPIPE,
  ESPIPE,
  LinuxError,
} from "./errno.ts";
import {
  canRead,
  canWrite,
  O_APPEND,
  O_NONBLOCK,
  type OpenFile,
} from "./files.ts";
import { readAt } from "./fs/contents.ts";
import type { DeviceNode } from "./fs/node.ts";
import type { Linux } from "./linux.ts";
import { drop, enqueue, peek, type Pipe, PIPE_CAPACITY } from "./pipe.ts";
import { SIGPIPE } from "./signals.ts";
import { EPOLLIN, EPOLLOUT, EPOLLRDNORM, EPOLLWRNORM, wakePipe } from "./epoll.ts";

/**
 * Reading and writing open files of every kind: regular files, pipes
 * (including stdin/stdout/stderr) and the character devices.
 */

/** Largest regular file a guest may make (guest files live in host memory). */
export const MAX_FILE_SIZE = 1 << 30;
/** Largest count one read or write moves (Linux's MAX_RW_COUNT). */
export const MAX_RW = 0x7ffff000;
/** Writes up to this size go into a pipe whole or not at all. */
const PIPE_BUF = 4096;

/** Most bytes one read of /dev/zero or /dev/urandom returns (they are made on the host). */
const DEVICE_CHUNK = 1 << 20;

/** Devices (major << 8 | minor) fx86 implements; others open with ENXIO. */
export const DEV_NULL = 0x103,
  DEV_ZERO = 0x105,
  DEV_FULL = 0x107,
  DEV_RANDOM = 0x108,
  DEV_URANDOM = 0x109;
const DEVICES = new Set([
  DEV_NULL,
  DEV_ZERO,
  DEV_FULL,
  DEV_RANDOM,
  DEV_URANDOM,
]);

/** Throws ENXIO for a device fx86 does not implement. */
export function checkDevice(d: DeviceNode): void {
  if (!DEVICES.has(d.rdev)) throw new LinuxError(ENXIO);
}

/**
 * Up to `n` bytes readable from `f` at `at` (pread) or at its offset,
 * without consuming them: the caller copies them to the guest first and
 * then calls {@link consume}, so a bad buffer consumes nothing.
 *
 * @example
 * const data = readFrom(k, f, count);
 * m.write(buf, data);
 * consume(k, f, data.length);
 */
export function readFrom(
  k: Linux,
  f: OpenFile,
  n: number,
  at?: number,
): Uint8Array {
  if (!canRead(f)) throw new LinuxError(EBADF);
  n = Math.min(n, MAX_RW);
  if (f.kind === "pipe") {
    if (at !== undefined) throw new LinuxError(ESPIPE);
    const p = k.pipe(f);
    if (n === 0) return new Uint8Array(0);
    if (p.size === 0 && p.writers > 0) {
      if (f.flags & O_NONBLOCK) throw new LinuxError(EAGAIN);
      throw new Blocked(
        p === k.stdinPipe()
          ? "waiting for input on stdin"
          : "read from an empty pipe",
      );
    }
    return peek(p, n);
  }
  if (f.kind === "epoll") throw new LinuxError(EINVAL);
  const node = k.fs.get(f.target);
  switch (node.kind) {
    case "dir":
      throw new LinuxError(EISDIR);
    case "file":
      return readAt(node, at ?? f.offset, n);
    case "device":
      if (node.rdev === DEV_NULL) return new Uint8Array(0);
      if (node.rdev === DEV_RANDOM || node.rdev === DEV_URANDOM) {
        return k.random.bytes(Math.min(n, DEVICE_CHUNK));
      }
      return new Uint8Array(Math.min(n, DEVICE_CHUNK));
    default:
      throw new LinuxError(EINVAL);
  }
}

/** Consumes `n` bytes returned by {@link readFrom}. */
export function consume(k: Linux, f: OpenFile, n: number, at?: number): void {
  if (f.kind === "pipe") {
    const p = k.pipe(f);
    const wasFull = p.size >= PIPE_CAPACITY;
    drop(p, n);
    if (wasFull && n > 0) wakePipe(k, p, "write", EPOLLOUT | EPOLLWRNORM);
  } else if (at === undefined) f.offset += n;
}

/**
 * Writes `bytes` to `f` at `at` (pwrite) or at its offset; returns the count
 * written (less than asked for only for a nearly full pipe or file).
 *
 * @example
 * writeTo(k, k.file(1), new TextEncoder().encode("hi\n")); // 3
 */
export function writeTo(
  k: Linux,
  f: OpenFile,
  bytes: Uint8Array,
  at?: number,
): number {
  if (!canWrite(f)) throw new LinuxError(EBADF);
  if (bytes.length > MAX_RW) bytes = bytes.subarray(0, MAX_RW);
  if (f.kind === "pipe") {
    if (at !== undefined) throw new LinuxError(ESPIPE);
    return writePipe(k, f, k.pipe(f), bytes);
  }
  if (f.kind === "epoll") throw new LinuxError(EINVAL);
  const node = k.fs.get(f.target);
  if (node.kind === "device") {
    if (node.rdev === DEV_FULL) throw new LinuxError(ENOSPC);
    return bytes.length;
  }
  if (node.kind !== "file") throw new LinuxError(EINVAL);
  const off = at ?? (f.flags & O_APPEND ? node.size : f.offset);
  if (bytes.length === 0) return 0;
  if (off + bytes.length > MAX_FILE_SIZE) {
    if (off >= MAX_FILE_SIZE) throw new LinuxError(EFBIG);
    bytes = bytes.subarray(0, MAX_FILE_SIZE - off);
  }
  // Past the guest's file capacity, a short write, then ENOSPC (as on a full disk).
  const end = k.fs.sizeLimit(node);
  if (off + bytes.length > end) {
    if (off >= end) throw new LinuxError(ENOSPC);
    bytes = bytes.subarray(0, end - off);
  }
  k.fs.write(node, off, bytes);
  if (at === undefined) f.offset = off + bytes.length;
  return bytes.length;
}

function writePipe(k: Linux, f: OpenFile, p: Pipe, bytes: Uint8Array): number {
  if (p.sink) {
    k.capture(p.sink, bytes);
    return bytes.length;
  }
  if (p.readers === 0) {
    k.signal(SIGPIPE);
    throw new LinuxError(EPIPE);
  }
  if (bytes.length === 0) return 0;
  const room = PIPE_CAPACITY - p.size;
  if (room === 0 || (bytes.length <= PIPE_BUF && room < bytes.length)) {
    if (f.flags & O_NONBLOCK) throw new LinuxError(EAGAIN);
    throw new Blocked("write to a full pipe");
  }
  const n = Math.min(room, bytes.length);
  enqueue(p, bytes.slice(0, n));
  wakePipe(k, p, "read", EPOLLIN | EPOLLRDNORM);
  return n;
}

/** Bytes a read could return now (FIONREAD). */
export function pendingBytes(k: Linux, f: OpenFile): number {
  if (f.kind === "pipe") return k.pipe(f).size;
  if (f.kind === "epoll") return 0;
  const node = k.fs.get(f.target);
  return node.kind === "file" ? Math.max(0, node.size - f.offset) : 0;
}
