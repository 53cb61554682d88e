import type { Memory } from "../../memory/memory.ts";
import { readPath, readStruct, Struct } from "../abi.ts";
import { type Timespec, wallClock } from "../clock.ts";
import {
  EACCES,
  EFAULT,
  EINVAL,
  EOVERFLOW,
  EPERM,
  LinuxError,
} from "../errno.ts";
import { AT_FDCWD, type OpenFile } from "../files.ts";
import { type Node, S_IALLUGO, S_IFIFO, stMode } from "../fs/node.ts";
import { GID, UID } from "../identity.ts";
import type { Linux } from "../linux.ts";
import { permits } from "../perm.ts";
import type { Call, SyscallTable } from "./types.ts";

/** File attributes: the stat family, access, chmod, chown, utimes, umask, statfs. */

/** st_dev of the guest file system (major 0, minor 32, like a tmpfs). */
export const FS_DEV = 0x20;
/** st_dev of pipes (major 0, minor 13, like pipefs). */
const PIPE_DEV = 0x0d;
/** st_dev of epoll instances (major 0, minor 14, like anon_inodefs). */
const ANON_DEV = 0x0e;

const AT_SYMLINK_NOFOLLOW = 0x100,
  AT_EACCESS = 0x200,
  AT_NO_AUTOMOUNT = 0x800,
  AT_EMPTY_PATH = 0x1000,
  AT_STATX_SYNC_TYPE = 0x6000;

/** What every stat structure is filled from. */
interface Attrs {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  blocks: number;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
}

function nodeAttrs(n: Node): Attrs {
  const size = n.kind === "file"
    ? n.size
    : n.kind === "dir"
    ? 4096
    : n.kind === "symlink"
    ? n.target.length
    : 0;
  return {
    dev: FS_DEV,
    ino: n.ino,
    mode: stMode(n),
    nlink: n.nlink,
    uid: n.uid,
    gid: n.gid,
    rdev: n.kind === "device" ? n.rdev : 0,
    size,
    blocks: n.kind === "symlink" ? 0 : Math.ceil(size / 4096) * 8,
    atime: n.atime,
    mtime: n.mtime,
    ctime: n.ctime,
  };
}

function fileAttrs(k: Linux, f: OpenFile): Attrs {
  const node = k.fileNode(f);
  if (node) return nodeAttrs(node);
  // An epoll instance is an anonymous inode: no type bits; its times are the guest's epoch.
  if (f.kind === "epoll") return inodeless(ANON_DEV, f.id, 0o600, wallClock(0));
  const p = k.pipe(f);
  return inodeless(PIPE_DEV, p.id, S_IFIFO | 0o600, p.ctime);
}

/** A file without a node in the file system: a pipe or an epoll instance, the guest's own. */
function inodeless(dev: number, ino: number, mode: number, t: Timespec): Attrs {
  return {
    dev,
    ino,
    mode,
    nlink: 1,
    uid: UID,
    gid: GID,
    rdev: 0,
    size: 0,
    blocks: 0,
    atime: t,
    mtime: t,
    ctime: t,
  };
}

/** Attributes of what an *at call names: a path, or with AT_EMPTY_PATH and "" the dirfd itself. */
function attrsAt(k: Linux, dirfd: number, path: string, flags: number): Attrs {
  if (path === "" && flags & AT_EMPTY_PATH) {
    if ((dirfd | 0) === AT_FDCWD) return nodeAttrs(k.fs.get(k.cwd));
    return fileAttrs(k, k.file(dirfd));
  }
  return nodeAttrs(k.lookupAt(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW)));
}

/** A 16-bit uid/gid, or the overflow id as Linux reports ids that do not fit. */
function id16(id: number): number {
  return id > 0xffff ? 65534 : id;
}

/** struct stat (stat, lstat, fstat: 64 bytes). */
function writeStat(m: Memory, addr: number, a: Attrs): number {
  if (a.nlink > 0xffff || a.size > 0x7fffffff) throw new LinuxError(EOVERFLOW);
  new Struct(64)
    .u32(0, a.dev).u32(4, a.ino).u16(8, a.mode).u16(10, a.nlink)
    .u16(12, id16(a.uid)).u16(14, id16(a.gid)).u32(16, a.rdev).u32(20, a.size)
    .u32(24, 4096).u32(28, a.blocks)
    .u32(32, a.atime.sec).u32(36, a.atime.nsec)
    .u32(40, a.mtime.sec).u32(44, a.mtime.nsec)
    .u32(48, a.ctime.sec).u32(52, a.ctime.nsec)
    .write(m, addr);
  return 0;
}

