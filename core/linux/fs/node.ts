import type { Timespec } from "../clock.ts";

/** File-type bits of st_mode. */
export const S_IFLNK = 0o120000,
  S_IFREG = 0o100000,
  S_IFDIR = 0o040000,
  S_IFCHR = 0o020000,
  S_IFIFO = 0o010000;
/** Permission bits of st_mode (including set-id and sticky). */
export const S_IALLUGO = 0o7777;
/** The sticky bit: in a directory, only owners may remove entries. */
export const S_ISVTX = 0o1000;

interface NodeBase {
  readonly ino: number;
  /** Permission bits only (S_IALLUGO); the type is `kind`. */
  mode: number;
  uid: number;
  gid: number;
  /** Directory entries naming this node (plus "." and children's ".." for directories). */
  nlink: number;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
}

/** A regular file. `data` may be longer than `size`: spare room to grow into. */
export interface FileNode extends NodeBase {
  kind: "file";
  data: Uint8Array;
  size: number;
}

/**
 * A directory. Names are byte strings (one char per byte, see names.ts);
 * `parent` is what ".." names (the root is its own parent).
 */
export interface DirNode extends NodeBase {
  kind: "dir";
  entries: Map<string, number>;
  parent: number;
}

/** A symbolic link; `target` is a byte string. */
export interface SymlinkNode extends NodeBase {
  kind: "symlink";
  target: string;
}

/** A character device (/dev/null and friends); `rdev` is major << 8 | minor. */
export interface DeviceNode extends NodeBase {
  kind: "device";
  rdev: number;
}

/** One inode of the guest file system: plain data, nothing else. */
export type Node = FileNode | DirNode | SymlinkNode | DeviceNode;

/** st_mode type bits of a node kind. */
const TYPE_BITS: Record<Node["kind"], number> = {
  file: S_IFREG,
  dir: S_IFDIR,
  symlink: S_IFLNK,
  device: S_IFCHR,
};

/**
 * The full st_mode of a node.
 *
 * @example
 * stMode(dir) === (S_IFDIR | 0o755);
 */
export function stMode(node: Node): number {
  return TYPE_BITS[node.kind] | node.mode;
}
