import { readPath, Struct } from "../abi.ts";
import {
  EBADF,
  EBUSY,
  EEXIST,
  EINVAL,
  EISDIR,
  ENOENT,
  ENOTDIR,
  ENOTEMPTY,
  EPERM,
  ERANGE,
  LinuxError,
} from "../errno.ts";
import { AT_FDCWD, canRead, type OpenFile } from "../files.ts";
import type { ParentLookup } from "../fs/filesystem.ts";
import { toBytes } from "../fs/names.ts";
import {
  type DirNode,
  type Node,
  S_ISVTX,
  type SymlinkNode,
} from "../fs/node.ts";
import { UID } from "../identity.ts";
import type { Linux } from "../linux.ts";
import { requirePerm, W_OK, X_OK } from "../perm.ts";
import type { Call, SyscallTable } from "./types.ts";

/** The directory tree: listing, creating, removing, renaming, linking; the working directory. */

const AT_SYMLINK_FOLLOW = 0x400, AT_EMPTY_PATH = 0x1000, AT_REMOVEDIR = 0x200;
const RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2;

/** Whether `name` is a real entry name (not ".", ".." or the root's ""). */
export function isEntryName(name: string): boolean {
  return name !== "" && name !== "." && name !== "..";
}

/** Checks that the guest may remove `node` from `dir` (write access, sticky bit). */
export function mayDelete(dir: DirNode, node: Node): void {
  requirePerm(dir, W_OK | X_OK);
  if (dir.mode & S_ISVTX && node.uid !== UID && dir.uid !== UID) {
    throw new LinuxError(EPERM);
  }
}

/** Checks that `name` can be created in `p.dir` (mkdir, mknod, symlink, link). */
export function mayCreate(k: Linux, p: ParentLookup): void {
  if (!isEntryName(p.name) || k.fs.entries(p.dir).has(p.name)) {
    throw new LinuxError(EEXIST);
  }
  requirePerm(p.dir, W_OK | X_OK);
  // A removed directory (still someone's cwd) takes no new entries.
  if (p.dir.nlink === 0) throw new LinuxError(ENOENT);
}

function mkdir(k: Linux, dirfd: number, path: string, mode: number): number {
  const p = k.parentAt(dirfd, path);
  mayCreate(k, p);
  const dir = k.fs.create<DirNode>({
    kind: "dir",
    mode: mode & ~k.umask & 0o1777,
    entries: new Map(),
    parent: p.dir.ino,
  });
  k.fs.link(p.dir, p.name, dir);
  return 0;
}

function rmdir(k: Linux, dirfd: number, path: string): number {
  const { dir, name } = k.parentAt(dirfd, path);
  if (name === ".") throw new LinuxError(EINVAL);
  if (name === "..") throw new LinuxError(ENOTEMPTY);
  if (name === "") throw new LinuxError(EBUSY);
  const ino = k.fs.entries(dir).get(name);
  if (ino === undefined) throw new LinuxError(ENOENT);
  const node = k.fs.get(ino);
  if (node.kind !== "dir") throw new LinuxError(ENOTDIR);
  if (!k.fs.isEmpty(node)) throw new LinuxError(ENOTEMPTY);
  mayDelete(dir, node);
  k.fs.unlink(dir, name, k.inUse);
  return 0;
}

function unlink(k: Linux, dirfd: number, path: string): number {
  const { dir, name, trailingSlash } = k.parentAt(dirfd, path);
  if (!isEntryName(name)) throw new LinuxError(EISDIR);
  const ino = k.fs.entries(dir).get(name);
  if (ino === undefined) throw new LinuxError(ENOENT);
  const node = k.fs.get(ino);
  if (node.kind === "dir") throw new LinuxError(EISDIR);
  if (trailingSlash) throw new LinuxError(ENOTDIR);
  mayDelete(dir, node);
  k.fs.unlink(dir, name, k.inUse);
  return 0;
}

/** Whether directory `d` is `ancestor` or lies below it. */
function isWithin(k: Linux, d: DirNode, ancestor: number): boolean {
  for (let cur = d;; cur = k.fs.get(cur.parent) as DirNode) {
    if (cur.ino === ancestor) return true;
    if (cur.ino === k.fs.root) return false;
  }
}