/** struct __old_kernel_stat (oldstat, oldlstat, oldfstat: 32 bytes). */
function writeOldStat(m: Memory, addr: number, a: Attrs): number {
  if (a.ino > 0xffff || a.nlink > 0xffff || a.size > 0x7fffffff) {
    throw new LinuxError(EOVERFLOW);
  }
  new Struct(32)
    .u16(0, a.dev).u16(2, a.ino).u16(4, a.mode).u16(6, a.nlink)
    .u16(8, id16(a.uid)).u16(10, id16(a.gid)).u16(12, a.rdev).u32(16, a.size)
    .u32(20, a.atime.sec).u32(24, a.mtime.sec).u32(28, a.ctime.sec)
    .write(m, addr);
  return 0;
}

/** struct stat64 (96 bytes, 4-byte aligned 64-bit fields). */
function writeStat64(m: Memory, addr: number, a: Attrs): number {
  new Struct(96)
    .u64(0, a.dev).u32(12, a.ino).u32(16, a.mode).u32(20, a.nlink)
    .u32(24, a.uid).u32(28, a.gid).u64(32, a.rdev).u64(44, a.size)
    .u32(52, 4096).u64(56, a.blocks)
    .u32(64, a.atime.sec).u32(68, a.atime.nsec)
    .u32(72, a.mtime.sec).u32(76, a.mtime.nsec)
    .u32(80, a.ctime.sec).u32(84, a.ctime.nsec)
    .u64(88, a.ino)
    .write(m, addr);
  return 0;
}

const STATX_BASIC_STATS = 0x7ff;

/** struct statx (256 bytes); birth time is not reported. */
function writeStatx(m: Memory, addr: number, a: Attrs): number {
  const s = new Struct(256)
    .u32(0, STATX_BASIC_STATS).u32(4, 4096).u32(16, a.nlink)
    .u32(20, a.uid).u32(24, a.gid).u16(28, a.mode)
    .u64(32, a.ino).u64(40, a.size).u64(48, a.blocks)
    .u32(128, a.rdev >> 8).u32(132, a.rdev & 0xff)
    .u32(136, a.dev >> 8).u32(140, a.dev & 0xff);
  for (
    const [off, t] of [[64, a.atime], [96, a.ctime], [112, a.mtime]] as const
  ) {
    s.u64(off, t.sec).u32(off + 8, t.nsec);
  }
  s.write(m, addr);
  return 0;
}

function statx(s: Call, a: number[]): number {
  const [dirfd, pathAddr, flags, mask, buf] = a;
  if (
    flags &
      ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH |
        AT_STATX_SYNC_TYPE) ||
    (flags & AT_STATX_SYNC_TYPE) === AT_STATX_SYNC_TYPE || mask & 0x80000000
  ) throw new LinuxError(EINVAL);
  const path = pathAddr === 0 && flags & AT_EMPTY_PATH
    ? ""
    : readPath(s.m, pathAddr);
  return writeStatx(s.m, buf, attrsAt(s.k, dirfd, path, flags));
}

// ---- access and changes ----------------------------------------------------

function access(
  k: Linux,
  dirfd: number,
  path: string,
  mode: number,
  flags: number,
): number {
  if (
    mode & ~7 || flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)
  ) {
    throw new LinuxError(EINVAL);
  }
  const a = attrsAt(k, dirfd, path, flags);
  if (
    mode && !permits({ mode: a.mode & S_IALLUGO, uid: a.uid, gid: a.gid }, mode)
  ) {
    throw new LinuxError(EACCES);
  }
  return 0;
}

/** The node an *at call changes (AT_EMPTY_PATH and "" mean dirfd itself). */
function targetAt(
  k: Linux,
  dirfd: number,
  path: string,
  flags: number,
): Node | undefined {
  if (path === "" && flags & AT_EMPTY_PATH) {
    if ((dirfd | 0) === AT_FDCWD) return k.fs.get(k.cwd);
    return k.fileNode(k.file(dirfd));
  }
  return k.lookupAt(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW));
}

