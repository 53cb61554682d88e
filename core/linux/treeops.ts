/**
 * The Fx86 data-tree instructions (docs/abi.md): READ, WRITE, REPLACE,
 * LIST, STAT, COPY, REMOVE and MKDIR on the guest's own data tree, which is
 * its file system. Paths are resolved like system-call paths (relative to
 * the working directory, symbolic links followed except in the last
 * component) and the same permission checks apply as for the equivalent
 * system calls (docs/linux.md, "Fx86 data-tree instructions"). RUN and LOAD
 * live in core/vm and use {@link readPath}, {@link getTreeAt} and
 * {@link setTreeAt}.
 */
import { type Cpu, EAX, EBX, ECX, EDX, ESI } from "../cpu/state.ts";
import { GuestFault } from "../fault.ts";
import type { Memory } from "../memory/memory.ts";
import type { TreeNode } from "../tree/mod.ts";
import { guestBytes, readPath as readGuestPath, Struct } from "./abi.ts";
import {
  EFAULT,
  EFBIG,
  EINVAL,
  EISDIR,
  EEXIST,
  ENAMETOOLONG,
  ENOENT,
  ENOTDIR,
  errnoName,
  LinuxError,
} from "./errno.ts";
import { AT_FDCWD } from "./files.ts";
import { readAt } from "./fs/contents.ts";
import type { ParentLookup } from "./fs/filesystem.ts";
import { toHost } from "./fs/names.ts";
import type { DirNode, FileNode, Node } from "./fs/node.ts";
import { toFsName } from "./fs/treenames.ts";
import { MAX_FILE_SIZE, MAX_RW } from "./io.ts";
import type { Linux } from "./linux.ts";
import { R_OK, requirePerm, W_OK, X_OK } from "./perm.ts";
import { isEntryName, mayDelete } from "./syscalls/dirs.ts";

/** Function numbers (the immediate byte of `0F 0A ib`). */
export const FX86_READ = 0x01,
  FX86_WRITE = 0x02,
  FX86_REPLACE = 0x03,
  FX86_LIST = 0x04,
  FX86_STAT = 0x05,
  FX86_COPY = 0x06,
  FX86_REMOVE = 0x07,
  FX86_MKDIR = 0x08;

/** Size of `struct fx86_stat`. */
export const FX86_STAT_SIZE = 48;

/** Name bytes past this length make a path component ENAMETOOLONG. */
const NAME_MAX = 255;

/**
 * A path argument: the NUL-terminated byte string at `ptr` (at most 4095
 * bytes). Throws LinuxError EFAULT (unreadable) or ENAMETOOLONG.
 *
 * @example
 * const path = readPath(m, c.r[EBX]); // e.g. "/guests/child"
 */
export function readPath(m: Memory, ptr: number): string {
  try {
    return readGuestPath(m, ptr);
  } catch (e) {
    if (e instanceof GuestFault) throw new LinuxError(EFAULT);
    throw e;
  }
}

/**
 * The data tree at a guest path, as the guest may see it: resolved from
 * the working directory with search permission on every directory walked,
 * read permission on the node itself, the last component not followed.
 * O(1) when nothing below changed. Throws LinuxError (EINVAL for a
 * symbolic link or device, which the tree cannot hold).
 *
 * @example
 * const child = getTreeAt(linux, "guests/child");
 */
export function getTreeAt(k: Linux, path: string): TreeNode {
  const node = k.lookupAt(AT_FDCWD, path, false);
  if (node.kind === "file" || node.kind === "dir") requirePerm(node, R_OK);
  return k.fs.treeOf(node);
}

/**
 * Puts a tree at a guest path (replacing whatever is there, a directory
 * with all below it) with the permission checks of rename(2) onto that
 * path: search on the way, write and search on the parent, the sticky
 * bit. O(1). "/" replaces the root's contents (needs write permission on
 * it). Throws LinuxError.
 *
 * @example
 * setTreeAt(linux, "guests/child", resultTree);
 */
export function setTreeAt(k: Linux, path: string, tree: TreeNode): void {
  const p = k.parentAt(AT_FDCWD, path);
  if (p.name === "." || p.name === "..") throw new LinuxError(EINVAL);
  if (p.name === "") requirePerm(p.dir, W_OK | X_OK);
  else {
    const old = k.fs.entries(p.dir).get(p.name);
    if (old === undefined) requirePerm(p.dir, W_OK | X_OK);
    else mayDelete(p.dir, k.fs.get(old));
  }
  k.fs.putTree(p, tree);
}

/** The regular file a READ names. */
function blobNode(k: Linux, path: string): FileNode {
  const node = k.lookupAt(AT_FDCWD, path, false);
  if (node.kind === "dir") throw new LinuxError(EISDIR);
  if (node.kind !== "file") throw new LinuxError(EINVAL);
  return node;
}