function rename(
  k: Linux,
  oldDirfd: number,
  oldPath: string,
  newDirfd: number,
  newPath: string,
  flags: number,
): number {
  if (
    flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE) ||
    flags === (RENAME_NOREPLACE | RENAME_EXCHANGE)
  ) throw new LinuxError(EINVAL);
  const o = k.parentAt(oldDirfd, oldPath);
  const n = k.parentAt(newDirfd, newPath);
  if (!isEntryName(o.name) || !isEntryName(n.name)) throw new LinuxError(EBUSY);
  const oldIno = k.fs.entries(o.dir).get(o.name);
  if (oldIno === undefined) throw new LinuxError(ENOENT);
  const node = k.fs.get(oldIno);
  const targetIno = k.fs.entries(n.dir).get(n.name);
  const target = targetIno === undefined ? undefined : k.fs.get(targetIno);
  if ((o.trailingSlash || n.trailingSlash) && node.kind !== "dir") {
    throw new LinuxError(ENOTDIR);
  }
  mayDelete(o.dir, node);
  requirePerm(n.dir, W_OK | X_OK);
  if (n.dir.nlink === 0) throw new LinuxError(ENOENT);
  if (flags & RENAME_EXCHANGE) {
    if (!target) throw new LinuxError(ENOENT);
    if (
      (node.kind === "dir" && isWithin(k, n.dir, node.ino)) ||
      (target.kind === "dir" && isWithin(k, o.dir, target.ino))
    ) throw new LinuxError(EINVAL);
    k.fs.exchange(o.dir, o.name, n.dir, n.name);
    return 0;
  }
  if (target && flags & RENAME_NOREPLACE) throw new LinuxError(EEXIST);
  if (target === node) return 0;
  if (node.kind === "dir") {
    if (isWithin(k, n.dir, node.ino)) throw new LinuxError(EINVAL);
    if (target && target.kind !== "dir") throw new LinuxError(ENOTDIR);
    if (target?.kind === "dir" && !k.fs.isEmpty(target)) {
      throw new LinuxError(ENOTEMPTY);
    }
  } else if (target?.kind === "dir") throw new LinuxError(EISDIR);
  if (target) {
    mayDelete(n.dir, target);
    k.fs.unlink(n.dir, n.name, k.inUse);
  }
  k.fs.move(o.dir, o.name, n.dir, n.name);
  return 0;
}

function link(
  k: Linux,
  oldDirfd: number,
  oldPath: string,
  newDirfd: number,
  newPath: string,
  flags: number,
): number {
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) {
    throw new LinuxError(EINVAL);
  }
  const node = oldPath === "" && flags & AT_EMPTY_PATH
    ? nodeOfFd(k, oldDirfd)
    : k.lookupAt(oldDirfd, oldPath, (flags & AT_SYMLINK_FOLLOW) !== 0);
  const p = k.parentAt(newDirfd, newPath);
  mayCreate(k, p);
  if (p.trailingSlash) throw new LinuxError(ENOENT);
  if (node.kind === "dir") throw new LinuxError(EPERM);
  k.fs.link(p.dir, p.name, node);
  return 0;
}

function symlink(
  k: Linux,
  target: string,
  dirfd: number,
  path: string,
): number {
  if (target === "") throw new LinuxError(ENOENT);
  const p = k.parentAt(dirfd, path);
  mayCreate(k, p);
  if (p.trailingSlash) throw new LinuxError(ENOENT);
  k.fs.link(
    p.dir,
    p.name,
    k.fs.create<SymlinkNode>({ kind: "symlink", mode: 0o777, target }),
  );
  return 0;
}

function readlink(
  s: Call,
  dirfd: number,
  pathAddr: number,
  buf: number,
  size: number,
): number {
  if ((size | 0) <= 0) throw new LinuxError(EINVAL);
  const path = readPath(s.m, pathAddr);
  const node = path === ""
    ? nodeOfFd(s.k, dirfd)
    : s.k.lookupAt(dirfd, path, false);
  if (node.kind !== "symlink") {
    throw new LinuxError(path === "" ? ENOENT : EINVAL);
  }
  const bytes = toBytes(node.target).subarray(0, size);
  s.m.write(buf, bytes);
  return bytes.length;
}

/** The node an open descriptor refers to (ENOTDIR-free: any kind). */
function nodeOfFd(k: Linux, fd: number): Node {
  if ((fd | 0) === AT_FDCWD) return k.fs.get(k.cwd);
  const f = k.file(fd);
  if (f.kind !== "node") throw new LinuxError(ENOENT);
  return k.fs.get(f.target);
}

function chdir(k: Linux, node: Node): number {
  if (node.kind !== "dir") throw new LinuxError(ENOTDIR);
  requirePerm(node, X_OK);
  const old = k.fs.get(k.cwd);
  k.cwd = node.ino;
  k.fs.release(old, k.inUse);
  return 0;
}