function chmod(k: Linux, node: Node | undefined, mode: number): number {
  if (!node) return 0; // a pipe or epoll instance: its mode is not kept
  if (node.uid !== UID) throw new LinuxError(EPERM);
  node.mode = mode & S_IALLUGO;
  node.ctime = k.time();
  k.fs.changed(node);
  return 0;
}

/** chown: recorded as asked (ids of -1 are left alone); fx86 has no other users to refuse. */
function chown(
  k: Linux,
  node: Node | undefined,
  uid: number,
  gid: number,
): number {
  if (!node) return 0;
  if (uid !== 0xffffffff) node.uid = uid;
  if (gid !== 0xffffffff) node.gid = gid;
  node.ctime = k.time();
  k.fs.changed(node);
  return 0;
}

/** A 16-bit chown id argument widened (0xffff is "leave alone"). */
function wide16(id: number): number {
  return (id & 0xffff) === 0xffff ? 0xffffffff : id & 0xffff;
}

const UTIME_NOW = (1 << 30) - 1, UTIME_OMIT = (1 << 30) - 2;

/**
 * Sets access and modification times; `times` undefined means now. Setting
 * explicit times needs ownership; setting "now" also write permission.
 */
function setTimes(
  k: Linux,
  node: Node | undefined,
  times?: [Timespec, Timespec],
): number {
  if (!node) return 0;
  const explicit = times?.some((t) =>
    t.nsec !== UTIME_NOW && t.nsec !== UTIME_OMIT
  );
  if (node.uid !== UID && (explicit || !permits(node, 2))) {
    throw new LinuxError(explicit ? EPERM : EACCES);
  }
  const now = k.time();
  const pick = (t: Timespec | undefined, old: Timespec): Timespec => {
    if (!t || t.nsec === UTIME_NOW) return now;
    if (t.nsec === UTIME_OMIT) return old;
    if (t.nsec < 0 || t.nsec >= 1e9) throw new LinuxError(EINVAL);
    return t;
  };
  const atime = pick(times?.[0], node.atime);
  const mtime = pick(times?.[1], node.mtime);
  node.atime = atime;
  node.mtime = mtime;
  node.ctime = now;
  k.fs.changed(node);
  return 0;
}

/** Reads two timespecs (32- or 64-bit) or two timevals. */
function readTimes(
  m: Memory,
  addr: number,
  kind: "ts32" | "ts64" | "tv",
): [Timespec, Timespec] | undefined {
  if (addr === 0) return undefined;
  const size = kind === "ts64" ? 16 : 8;
  const v = readStruct(m, addr, size * 2);
  const one = (o: number): Timespec => {
    if (kind === "ts64") {
      return {
        sec: Number(v.getBigInt64(o, true)),
        nsec: Number(v.getBigInt64(o + 8, true)),
      };
    }
    const sec = v.getInt32(o, true), frac = v.getInt32(o + 4, true);
    if (kind === "ts32") return { sec, nsec: frac };
    if (frac < 0 || frac >= 1e6) throw new LinuxError(EINVAL);
    return { sec, nsec: frac * 1000 };
  };
  return [one(0), one(size)];
}

function utimensat(s: Call, a: number[], kind: "ts32" | "ts64"): number {
  const [dirfd, pathAddr, timesAddr, flags] = a;
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) {
    throw new LinuxError(EINVAL);
  }
  const times = readTimes(s.m, timesAddr, kind);
  if (pathAddr === 0) {
    if ((dirfd | 0) === AT_FDCWD) throw new LinuxError(EFAULT);
    return setTimes(s.k, targetAt(s.k, dirfd, "", AT_EMPTY_PATH), times);
  }
  return setTimes(
    s.k,
    targetAt(s.k, dirfd, readPath(s.m, pathAddr), flags),
    times,
  );
}

// ---- file-system statistics ---------------------------------------------------

const TMPFS_MAGIC = 0x01021994;
/** The guest file system's nominal capacity: 1 GiB in 4 KiB blocks, 1 Mi inodes. */
const FS_BLOCKS = 262144, FS_FILES = 1 << 20;
const ST_VALID = 0x20;