function read(k: Linux, m: Memory, a: number[]): number {
  const f = blobNode(k, readPath(m, a[0]));
  requirePerm(f, R_OK);
  const bytes = readAt(f, a[3], Math.min(a[2], MAX_RW));
  m.write(a[1], bytes);
  return bytes.length;
}

/** The file a WRITE or REPLACE changes, created (mode 0666 & ~umask) if missing. */
function fileFor(k: Linux, p: ParentLookup): FileNode {
  if (!isEntryName(p.name) || p.trailingSlash) throw new LinuxError(EISDIR);
  const ino = k.fs.entries(p.dir).get(p.name);
  if (ino !== undefined) {
    const node = k.fs.get(ino);
    if (node.kind === "dir") throw new LinuxError(EISDIR);
    if (node.kind !== "file") throw new LinuxError(EINVAL);
    requirePerm(node, W_OK);
    return node;
  }
  requirePerm(p.dir, W_OK | X_OK);
  if (p.dir.nlink === 0) throw new LinuxError(ENOENT);
  const f = k.fs.create<FileNode>({
    kind: "file",
    mode: 0o666 & ~k.umask,
    data: new Uint8Array(0),
    size: 0,
  });
  k.fs.link(p.dir, p.name, f);
  return f;
}

function write(k: Linux, m: Memory, a: number[], replace: boolean): number {
  const p = k.parentAt(AT_FDCWD, readPath(m, a[0]));
  const [len, off] = [a[2], replace ? 0 : a[3]];
  if (len && off + len > MAX_FILE_SIZE) throw new LinuxError(EFBIG);
  // Read the guest's buffer first: a bad pointer must change nothing.
  const bytes = len ? guestBytes(m, a[1], len) : new Uint8Array(0);
  const f = fileFor(k, p);
  k.fs.reserve(f, replace ? len : off + len);
  if (replace) {
    k.fs.replaceContents(f, bytes);
    return 0;
  }
  if (len) k.fs.write(f, off, bytes);
  return len;
}

/** Byte-string names of a directory's tree entries (files and directories), in byte order. */
function listNames(k: Linux, dir: DirNode): string[] {
  if (dir.entries === null) {
    // Lazy: list the tree without materialising it.
    return dir.tree!.names.map(toFsName).sort();
  }
  return k.fs.sortedNames(dir).filter((name) => {
    const kind = k.fs.get(dir.entries!.get(name)!).kind;
    return kind === "file" || kind === "dir";
  });
}

function list(k: Linux, m: Memory, a: number[]): number {
  const node = k.lookupAt(AT_FDCWD, readPath(m, a[0]), false);
  if (node.kind === "file") throw new LinuxError(ENOTDIR);
  if (node.kind !== "dir") throw new LinuxError(EINVAL);
  requirePerm(node, R_OK);
  const names = listNames(k, node);
  let size = 0;
  for (const n of names) size += n.length + 1;
  if (size <= a[2]) {
    const out = new Uint8Array(size);
    let at = 0;
    for (const n of names) {
      for (let i = 0; i < n.length; i++) out[at++] = n.charCodeAt(i);
      out[at++] = 0;
    }
    m.write(a[1], out);
  }
  return size;
}

function stat(k: Linux, m: Memory, a: number[]): number {
  const node = k.lookupAt(AT_FDCWD, readPath(m, a[0]), false);
  const t = k.fs.treeOf(node);
  const s = new Struct(FX86_STAT_SIZE)
    .u32(0, t.kind === "blob" ? 1 : 2)
    .u32(4, 0)
    .u64(8, t.size);
  s.bytes.set(t.digest, 16);
  s.write(m, a[1]);
  return 0;
}

function copy(k: Linux, m: Memory, a: number[]): number {
  const from = readPath(m, a[0]);
  const to = readPath(m, a[1]);
  setTreeAt(k, to, getTreeAt(k, from));
  return 0;
}

function remove(k: Linux, m: Memory, a: number[]): number {
  const p = k.parentAt(AT_FDCWD, readPath(m, a[0]));
  if (!isEntryName(p.name)) throw new LinuxError(EINVAL);
  const ino = k.fs.entries(p.dir).get(p.name);
  if (ino === undefined) throw new LinuxError(ENOENT);
  const node = k.fs.get(ino);
  if (p.trailingSlash && node.kind !== "dir") throw new LinuxError(ENOTDIR);
  mayDelete(p.dir, node);
  k.fs.removeTree(p.dir, p.name);
  return 0;
}

/** A new directory `name` in `dir` (mode 0777 & ~umask), with mkdir(2)'s checks. */
function makeDir(k: Linux, dir: DirNode, name: string): DirNode {
  requirePerm(dir, W_OK | X_OK);
  if (dir.nlink === 0) throw new LinuxError(ENOENT);
  const d = k.fs.create<DirNode>({
    kind: "dir",
    mode: 0o777 & ~k.umask,
    entries: new Map(),
    parent: dir.ino,
  });
  k.fs.link(dir, name, d);
  return d;
}

