import type { BlobNode, DirNode as TreeDir } from "../../tree/mod.ts";
import type { Timespec } from "../clock.ts";

/** File-type bits of st_mode (S_IFMT masks them). */
export const S_IFMT = 0o170000,
  S_IFSOCK = 0o140000,
  S_IFLNK = 0o120000,
  S_IFREG = 0o100000,
  S_IFBLK = 0o060000,
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

/** What every node but a directory has: the directories that hold a link to it. */
interface LinkedNode extends NodeBase {
  /**
   * Inode numbers of the directories with an entry naming this node, one
   * per entry (a directory appears twice if two of its names link here).
   * The path up for invalidating cached trees.
   */
  parents: number[];
}

/**
 * A regular file. `data` may be longer than `size`: spare room to grow into.
 *
 * Copy-on-write: bytes `[0, shared)` of `data` may be wrapped by immutable
 * tree blobs (this file's cached `tree`, or a blob it was made from), so
 * they must not be written in place; contents.ts copies the buffer first.
 */
export interface FileNode extends LinkedNode {
  kind: "file";
  data: Uint8Array;
  size: number;
  shared: number;
  /** The contents as a tree blob, while they are unchanged (a cache). */
  tree?: BlobNode;
}

/**
 * A directory. Names are byte strings (one char per byte, see names.ts);
 * `parent` is what ".." names (the root is its own parent).
 *
 * A directory made from a tree (FileSystem.setTree, FileSystem.fromTree) is
 * *lazy* until first used: `entries` is null and `tree` holds its contents;
 * {@link FileSystem.entries} materialises it. Never read `entries` directly.
 */
export interface DirNode extends NodeBase {
  kind: "dir";
  entries: Map<string, number> | null;
  parent: number;
  /** The contents as a tree, while nothing below changed (a cache; always set while lazy). */
  tree?: TreeDir;
  /** This directory's fsmeta record, while nothing below changed (a cache, see meta.ts). */
  meta?: Rope;
  /**
   * When the directory's entries were made: its creation for directories
   * made empty, its materialisation for lazy ones. Entries materialised
   * from the tree carry this time, which fsmeta therefore leaves out.
   */
  born?: Timespec;
}

/** A symbolic link; `target` is a byte string. */
export interface SymlinkNode extends LinkedNode {
  kind: "symlink";
  target: string;
}

/** A character device (/dev/null and friends); `rdev` is major << 8 | minor. */
export interface DeviceNode extends LinkedNode {
  kind: "device";
  rdev: number;
}

/**
 * Text as nested pieces, joined only once at the end: a directory's cached
 * fsmeta record contains its subdirectories' records without copying them
 * (strings joined level by level would cost the square of the depth).
 */
export type Rope = string | readonly Rope[];

/**
 * A named pipe (mkfifo). The node holds no bytes: opening it joins the
 * pipe its open ends share (core/linux/fifo.ts), which lives with the open
 * files and goes when the last end closes.
 */
export interface FifoNode extends LinkedNode {
  kind: "fifo";
}

/** One inode of the guest file system: plain data, nothing else. */
export type Node = FileNode | DirNode | SymlinkNode | DeviceNode | FifoNode;

/** st_mode type bits of a node kind. */
const TYPE_BITS: Record<Node["kind"], number> = {
  file: S_IFREG,
  dir: S_IFDIR,
  symlink: S_IFLNK,
  device: S_IFCHR,
  fifo: S_IFIFO,
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