function statfs(k: Linux, m: Memory, addr: number, wide: boolean): number {
  let used = 0;
  for (const n of k.fs.nodes.values()) {
    if (n.kind === "file") used += Math.ceil(n.size / 4096);
  }
  const free = Math.max(0, FS_BLOCKS - used);
  const files = FS_FILES - k.fs.nodes.size;
  const s = new Struct(wide ? 84 : 64).u32(0, TMPFS_MAGIC).u32(4, 4096);
  if (wide) {
    s.u64(8, FS_BLOCKS).u64(16, free).u64(24, free).u64(32, FS_FILES).u64(
      40,
      files,
    )
      .u32(56, 255).u32(60, 4096).u32(64, ST_VALID);
  } else {
    s.u32(8, FS_BLOCKS).u32(12, free).u32(16, free).u32(20, FS_FILES).u32(
      24,
      files,
    )
      .u32(36, 255).u32(40, 4096).u32(44, ST_VALID);
  }
  s.write(m, addr);
  return 0;
}

/** statfs64 and fstatfs64 take the struct size, which must be i386's. */
function statfsSize(sz: number): void {
  if (sz !== 84 && sz !== 88) throw new LinuxError(EINVAL);
}

const path = (s: Call, addr: number) => readPath(s.m, addr);
const fd = (s: Call, n: number) => fileAttrs(s.k, s.k.file(n));
const at = (s: Call, p: number, follow: boolean) =>
  nodeAttrs(s.k.lookupAt(AT_FDCWD, path(s, p), follow));
const nodeAtFd = (s: Call, n: number) => targetAt(s.k, n, "", AT_EMPTY_PATH);