function mkdir(k: Linux, m: Memory, a: number[]): number {
  const path = readPath(m, a[0]);
  if (a[1] === 0) {
    const p = k.parentAt(AT_FDCWD, path);
    if (!isEntryName(p.name) || k.fs.entries(p.dir).has(p.name)) {
      throw new LinuxError(EEXIST);
    }
    makeDir(k, p.dir, p.name);
    return 0;
  }
  // mkdir -p: walk the components, creating the missing ones.
  if (path === "") throw new LinuxError(ENOENT);
  let cur: Node = k.fs.get(path.startsWith("/") ? k.fs.root : k.cwd);
  const parts = path.split("/").filter((s) => s !== "");
  for (let i = 0; i < parts.length; i++) {
    const name = parts[i];
    if (cur.kind !== "dir") throw new LinuxError(ENOTDIR);
    if (name.length > NAME_MAX) throw new LinuxError(ENAMETOOLONG);
    requirePerm(cur, X_OK);
    let next: Node;
    if (name === ".") next = cur;
    else if (name === "..") next = k.fs.get(cur.parent);
    else {
      const ino = k.fs.entries(cur).get(name);
      if (ino === undefined) next = makeDir(k, cur, name);
      else {
        next = k.fs.get(ino);
        if (next.kind === "symlink") {
          next = k.fs.lookup(cur.ino, name, k.lookupOpts(true));
        }
        if (next.kind !== "dir") {
          throw new LinuxError(i === parts.length - 1 ? EEXIST : ENOTDIR);
        }
      }
    }
    cur = next;
  }
  return 0;
}

const OPS: Record<
  number,
  { name: string; args: string; fn: (k: Linux, m: Memory, a: number[]) => number }
> = {
  [FX86_READ]: { name: "READ", args: "s,x,u,u", fn: read },
  [FX86_WRITE]: {
    name: "WRITE",
    args: "s,x,u,u",
    fn: (k, m, a) => write(k, m, a, false),
  },
  [FX86_REPLACE]: {
    name: "REPLACE",
    args: "s,x,u",
    fn: (k, m, a) => write(k, m, a, true),
  },
  [FX86_LIST]: { name: "LIST", args: "s,x,u", fn: list },
  [FX86_STAT]: { name: "STAT", args: "s,x", fn: stat },
  [FX86_COPY]: { name: "COPY", args: "s,s", fn: copy },
  [FX86_REMOVE]: { name: "REMOVE", args: "s", fn: remove },
  [FX86_MKDIR]: { name: "MKDIR", args: "s,u", fn: mkdir },
};

/** Whether `fn` is one of the data-tree functions {@link treeOp} performs. */
export function isTreeOp(fn: number): boolean {
  return fn in OPS;
}

/**
 * Performs data-tree function `fn` (READ 0x01 … MKDIR 0x08) for a guest
 * whose registers hold the arguments (EBX, ECX, EDX, ESI): the result, or
 * -errno, goes to EAX; other registers and flags are untouched. Timestamps
 * are the guest's clock at `c.icount`. A function number outside 1..8
 * throws GuestFault "undefined-opcode".
 *
 * @example
 * treeOp(linux, mem, cpu, FX86_STAT); // cpu.r[EAX] = 0 or -errno
 */
export function treeOp(k: Linux, m: Memory, c: Cpu, fn: number): void {
  const op = OPS[fn];
  if (!op) {
    throw new GuestFault(
      "undefined-opcode",
      0,
      `FX86 function 0x${fn.toString(16)} does not exist`,
    );
  }
  const a = [EBX, ECX, EDX, ESI].map((r) => c.r[r] >>> 0);
  k.now = c.icount;
  let result: number;
  try {
    result = op.fn(k, m, a);
  } catch (e) {
    if (e instanceof LinuxError) result = -e.errno;
    else if (e instanceof GuestFault) result = -EFAULT;
    else throw e;
  }
  c.r[EAX] = result;
  if (k.trace) k.trace(formatOp(m, op.name, op.args, a, result));
}

/** A trace line: `fx86 COPY("/a", "/b") = 0`, `fx86 READ("/x", 0x1000, 16, 0) = -1 ENOENT`. */
function formatOp(
  m: Memory,
  name: string,
  args: string,
  a: number[],
  result: number,
): string {
  const shown = args.split(",").map((kind, i) => {
    if (kind === "s") {
      try {
        return JSON.stringify(toHost(readGuestPath(m, a[i])));
      } catch {
        return `0x${a[i].toString(16)}`;
      }
    }
    return kind === "x" ? `0x${a[i].toString(16)}` : String(a[i]);
  });
  const res = result < 0 ? `-1 ${errnoName(-result)}` : String(result);
  return `fx86 ${name}(${shown.join(", ")}) = ${res}`;
}
