import { readPath } from "../abi.ts";
import { ENODATA, EOPNOTSUPP, ERANGE, LinuxError } from "../errno.ts";
import { AT_FDCWD } from "../files.ts";
import type { Call, SyscallTable } from "./types.ts";

/**
 * Extended attributes: the guest file system has none and stores none.
 * Reading one fails with ENODATA and listing gives an empty list, as on a
 * file system without any (so `ls -l` and `cp -a` ask, get nothing, and go
 * on); setting one fails with EOPNOTSUPP. The path or descriptor is still
 * resolved first, so a missing file gives ENOENT or EBADF as on Linux.
 */

/** Longest attribute name (XATTR_NAME_MAX). */
const XATTR_NAME_MAX = 255;

/** Resolves the target: a path (following links or not) or a descriptor. */
type Target = "follow" | "nofollow" | "fd";

function resolve(s: Call, target: Target, arg: number): void {
  if (target === "fd") s.k.file(arg);
  else s.k.lookupAt(AT_FDCWD, readPath(s.m, arg), target === "follow");
}

function checkName(s: Call, addr: number): void {
  const name = readPath(s.m, addr);
  if (name.length === 0 || name.length > XATTR_NAME_MAX) {
    throw new LinuxError(ERANGE);
  }
}

/** Getting or removing an attribute: there is none. */
function missing(s: Call, target: Target, a: number[]): number {
  resolve(s, target, a[0]);
  checkName(s, a[1]);
  throw new LinuxError(ENODATA);
}

function list(s: Call, target: Target, a: number[]): number {
  resolve(s, target, a[0]);
  return 0;
}

function set(s: Call, target: Target, a: number[]): number {
  resolve(s, target, a[0]);
  checkName(s, a[1]);
  throw new LinuxError(EOPNOTSUPP);
}

/** How set and get print their arguments (set has flags too). */
const SET = "s,s,x,u,x", FSET = "fd,s,x,u,x", GET = "s,s,x,u", FGET = "fd,s,x,u";

/** System calls of this module by number. */
export const xattrCalls: SyscallTable = {
  226: { name: "setxattr", args: SET, fn: (s, a) => set(s, "follow", a) },
  227: { name: "lsetxattr", args: SET, fn: (s, a) => set(s, "nofollow", a) },
  228: { name: "fsetxattr", args: FSET, fn: (s, a) => set(s, "fd", a) },
  229: { name: "getxattr", args: GET, fn: (s, a) => missing(s, "follow", a) },
  230: { name: "lgetxattr", args: GET, fn: (s, a) => missing(s, "nofollow", a) },
  231: { name: "fgetxattr", args: FGET, fn: (s, a) => missing(s, "fd", a) },
  232: { name: "listxattr", args: "s,x,u", fn: (s, a) => list(s, "follow", a) },
  233: {
    name: "llistxattr",
    args: "s,x,u",
    fn: (s, a) => list(s, "nofollow", a),
  },
  234: { name: "flistxattr", args: "fd,x,u", fn: (s, a) => list(s, "fd", a) },
  235: { name: "removexattr", args: "s,s", fn: (s, a) => missing(s, "follow", a) },
  236: {
    name: "lremovexattr",
    args: "s,s",
    fn: (s, a) => missing(s, "nofollow", a),
  },
  237: { name: "fremovexattr", args: "fd,s", fn: (s, a) => missing(s, "fd", a) },
};