/** The absolute path of the working directory (byte string), or ENOENT if it was removed. */
export function cwdPath(k: Linux): string {
  let node = k.fs.get(k.cwd) as DirNode;
  if (node.nlink === 0) throw new LinuxError(ENOENT);
  const names: string[] = [];
  while (node.ino !== k.fs.root) {
    const parent = k.fs.get(node.parent) as DirNode;
    for (const [name, ino] of k.fs.entries(parent)) {
      if (ino === node.ino) {
        names.push(name);
        break;
      }
    }
    node = parent;
  }
  return "/" + names.reverse().join("/");
}

function getcwd(s: Call, buf: number, size: number): number {
  const path = toBytes(cwdPath(s.k) + "\0");
  if (size < path.length) throw new LinuxError(ERANGE);
  s.m.write(buf, path);
  return path.length;
}

// ---- directory listing -------------------------------------------------------

const DT_FIFO = 1, DT_CHR = 2, DT_DIR = 4, DT_REG = 8, DT_LNK = 10;
const DT: Record<Node["kind"], number> = {
  file: DT_REG,
  dir: DT_DIR,
  symlink: DT_LNK,
  device: DT_CHR,
  fifo: DT_FIFO,
};

/**
 * A directory lists as ".", "..", then its names in byte order. Index i of
 * that list has the position cookie (d_off, telldir) i + 1. The open file
 * remembers the last name listed rather than an index, so entries removed
 * while a program walks the directory (rm -r) shift nothing.
 */
function listIndex(k: Linux, dir: DirNode, cursor: string | null): number {
  if (cursor === null) return 0;
  if (cursor === ".") return 1;
  if (cursor === "..") return 2;
  const names = k.fs.sortedNames(dir);
  let lo = 0, hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (names[mid] <= cursor) lo = mid + 1;
    else hi = mid;
  }
  return 2 + lo;
}

function listEntry(
  k: Linux,
  dir: DirNode,
  i: number,
): [string, Node] | undefined {
  if (i === 0) return [".", dir];
  if (i === 1) return ["..", k.fs.get(dir.parent)];
  const name = k.fs.sortedNames(dir)[i - 2];
  return name === undefined
    ? undefined
    : [name, k.fs.get(k.fs.entries(dir).get(name)!)];
}

function openDir(k: Linux, fd: number): [OpenFile, DirNode] {
  const f = k.file(fd);
  if (!canRead(f)) throw new LinuxError(EBADF);
  const node = f.kind === "node" ? k.fs.get(f.target) : undefined;
  if (node?.kind !== "dir") throw new LinuxError(ENOTDIR);
  // A removed directory cannot be listed (Linux: IS_DEADDIR).
  if (node.nlink === 0) throw new LinuxError(ENOENT);
  return [f, node];
}

/** getdents (linux_dirent) and getdents64 (linux_dirent64). */
function getdents(
  s: Call,
  fd: number,
  buf: number,
  count: number,
  wide: boolean,
): number {
  const [f, dir] = openDir(s.k, fd);
  const records: Uint8Array[] = [];
  let used = 0;
  let i = listIndex(s.k, dir, f.dirCursor);
  let cursor = f.dirCursor;
  for (let e = listEntry(s.k, dir, i); e; e = listEntry(s.k, dir, ++i)) {
    const [name, node] = e;
    const fixed = wide ? 19 : 10;
    const align = wide ? 8 : 4;
    const reclen = Math.ceil((fixed + name.length + (wide ? 1 : 2)) / align) *
      align;
    if (used + reclen > count) {
      if (records.length === 0) throw new LinuxError(EINVAL);
      break;
    }
    const r = new Struct(reclen);
    if (wide) {
      r.u64(0, node.ino).u64(8, i + 1).u16(16, reclen).u8(18, DT[node.kind]);
    } else {r.u32(0, node.ino).u32(4, i + 1).u16(8, reclen).u8(
        reclen - 1,
        DT[node.kind],
      );}
    r.bytes.set(toBytes(name), fixed);
    records.push(r.bytes);
    used += reclen;
    cursor = name;
  }
  const out = new Uint8Array(used);
  let at = 0;
  for (const r of records) {
    out.set(r, at);
    at += r.length;
  }
  s.m.write(buf, out);
  f.dirCursor = cursor;
  f.offset = i;
  return used;
}