/** System calls of this module by number. */
export const statCalls: SyscallTable = {
  106: {
    name: "stat",
    args: "s,x",
    fn: (s, a) => writeStat(s.m, a[1], at(s, a[0], true)),
  },
  107: {
    name: "lstat",
    args: "s,x",
    fn: (s, a) => writeStat(s.m, a[1], at(s, a[0], false)),
  },
  108: {
    name: "fstat",
    args: "fd,x",
    fn: (s, a) => writeStat(s.m, a[1], fd(s, a[0])),
  },
  18: {
    name: "oldstat",
    args: "s,x",
    fn: (s, a) => writeOldStat(s.m, a[1], at(s, a[0], true)),
  },
  84: {
    name: "oldlstat",
    args: "s,x",
    fn: (s, a) => writeOldStat(s.m, a[1], at(s, a[0], false)),
  },
  28: {
    name: "oldfstat",
    args: "fd,x",
    fn: (s, a) => writeOldStat(s.m, a[1], fd(s, a[0])),
  },
  195: {
    name: "stat64",
    args: "s,x",
    fn: (s, a) => writeStat64(s.m, a[1], at(s, a[0], true)),
  },
  196: {
    name: "lstat64",
    args: "s,x",
    fn: (s, a) => writeStat64(s.m, a[1], at(s, a[0], false)),
  },
  197: {
    name: "fstat64",
    args: "fd,x",
    fn: (s, a) => writeStat64(s.m, a[1], fd(s, a[0])),
  },
  300: {
    name: "fstatat64",
    args: "fd,s,x,x",
    fn: (s, a) => {
      if (a[3] & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)) {
        throw new LinuxError(EINVAL);
      }
      return writeStat64(s.m, a[2], attrsAt(s.k, a[0], path(s, a[1]), a[3]));
    },
  },
  383: { name: "statx", args: "fd,s,x,x,x", fn: statx },
  33: {
    name: "access",
    args: "s,d",
    fn: (s, a) => access(s.k, AT_FDCWD, path(s, a[0]), a[1], 0),
  },
  307: {
    name: "faccessat",
    args: "fd,s,d",
    fn: (s, a) => access(s.k, a[0], path(s, a[1]), a[2], 0),
  },
  439: {
    name: "faccessat2",
    args: "fd,s,d,x",
    fn: (s, a) => access(s.k, a[0], path(s, a[1]), a[2], a[3]),
  },
  15: {
    name: "chmod",
    args: "s,o",
    fn: (s, a) => chmod(s.k, s.k.lookupAt(AT_FDCWD, path(s, a[0]), true), a[1]),
  },
  94: {
    name: "fchmod",
    args: "fd,o",
    fn: (s, a) => chmod(s.k, nodeAtFd(s, a[0]), a[1]),
  },
  306: {
    name: "fchmodat",
    args: "fd,s,o",
    fn: (s, a) => chmod(s.k, s.k.lookupAt(a[0], path(s, a[1]), true), a[2]),
  },
  182: {
    name: "chown",
    args: "s,d,d",
    fn: (s, a) =>
      chown(
        s.k,
        s.k.lookupAt(AT_FDCWD, path(s, a[0]), true),
        wide16(a[1]),
        wide16(a[2]),
      ),
  },
  16: {
    name: "lchown",
    args: "s,d,d",
    fn: (s, a) =>
      chown(
        s.k,
        s.k.lookupAt(AT_FDCWD, path(s, a[0]), false),
        wide16(a[1]),
        wide16(a[2]),
      ),
  },
  95: {
    name: "fchown",
    args: "fd,d,d",
    fn: (s, a) => chown(s.k, nodeAtFd(s, a[0]), wide16(a[1]), wide16(a[2])),
  },
  212: {
    name: "chown32",
    args: "s,d,d",
    fn: (s, a) =>
      chown(s.k, s.k.lookupAt(AT_FDCWD, path(s, a[0]), true), a[1], a[2]),
  },
  198: {
    name: "lchown32",
    args: "s,d,d",
    fn: (s, a) =>
      chown(s.k, s.k.lookupAt(AT_FDCWD, path(s, a[0]), false), a[1], a[2]),
  },
  207: {
    name: "fchown32",
    args: "fd,d,d",
    fn: (s, a) => chown(s.k, nodeAtFd(s, a[0]), a[1], a[2]),
  },
  298: {
    name: "fchownat",
    args: "fd,s,d,d,x",
    fn: (s, a) => {
      if (a[4] & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) {
        throw new LinuxError(EINVAL);
      }
      return chown(s.k, targetAt(s.k, a[0], path(s, a[1]), a[4]), a[2], a[3]);
    },
  },
  60: {
    name: "umask",
    args: "o",
    fn: (s, a) => {
      const old = s.k.umask;
      s.k.umask = a[0] & 0o777;
      return old;
    },
  },
  320: {
    name: "utimensat",
    args: "fd,s,x,x",
    fn: (s, a) => utimensat(s, a, "ts32"),
  },
  412: {
    name: "utimensat_time64",
    args: "fd,s,x,x",
    fn: (s, a) => utimensat(s, a, "ts64"),
  },
  30: {
    name: "utime",
    args: "s,x",
    fn: (s, a) => {
      const node = s.k.lookupAt(AT_FDCWD, path(s, a[0]), true);
      if (a[1] === 0) return setTimes(s.k, node);
      const v = readStruct(s.m, a[1], 8);
      const t = (o: number): Timespec => ({
        sec: v.getInt32(o, true),
        nsec: 0,
      });
      return setTimes(s.k, node, [t(0), t(4)]);
    },
  },
  271: {
    name: "utimes",
    args: "s,x",
    fn: (s, a) =>
      setTimes(
        s.k,
        s.k.lookupAt(AT_FDCWD, path(s, a[0]), true),
        readTimes(s.m, a[1], "tv"),
      ),
  },
  299: {
    name: "futimesat",
    args: "fd,s,x",
    fn: (s, a) =>
      setTimes(
        s.k,
        s.k.lookupAt(a[0], path(s, a[1]), true),
        readTimes(s.m, a[2], "tv"),
      ),
  },
  99: {
    name: "statfs",
    args: "s,x",
    fn: (
      s,
      a,
    ) => (s.k.lookupAt(AT_FDCWD, path(s, a[0]), true),
      statfs(s.k, s.m, a[1], false)),
  },
  100: {
    name: "fstatfs",
    args: "fd,x",
    fn: (s, a) => (s.k.file(a[0]), statfs(s.k, s.m, a[1], false)),
  },
  268: {
    name: "statfs64",
    args: "s,u,x",
    fn: (s, a) => {
      statfsSize(a[1]);
      s.k.lookupAt(AT_FDCWD, path(s, a[0]), true);
      return statfs(s.k, s.m, a[2], true);
    },
  },
  269: {
    name: "fstatfs64",
    args: "fd,u,x",
    fn: (
      s,
      a,
    ) => (statfsSize(a[1]), s.k.file(a[0]), statfs(s.k, s.m, a[2], true)),
  },
};
