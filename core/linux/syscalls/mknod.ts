import { readPath } from "../abi.ts";
import { EINVAL, ENOENT, EOPNOTSUPP, EPERM, LinuxError } from "../errno.ts";
import { AT_FDCWD } from "../files.ts";
import {
  type FifoNode,
  type FileNode,
  type Node,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
} from "../fs/node.ts";
import type { Linux } from "../linux.ts";
import { mayCreate } from "./dirs.ts";
import type { Call, SyscallTable } from "./types.ts";

/**
 * mknod and mknodat: named pipes (mkfifo) and empty regular files. The
 * guest is not root (uid 1000, no CAP_MKNOD), so character and block
 * devices are refused with EPERM, as Linux refuses them to such a user;
 * sockets, which fx86 has no node for, with EOPNOTSUPP.
 */

function mknod(k: Linux, dirfd: number, path: string, mode: number): number {
  const type = mode & S_IFMT;
  // Linux's may_mknod, before the path is looked at.
  if (type === S_IFDIR) throw new LinuxError(EPERM);
  if (![0, S_IFREG, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK].includes(type)) throw new LinuxError(EINVAL);
  const p = k.parentAt(dirfd, path);
  mayCreate(k, p);
  // "dir/name/": a directory was asked for, and mknod makes none.
  if (p.trailingSlash) throw new LinuxError(ENOENT);
  if (type === S_IFCHR || type === S_IFBLK) throw new LinuxError(EPERM);
  if (type === S_IFSOCK) throw new LinuxError(EOPNOTSUPP);
  const perm = mode & ~k.umask & 0o7777;
  let node: Node;
  if (type === S_IFIFO) node = k.fs.create<FifoNode>({ kind: "fifo", mode: perm });
  else node = k.fs.create<FileNode>({ kind: "file", mode: perm, data: new Uint8Array(0), size: 0 });
  k.fs.link(p.dir, p.name, node);
  return 0;
}

/** System calls of this module by number. */
export const mknodCalls: SyscallTable = {
  14: {
    name: "mknod",
    args: "s,o,x",
    fn: (s: Call, a) => mknod(s.k, AT_FDCWD, readPath(s.m, a[0]), a[1]),
  },
  297: {
    name: "mknodat",
    args: "fd,s,o,x",
    fn: (s: Call, a) => mknod(s.k, a[0], readPath(s.m, a[1]), a[2]),
  },
};