/**
 * lseek on a directory: positions are the cookies getdents reports.
 *
 * @example
 * seekDir(k, f, dir, 0, 0); // rewinddir: SEEK_SET to 0
 */
export function seekDir(
  k: Linux,
  f: OpenFile,
  dir: DirNode,
  off: number,
  whence: number,
): number {
  const pos = whence === 0 ? off : whence === 1 ? f.offset + off : -1;
  if (pos < 0) throw new LinuxError(EINVAL);
  const names = k.fs.sortedNames(dir);
  const last = Math.min(pos, names.length + 2) - 1;
  f.dirCursor = last < 0 ? null : listEntry(k, dir, last)![0];
  f.offset = pos;
  return pos;
}

const path = (s: Call, addr: number) => readPath(s.m, addr);

/** System calls of this module by number. */
export const dirCalls: SyscallTable = {
  39: {
    name: "mkdir",
    args: "s,o",
    fn: (s, a) => mkdir(s.k, AT_FDCWD, path(s, a[0]), a[1]),
  },
  296: {
    name: "mkdirat",
    args: "fd,s,o",
    fn: (s, a) => mkdir(s.k, a[0], path(s, a[1]), a[2]),
  },
  40: {
    name: "rmdir",
    args: "s",
    fn: (s, a) => rmdir(s.k, AT_FDCWD, path(s, a[0])),
  },
  10: {
    name: "unlink",
    args: "s",
    fn: (s, a) => unlink(s.k, AT_FDCWD, path(s, a[0])),
  },
  301: {
    name: "unlinkat",
    args: "fd,s,x",
    fn: (s, a) => {
      if (a[2] & ~AT_REMOVEDIR) throw new LinuxError(EINVAL);
      const p = path(s, a[1]);
      return a[2] & AT_REMOVEDIR ? rmdir(s.k, a[0], p) : unlink(s.k, a[0], p);
    },
  },
  38: {
    name: "rename",
    args: "s,s",
    fn: (s, a) =>
      rename(s.k, AT_FDCWD, path(s, a[0]), AT_FDCWD, path(s, a[1]), 0),
  },
  302: {
    name: "renameat",
    args: "fd,s,fd,s",
    fn: (s, a) => rename(s.k, a[0], path(s, a[1]), a[2], path(s, a[3]), 0),
  },
  353: {
    name: "renameat2",
    args: "fd,s,fd,s,x",
    fn: (s, a) => rename(s.k, a[0], path(s, a[1]), a[2], path(s, a[3]), a[4]),
  },
  9: {
    name: "link",
    args: "s,s",
    fn: (s, a) =>
      link(s.k, AT_FDCWD, path(s, a[0]), AT_FDCWD, path(s, a[1]), 0),
  },
  303: {
    name: "linkat",
    args: "fd,s,fd,s,x",
    fn: (s, a) => link(s.k, a[0], path(s, a[1]), a[2], path(s, a[3]), a[4]),
  },
  83: {
    name: "symlink",
    args: "s,s",
    fn: (s, a) => symlink(s.k, path(s, a[0]), AT_FDCWD, path(s, a[1])),
  },
  304: {
    name: "symlinkat",
    args: "s,fd,s",
    fn: (s, a) => symlink(s.k, path(s, a[0]), a[1], path(s, a[2])),
  },
  85: {
    name: "readlink",
    args: "s,rbuf,u",
    fn: (s, a) => readlink(s, AT_FDCWD, a[0], a[1], a[2]),
  },
  305: {
    name: "readlinkat",
    args: "fd,s,rbuf,u",
    fn: (s, a) => readlink(s, a[0], a[1], a[2], a[3]),
  },
  12: {
    name: "chdir",
    args: "s",
    fn: (s, a) => chdir(s.k, s.k.lookupAt(AT_FDCWD, path(s, a[0]), true)),
  },
  133: {
    name: "fchdir",
    args: "fd",
    fn: (s, a) => {
      const f = s.k.file(a[0]);
      if (f.kind !== "node") throw new LinuxError(ENOTDIR);
      return chdir(s.k, s.k.fs.get(f.target));
    },
  },
  183: { name: "getcwd", args: "x,u", fn: (s, a) => getcwd(s, a[0], a[1]) },
  141: {
    name: "getdents",
    args: "fd,x,u",
    fn: (s, a) => getdents(s, a[0], a[1], a[2], false),
  },
  220: {
    name: "getdents64",
    args: "fd,x,u",
    fn: (s, a) => getdents(s, a[0], a[1], a[2], true),
  },
};
