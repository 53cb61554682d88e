import { joinI64, readPath } from "../abi.ts";
import {
  EEXIST,
  EFBIG,
  EINVAL,
  EISDIR,
  ELOOP,
  ENOENT,
  ENOTDIR,
  EOPNOTSUPP,
  LinuxError,
} from "../errno.ts";
import {
  AT_FDCWD,
  canWrite,
  O_ACCMODE,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOCTTY,
  O_NOFOLLOW,
  O_PATH,
  O_RDWR,
  O_TMPFILE,
  O_TRUNC,
  O_WRONLY,
  type OpenFile,
} from "../files.ts";
import { openFifo, resumeFifoOpen } from "../fifo.ts";
import type { FileNode, Node } from "../fs/node.ts";
import { checkDevice, MAX_FILE_SIZE } from "../io.ts";
import type { Linux } from "../linux.ts";
import { R_OK, requirePerm, W_OK, X_OK } from "../perm.ts";
import type { Call, SyscallTable } from "./types.ts";

/** Opening files (open, openat, creat) and changing their length (truncate). */

const MAX_LINKS = 40;

/**
 * Finds or creates the file an O_CREAT open names, following a symbolic
 * link in the last component (creating its target) unless O_EXCL.
 */
function openCreate(
  k: Linux,
  dirfd: number,
  path: string,
  flags: number,
  mode: number,
): { node: Node; created: boolean } {
  let p = k.parentAt(dirfd, path);
  for (let links = 0;; links++) {
    const { dir, name, trailingSlash } = p;
    if (name === "" || name === "." || name === ".." || trailingSlash) {
      throw new LinuxError(EISDIR);
    }
    const ino = k.fs.entries(dir).get(name);
    if (ino === undefined) {
      requirePerm(dir, W_OK | X_OK);
      if (dir.nlink === 0) throw new LinuxError(ENOENT);
      const node = k.fs.create<FileNode>({
        kind: "file",
        mode: mode & ~k.umask & 0o7777,
        data: new Uint8Array(0),
        size: 0,
      });
      k.fs.link(dir, name, node);
      return { node, created: true };
    }
    if (flags & O_EXCL) throw new LinuxError(EEXIST);
    const node = k.fs.get(ino);
    if (node.kind !== "symlink") return { node, created: false };
    if (flags & O_NOFOLLOW) throw new LinuxError(ELOOP);
    if (links === MAX_LINKS) throw new LinuxError(ELOOP);
    p = k.fs.lookupParent(dir.ino, node.target, k.lookupOpts(true));
  }
}

/** The open file description's status flags: what open's flags leave after opening. */
const statusFlags = (flags: number) => flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);

/**
 * open(2) and friends: returns the new descriptor (or, for a fifo whose
 * wait a signal interrupted, the call's result: fifo.ts).
 *
 * @example
 * open(s, AT_FDCWD, "/tmp/x", O_CREAT | O_WRONLY, 0o644); // 3
 */
export function open(
  s: Call,
  dirfd: number,
  path: string,
  flags: number,
  mode: number,
): number {
  const k = s.k;
  const cloexec = (flags & O_CLOEXEC) !== 0;
  // The retry of an open that waits for a fifo's other end.
  if (k.fifoWait) return installOrResult(k, resumeFifoOpen(s, statusFlags(flags)), cloexec);
  if ((flags & O_TMPFILE) === O_TMPFILE) throw new LinuxError(EOPNOTSUPP);
  const acc = flags & O_ACCMODE;
  if (acc === O_ACCMODE && !(flags & O_PATH)) throw new LinuxError(EINVAL);
  const { node, created } = flags & O_CREAT && !(flags & O_PATH)
    ? openCreate(k, dirfd, path, flags, mode)
    : { node: k.lookupAt(dirfd, path, !(flags & O_NOFOLLOW)), created: false };
  if (flags & O_DIRECTORY && node.kind !== "dir") throw new LinuxError(ENOTDIR);
  if (flags & O_PATH) {
    return k.installFd(
      k.openNode(node, O_PATH | (flags & (O_DIRECTORY | O_NOFOLLOW))),
      cloexec,
    );
  }
  if (node.kind === "symlink") throw new LinuxError(ELOOP);
  const writing = acc === O_WRONLY || acc === O_RDWR;
  if (node.kind === "dir" && (writing || flags & (O_CREAT | O_TRUNC))) {
    throw new LinuxError(EISDIR);
  }
  if (!created) {
    // O_TRUNC needs write permission, and truncates even a read-only open.
    const w = writing || flags & O_TRUNC ? W_OK : 0;
    requirePerm(node, (acc !== O_WRONLY ? R_OK : 0) | w);
  }
  if (node.kind === "device") checkDevice(node);
  if (node.kind === "fifo") return installOrResult(k, openFifo(s, node, statusFlags(flags)), cloexec);
  if (node.kind === "file" && flags & O_TRUNC && node.size > 0) {
    k.fs.truncate(node, 0);
  }
  return k.installFd(k.openNode(node, statusFlags(flags)), cloexec);
}

/** A descriptor for an opened fifo, or the result of an interrupted wait as it is. */
function installOrResult(k: Linux, opened: OpenFile | number, cloexec: boolean): number {
  return typeof opened === "number" ? opened : k.installFd(opened, cloexec);
}

/** Sets the length of a regular file. */
function truncate(k: Linux, node: Node, len: number): number {
  if (node.kind === "dir") throw new LinuxError(EISDIR);
  if (node.kind !== "file" || len < 0) throw new LinuxError(EINVAL);
  if (len > MAX_FILE_SIZE) throw new LinuxError(EFBIG);
  k.fs.reserve(node, len);
  k.fs.truncate(node, len);
  return 0;
}

function truncatePath(s: Call, pathAddr: number, len: number): number {
  const node = s.k.lookupAt(AT_FDCWD, readPath(s.m, pathAddr), true);
  if (node.kind === "file") requirePerm(node, W_OK);
  return truncate(s.k, node, len);
}

function ftruncate(s: Call, fd: number, len: number): number {
  const f = s.k.file(fd);
  if (f.kind !== "node" || !canWrite(f)) throw new LinuxError(EINVAL);
  return truncate(s.k, s.k.fs.get(f.target), len);
}

/** System calls of this module by number. */
export const openCalls: SyscallTable = {
  5: {
    name: "open",
    args: "s,oflags,cmode",
    fn: (s, a) => open(s, AT_FDCWD, readPath(s.m, a[0]), a[1], a[2]),
  },
  295: {
    name: "openat",
    args: "fd,s,oflags,cmode",
    fn: (s, a) => open(s, a[0], readPath(s.m, a[1]), a[2], a[3]),
  },
  8: {
    name: "creat",
    args: "s,o",
    fn: (s, a) =>
      open(
        s,
        AT_FDCWD,
        readPath(s.m, a[0]),
        O_CREAT | O_WRONLY | O_TRUNC,
        a[1],
      ),
  },
  92: {
    name: "truncate",
    args: "s,d",
    fn: (s, a) => truncatePath(s, a[0], a[1] | 0),
  },
  193: {
    name: "truncate64",
    args: "s,u,u",
    fn: (s, a) => truncatePath(s, a[0], joinI64(a[1], a[2])),
  },
  93: {
    name: "ftruncate",
    args: "fd,d",
    fn: (s, a) => ftruncate(s, a[0], a[1] | 0),
  },
  194: {
    name: "ftruncate64",
    args: "fd,u,u",
    fn: (s, a) => ftruncate(s, a[0], joinI64(a[1], a[2])),
  },
};
