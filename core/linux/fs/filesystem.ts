import {
  blob,
  type BlobNode,
  dirFromEntries,
  type DirNode as TreeDir,
  EMPTY_DIR,
  type TreeNode,
} from "../../tree/mod.ts";
import { type Timespec, wallClock } from "../clock.ts";
import {
  EINVAL,
  ELOOP,
  ENAMETOOLONG,
  ENOENT,
  ENOSPC,
  ENOTDIR,
  LinuxError,
} from "../errno.ts";
import { GID, UID } from "../identity.ts";
import { contents, replace, resize, writeAt } from "./contents.ts";
import { fromHost } from "./names.ts";
import type {
  DeviceNode,
  DirNode,
  FileNode,
  Node,
  SymlinkNode,
} from "./node.ts";
import { toFsName, toTreeName } from "./treenames.ts";
import { treeFileBytes } from "./usage.ts";

/** Longest file-name component (bytes). */
const NAME_MAX = 255;
/** Symbolic links followed in one lookup before ELOOP. */
const MAX_LINKS = 40;

/** How a lookup treats its path. */
export interface LookupOptions {
  /** Follow a symbolic link named by the last component. */
  follow: boolean;
  /** Called on each directory the lookup searches (guest permission checks). */
  search?: (dir: DirNode) => void;
}

/** A path split into the directory that holds its last component, and that component. */
export interface ParentLookup {
  dir: DirNode;
  /** The last component: a byte string, or "." / ".." / "" (the path was "/"). */
  name: string;
  /** The path ended with "/" (so it must name a directory). */
  trailingSlash: boolean;
}

/** Ownership, permissions and time for nodes the host creates. */
export interface NodeOptions {
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Timespec;
}

/** The exact state of a file system as plain data (see {@link FileSystem.dump}). */
export interface FsDump {
  root: number;
  nextIno: number;
  nodes: NodeDump[];
}

/** Fields of every node dump. */
type BaseDump = Pick<
  FileNode,
  "ino" | "mode" | "uid" | "gid" | "nlink" | "atime" | "mtime" | "ctime"
>;

/**
 * One node as plain data: entries are sorted [name, ino] pairs (null for a
 * lazy directory, whose contents are its immutable `tree`), data is exactly
 * the file. Caches and link bookkeeping are left out.
 */
export type NodeDump =
  | BaseDump & { kind: "file"; data: Uint8Array }
  | BaseDump & {
    kind: "dir";
    entries: [string, number][] | null;
    parent: number;
    born?: Timespec;
    tree?: TreeDir;
  }
  | BaseDump & { kind: "symlink"; target: string }
  | BaseDump & { kind: "device"; rdev: number }
  | BaseDump & { kind: "fifo" };

/** What {@link FileSystem.create} needs: the kind-specific fields. */
export type NodeInit<T extends Node> = Omit<
  T,
  | "ino"
  | "uid"
  | "gid"
  | "nlink"
  | "atime"
  | "mtime"
  | "ctime"
  | "parents"
  | "shared"
  | "tree"
  | "meta"
  | "born"
>;

/** Number of subdirectories of tree directories (their nlink - 2), computed once. */
const subdirCounts = new WeakMap<TreeDir, number>();

/**
 * Number of subdirectories of a tree directory (a lazy directory's nlink is
 * 2 more), computed once per tree node.
 */
export function subdirCount(t: TreeDir): number {
  let n = subdirCounts.get(t);
  if (n === undefined) {
    n = 0;
    for (const c of t.children) if (c.kind === "dir") n++;
    subdirCounts.set(t, n);
  }
  return n;
}

/**
 * The guest's file system: an inode table of plain-data nodes (directories,
 * regular files, symbolic links, character devices) with deterministic
 * inode numbers (allocated in order) and timestamps from {@link clock}.
 *
 * The host populates it with ordinary (Unicode) paths; guest system calls use
 * byte-string paths through {@link lookup} and {@link lookupParent}.
 * {@link dump} and {@link FileSystem.load} convert it to and from plain
 * data exactly, inode numbers and timestamps included.
 *
 * It is also a view of an immutable data tree (core/tree): {@link getTree}
 * returns the tree of any directory or file, cached on each node and
 * rebuilt only along the paths that changed, and {@link setTree} grafts a
 * tree in O(1): its directories become nodes only when first used
 * (*materialised*, see {@link entries}), and file contents stay the blob's
 * bytes until first written (copy-on-write). Symbolic links and devices
 * have no place in a tree and are left out of it.
 *
 * @example
 * const fs = new FileSystem();
 * fs.writeFile("/etc/hostname", new TextEncoder().encode("fx86\n"));
 * fs.symlink("hostname", "/etc/name");
 * fs.readFile("/etc/name"); // the bytes of "fx86\n"
 * const etc = fs.getTree("/etc"); // DirNode { hostname: blob "fx86\n" }
 * fs.setTree("/backup", etc); // O(1); /backup/hostname reads "fx86\n"
 */
export class FileSystem {
  readonly nodes = new Map<number, Node>();
  readonly root: number;
  nextIno = 1;
  /** The time stamped on changes; the Linux personality points it at the guest clock. */
  clock: () => Timespec = () => wallClock(0);
  /**
   * Whether something outside the file system (an open file, the working
   * directory) still refers to an inode; unlinked nodes stay until it does
   * not. The Linux personality installs its own.
   */
  inUse: (ino: number) => boolean = () => false;
  /** Unlinked nodes kept alive because they are in use (nlink 0). */
  readonly orphans = new Set<number>();
  /**
   * How many bytes the regular files may hold together: a guest's write,
   * truncate or fx86 tree write that would take the total past it fails
   * with ENOSPC ({@link reserve}). The Linux personality sets it from its
   * quota; Infinity here.
   */
  capacity = Infinity;
  /** The bytes the regular files hold, while known; undefined: count again when next needed. */
  private used: number | undefined;
  /** Sorted names of directories, computed when listed, dropped on change. */
  private readonly sorted = new WeakMap<DirNode, string[]>();

  constructor() {
    const root = this.create<DirNode>({
      kind: "dir",
      mode: 0o755,
      entries: new Map(),
      parent: 0,
    });
    root.parent = root.ino;
    root.nlink = 2;
    this.root = root.ino;
  }

  // ---- nodes ----------------------------------------------------------------

  /** The node with inode number `ino` (which must exist). */
  get(ino: number): Node {
    const n = this.nodes.get(ino);
    if (!n) throw new Error(`no inode ${ino}`);
    return n;
  }

  /** Creates an unlinked node owned by the guest user, stamped now. */
  create<T extends Node>(init: NodeInit<T>, opts: NodeOptions = {}): T {
    const now = opts.mtime ?? this.clock();
    const node = {
      ...init,
      ino: this.nextIno++,
      uid: opts.uid ?? UID,
      gid: opts.gid ?? GID,
      nlink: 0,
      atime: now,
      mtime: now,
      ctime: now,
    } as unknown as Node;
    if (node.kind === "dir") {
      if (node.entries) node.born = now;
    } else {
      node.parents = [];
      if (node.kind === "file") node.shared = 0;
    }
    this.nodes.set(node.ino, node);
    return node as T;
  }

  /**
   * The entries of a directory: name → inode number. A lazy directory (made
   * from a tree) is materialised here, on first use: its entries become
   * nodes with inode numbers allocated in the tree's order, directories
   * 0755 and files 0644, owned by the guest user, stamped now; their
   * subdirectories stay lazy. Everything that reads a directory goes
   * through this method.
   */
  entries(dir: DirNode): Map<string, number> {
    return dir.entries ?? this.materialise(dir);
  }

  /** Whether a directory has no entries (without materialising it). */
  isEmpty(dir: DirNode): boolean {
    return dir.entries === null ? dir.tree!.size === 0 : dir.entries.size === 0;
  }

  private materialise(dir: DirNode): Map<string, number> {
    const t = dir.tree!;
    const now = this.clock();
    const map = new Map<string, number>();
    dir.entries = map;
    dir.born = now;
    let clean = true;
    let subdirs = 0;
    for (let i = 0; i < t.names.length; i++) {
      const key = t.names[i];
      const name = toFsName(key);
      // Only tree names that are not fx86's own escapes can do this.
      if (map.has(name)) {
        clean = false;
        continue;
      }
      if (toTreeName(name) !== key) clean = false;
      const node = this.nodeFromTree(t.children[i], dir.ino, now);
      map.set(name, node.ino);
      if (node.kind === "dir") {
        node.nlink = 2 + subdirCount(node.tree!);
        subdirs++;
      } else {
        node.nlink = 1;
        node.parents.push(dir.ino);
      }
    }
    dir.nlink = 2 + subdirs;
    // The tree no longer describes the entries exactly if names changed.
    this.dirChanged(dir, !clean);
    return map;
  }

  /** A new, unlinked node holding a tree: a file wrapping the blob, or a lazy directory. */
  private nodeFromTree(
    t: TreeNode,
    parent: number,
    now: Timespec,
  ): FileNode | DirNode {
    if (t.kind === "blob") {
      const f = this.create<FileNode>({
        kind: "file",
        mode: 0o644,
        data: t.bytes,
        size: t.size,
      }, { mtime: now });
      f.shared = t.size;
      f.tree = t;
      return f;
    }
    const d = this.create<DirNode>({
      kind: "dir",
      mode: 0o755,
      entries: null,
      parent,
    }, { mtime: now });
    d.tree = t;
    return d;
  }

  /** Adds the entry `name` → `node` to `dir`. */
  link(dir: DirNode, name: string, node: Node): void {
    this.attach(dir, name, node);
    node.ctime = this.touch(dir);
    this.changed(node);
  }

  /** Adds an entry without stamping times. */
  private attach(dir: DirNode, name: string, node: Node): void {
    this.entries(dir).set(name, node.ino);
    this.sorted.delete(dir);
    if (node.kind === "dir") {
      node.parent = dir.ino;
      node.nlink = 2 + (node.entries === null
        ? subdirCount(node.tree!)
        : this.countSubdirs(node));
      dir.nlink++;
    } else {
      node.nlink++;
      node.parents.push(dir.ino);
    }
    this.orphans.delete(node.ino);
    this.dirChanged(dir, true);
  }

  private countSubdirs(dir: DirNode): number {
    let n = 0;
    for (const ino of dir.entries!.values()) {
      if (this.get(ino).kind === "dir") n++;
    }
    return n;
  }

  /** Removes an entry without stamping times or freeing the node; returns the node. */
  private detach(dir: DirNode, name: string): Node {
    const entries = this.entries(dir);
    const node = this.get(entries.get(name)!);
    entries.delete(name);
    this.sorted.delete(dir);
    if (node.kind === "dir") {
      node.nlink = 0;
      dir.nlink--;
    } else {
      node.nlink--;
      dropOne(node.parents, dir.ino);
    }
    this.dirChanged(dir, true);
    return node;
  }

  /** Removes the entry `name` from `dir`; frees the node if nothing uses it. */
  unlink(dir: DirNode, name: string, inUse = this.inUse): void {
    const node = this.detach(dir, name);
    node.ctime = this.touch(dir);
    this.changed(node);
    this.release(node, inUse);
  }

  /**
   * Removes the entry `name` from `dir` and, if it is a directory,
   * everything below it (unlike rmdir, which wants it empty). Nodes still in
   * use stay as unlinked orphans; directories among them are left empty.
   */
  removeTree(dir: DirNode, name: string, inUse = this.inUse): void {
    const top = this.get(this.entries(dir).get(name)!);
    if (top.kind === "dir") this.clearBelow(top, inUse);
    this.unlink(dir, name, inUse);
  }

  /** Empties a directory recursively (explicit stack: trees can be deep). */
  private clearBelow(top: DirNode, inUse: (ino: number) => boolean): void {
    const now = this.clock();
    const stack: DirNode[] = [top];
    while (stack.length > 0) {
      const d = stack.pop()!;
      // A lazy directory's files go with its tree: count again when next needed.
      if (d.entries === null) this.used = undefined;
      if (d.entries) {
        for (const ino of d.entries.values()) {
          const child = this.get(ino);
          child.ctime = now;
          if (child.kind === "dir") {
            // Freed (or kept as an orphan) once emptied, below.
            child.nlink = 0;
            stack.push(child);
          } else {
            child.nlink--;
            dropOne(child.parents, d.ino);
            // Its other links (if any) show the new ctime.
            this.changed(child);
            this.release(child, inUse);
          }
        }
      }
      d.entries = new Map();
      d.born = now;
      d.tree = EMPTY_DIR;
      d.meta = undefined;
      this.sorted.delete(d);
      if (d !== top) {
        d.nlink = 0;
        this.release(d, inUse);
      } else d.nlink = 2;
    }
  }

  /** Moves the entry `from`/`fromName` to `to`/`toName` (which must be free). */
  move(from: DirNode, fromName: string, to: DirNode, toName: string): void {
    const fromEntries = this.entries(from);
    const node = this.get(fromEntries.get(fromName)!);
    fromEntries.delete(fromName);
    this.entries(to).set(toName, node.ino);
    this.sorted.delete(from);
    this.sorted.delete(to);
    reparent(node, from, to);
    this.dirChanged(from, true);
    this.dirChanged(to, true);
    this.touch(from);
    node.ctime = this.touch(to);
    this.changed(node);
  }

  /** Swaps what two entries name (renameat2 RENAME_EXCHANGE). */
  exchange(a: DirNode, aName: string, b: DirNode, bName: string): void {
    const aEntries = this.entries(a), bEntries = this.entries(b);
    const x = this.get(aEntries.get(aName)!);
    const y = this.get(bEntries.get(bName)!);
    aEntries.set(aName, y.ino);
    bEntries.set(bName, x.ino);
    this.sorted.delete(a);
    this.sorted.delete(b);
    reparent(x, a, b);
    reparent(y, b, a);
    this.dirChanged(a, true);
    this.dirChanged(b, true);
    for (const [node, to] of [[x, b], [y, a]] as const) {
      node.ctime = this.touch(to);
      this.changed(node);
    }
  }

  /** Frees an unlinked node once nothing (open file, cwd) refers to it. */
  release(node: Node, inUse = this.inUse): void {
    if (node.nlink !== 0) return;
    if (inUse(node.ino)) this.orphans.add(node.ino);
    else {
      this.nodes.delete(node.ino);
      this.orphans.delete(node.ino);
      if (node.kind === "file") this.grew(-node.size);
      // A lazy directory takes the files of its tree with it.
      else if (node.kind === "dir" && node.entries === null) this.used = undefined;
    }
  }

  /** Stamps a change to a node's contents (mtime and ctime); returns the time. */
  touch(node: Node): Timespec {
    const now = this.clock();
    node.mtime = now;
    node.ctime = now;
    this.changed(node);
    return now;
  }

  /**
   * Records that a node's metadata (mode, owner, times) changed, so that
   * the cached metadata records above it are rebuilt. System calls that
   * change metadata without {@link touch} call it.
   */
  changed(node: Node): void {
    if (node.kind === "dir") this.dirChanged(node, false);
    else { for (const p of node.parents) this.dirChanged(this.dir(p), false); }
  }

  /**
   * Drops the caches of `dir` and every directory above it: the metadata
   * record always, the tree too if `tree`. Stops at the first directory
   * whose caches are already gone, since a directory never has a cache its
   * parent lacks.
   */
  private dirChanged(dir: DirNode, tree: boolean): void {
    for (let d = dir;;) {
      if (tree) {
        if (d.tree === undefined && d.meta === undefined) return;
        // A lazy directory's tree is its contents, never just a cache.
        if (d.entries !== null) d.tree = undefined;
      } else if (d.meta === undefined) return;
      d.meta = undefined;
      // An unlinked directory is in no tree; the root is its own parent.
      if (d.ino === this.root || d.nlink === 0) return;
      d = this.dir(d.parent);
    }
  }

  private dir(ino: number): DirNode {
    return this.get(ino) as DirNode;
  }

  // ---- file contents --------------------------------------------------------

  /**
   * Writes `bytes` into a regular file at `offset` (zero-filling any gap) and
   * stamps mtime and ctime.
   *
   * @example
   * fs.write(file, file.size, bytes); // append
   */
  write(f: FileNode, offset: number, bytes: Uint8Array): void {
    const before = f.size;
    writeAt(f, offset, bytes);
    this.grew(f.size - before);
    this.contentChanged(f);
  }

  /** Cuts or zero-extends a regular file to `size` bytes and stamps it. */
  truncate(f: FileNode, size: number): void {
    this.grew(size - f.size);
    resize(f, size);
    this.contentChanged(f);
  }

  /** Makes `bytes` (which the file takes over) the file's whole contents, and stamps it. */
  replaceContents(f: FileNode, bytes: Uint8Array): void {
    this.grew(bytes.length - f.size);
    replace(f, bytes);
    this.contentChanged(f);
  }

  /**
   * Throws ENOSPC if growing `f` to `size` bytes would take the regular
   * files past {@link capacity}. The system calls that grow files check
   * first (the host's own writes, building a guest, are not limited).
   *
   * @example
   * k.fs.reserve(node, len); // then k.fs.truncate(node, len)
   */
  reserve(f: FileNode, size: number): void {
    if (size > this.sizeLimit(f)) throw new LinuxError(ENOSPC);
  }

  /**
   * The size `f` may grow to within {@link capacity} (at least its size):
   * write(2) writes up to it (a short write), then fails with ENOSPC.
   *
   * @example
   * fs.sizeLimit(file); // Infinity without a capacity
   */
  sizeLimit(f: FileNode): number {
    if (this.capacity === Infinity) return Infinity;
    return f.size + Math.max(0, this.capacity - this.usedBytes());
  }

  /**
   * The bytes the regular files hold, unlinked ones still open included,
   * and directories not materialised yet by their trees.
   *
   * @example
   * fs.usedBytes(); // 0 for a new file system
   */
  usedBytes(): number {
    if (this.used === undefined) {
      let total = 0;
      for (const n of this.nodes.values()) {
        if (n.kind === "file") total += n.size;
        else if (n.kind === "dir" && n.entries === null) total += treeFileBytes(n.tree!);
      }
      this.used = total;
    }
    return this.used;
  }

  private grew(bytes: number): void {
    if (this.used !== undefined) this.used += bytes;
  }

  private contentChanged(f: FileNode): void {
    f.tree = undefined;
    for (const p of f.parents) this.dirChanged(this.dir(p), true);
    this.touch(f);
  }

  // ---- trees ------------------------------------------------------------------

  /**
   * The data tree of the file or directory at `path` (a byte string,
   * resolved from `start` like a system call's path, following symbolic
   * links except in the last component): a BlobNode for a regular file, a
   * DirNode for a directory, with symbolic links and devices left out.
   * Unchanged since the last call, it is the same object (O(1)); after
   * changes, only the directories on the paths to them are rebuilt. No
   * permission checks (the host's view). Throws LinuxError: ENOENT,
   * ENOTDIR, ELOOP, ENAMETOOLONG, and EINVAL for a symbolic link or device.
   *
   * @example
   * fs.getTree("/etc").kind; // "dir"
   * fs.getTree("/etc") === fs.getTree("/etc"); // true
   */
  getTree(path: string, start = this.root): TreeNode {
    return this.treeOf(this.lookup(start, path, { follow: false }));
  }

  /** The data tree of a node (see {@link getTree}); EINVAL for a symbolic link or device. */
  treeOf(node: Node): TreeNode {
    if (node.kind === "file") return this.fileTree(node);
    if (node.kind === "dir") return this.dirTree(node);
    throw new LinuxError(EINVAL);
  }

  private fileTree(f: FileNode): BlobNode {
    if (!f.tree) {
      f.tree = blob(
        f.data.length === f.size ? f.data : f.data.subarray(0, f.size),
      );
      if (f.size > f.shared) f.shared = f.size;
    }
    return f.tree;
  }

  /** Builds the trees of the directories below `top` that are not cached, children first. */
  private dirTree(top: DirNode): TreeDir {
    const stack: DirNode[] = [top];
    while (stack.length > 0) {
      const d = stack[stack.length - 1];
      if (d.tree) {
        stack.pop();
        continue;
      }
      const depth = stack.length;
      for (const ino of d.entries!.values()) {
        const n = this.get(ino);
        if (n.kind === "dir" && !n.tree) stack.push(n);
      }
      if (stack.length === depth) {
        d.tree = this.buildDir(d);
        stack.pop();
      }
    }
    return top.tree!;
  }

  /** A directory's tree from its entries, whose trees are all cached. */
  private buildDir(d: DirNode): TreeDir {
    const list: [string, TreeNode][] = [];
    for (const [name, ino] of d.entries!) {
      const n = this.get(ino);
      if (n.kind === "file") list.push([toTreeName(name), this.fileTree(n)]);
      else if (n.kind === "dir") list.push([toTreeName(name), n.tree!]);
    }
    return list.length === 0 ? EMPTY_DIR : dirFromEntries(list);
  }

  /**
   * Puts a tree at `path` (a byte string resolved from `start`; its parent
   * must exist), replacing whatever is there (a directory with everything
   * below it), and returns the node. O(1): a directory stays lazy until
   * used and a file shares the blob's bytes. Setting the tree the node
   * already has changes nothing; a directory put onto a directory keeps
   * that directory (inode, mode, owner) and replaces its contents; `path`
   * "/" replaces the root's contents. Otherwise the new node gets the next
   * inode number, mode 0755 or 0644 and the guest user as owner. The
   * parent's (or the kept directory's) mtime is stamped.
   * No permission checks. Throws LinuxError like {@link lookupParent}, and
   * EINVAL for a last component "." or "..".
   *
   * @example
   * fs.setTree("/guests/child", childTree);
   * fs.getTree("/guests/child") === childTree; // true
   */
  setTree(path: string, tree: TreeNode, start = this.root): Node {
    return this.putTree(this.lookupParent(start, path, { follow: true }), tree);
  }

  /** {@link setTree} for a path already resolved with {@link lookupParent}. */
  putTree(p: ParentLookup, tree: TreeNode): Node {
    if (p.name === "") return this.replaceRoot(tree);
    if (p.name === "." || p.name === "..") throw new LinuxError(EINVAL);
    if (p.trailingSlash && tree.kind !== "dir") throw new LinuxError(ENOTDIR);
    // A removed directory (still in use) takes no new entries.
    if (p.dir.nlink === 0) throw new LinuxError(ENOENT);
    const old = this.entries(p.dir).get(p.name);
    if (old !== undefined) {
      const node = this.get(old);
      if (node.kind === "file" || node.kind === "dir") {
        if (node.tree === tree) return node;
      }
      if (node.kind === "dir" && tree.kind === "dir") return this.replaceDirTree(node, tree);
      this.removeTree(p.dir, p.name);
    }
    const node = this.nodeFromTree(tree, p.dir.ino, this.clock());
    this.link(p.dir, p.name, node);
    this.used = undefined;
    return node;
  }

  private replaceRoot(tree: TreeNode): Node {
    const root = this.dir(this.root);
    if (tree.kind !== "dir") throw new LinuxError(EINVAL);
    if (root.tree === tree) return root;
    return this.replaceDirTree(root, tree);
  }

  /**
   * Replaces a directory's contents with a tree, keeping the directory
   * itself (its inode): writing a sub-guest back once per RUN, or once
   * more when its caller was interrupted inside RUN, leaves the same state.
   */
  private replaceDirTree(dir: DirNode, tree: TreeDir): DirNode {
    this.clearBelow(dir, this.inUse);
    this.used = undefined;
    dir.entries = null;
    dir.born = undefined;
    dir.tree = tree;
    dir.nlink = 2 + subdirCount(tree);
    this.touch(dir);
    if (dir.ino !== this.root) this.dirChanged(this.dir(dir.parent), true);
    return dir;
  }

  // ---- lookup (byte-string paths) -------------------------------------------

  /**
   * Resolves `path` from directory `start` (absolute paths from the root).
   * Throws LinuxError ENOENT, ENOTDIR, ELOOP or ENAMETOOLONG as Linux would.
   */
  lookup(start: number, path: string, opts: LookupOptions): Node {
    if (path === "") throw new LinuxError(ENOENT);
    return this.walk(start, path, opts, { links: 0 });
  }

  /** Resolves all but the last component of `path`, which must be a directory. */
  lookupParent(start: number, path: string, opts: LookupOptions): ParentLookup {
    if (path === "") throw new LinuxError(ENOENT);
    let end = path.length;
    while (end > 1 && path[end - 1] === "/") end--;
    const trailingSlash = end < path.length;
    const slash = path.lastIndexOf("/", end - 1);
    const name = path.slice(slash + 1, end);
    if (name.length > NAME_MAX) throw new LinuxError(ENAMETOOLONG);
    const dirPath = slash < 0 ? "." : path.slice(0, slash + 1);
    const dir = this.walk(start, dirPath, { ...opts, follow: true }, {
      links: 0,
    });
    if (dir.kind !== "dir") throw new LinuxError(ENOTDIR);
    opts.search?.(dir);
    return { dir, name, trailingSlash };
  }

  private walk(
    start: number,
    path: string,
    opts: LookupOptions,
    count: { links: number },
  ): Node {
    let cur = this.get(path[0] === "/" ? this.root : start);
    const parts = path.split("/");
    let last = parts.length - 1;
    while (last > 0 && parts[last] === "") last--;
    const trailingSlash = last < parts.length - 1;
    for (let i = 0; i <= last; i++) {
      const name = parts[i];
      if (name === "") continue;
      if (cur.kind !== "dir") throw new LinuxError(ENOTDIR);
      if (name.length > NAME_MAX) throw new LinuxError(ENAMETOOLONG);
      opts.search?.(cur);
      let next: Node;
      if (name === ".") next = cur;
      // A removed directory's parent may be gone too: ".." is then the root.
      else if (name === "..") next = this.nodes.get(cur.parent) ?? this.get(this.root);
      else {
        const ino = this.entries(cur).get(name);
        if (ino === undefined) throw new LinuxError(ENOENT);
        next = this.get(ino);
      }
      if (
        next.kind === "symlink" && (i < last || opts.follow || trailingSlash)
      ) {
        if (++count.links > MAX_LINKS) throw new LinuxError(ELOOP);
        if (next.target === "") throw new LinuxError(ENOENT);
        next = this.walk(
          cur.ino,
          next.target,
          { ...opts, follow: true },
          count,
        );
      }
      cur = next;
    }
    if (trailingSlash && cur.kind !== "dir") throw new LinuxError(ENOTDIR);
    return cur;
  }

  /** Names in `dir`, in byte order (the order getdents lists them). */
  sortedNames(dir: DirNode): string[] {
    let names = this.sorted.get(dir);
    if (!names) {
      names = [...this.entries(dir).keys()].sort();
      this.sorted.set(dir, names);
    }
    return names;
  }

  // ---- host side (Unicode paths, absolute) -----------------------------------

  /** The node at a host path (following symbolic links), or undefined. */
  find(path: string, follow = true): Node | undefined {
    try {
      return this.lookup(this.root, fromHost(path), { follow });
    } catch (e) {
      if (e instanceof LinuxError) return undefined;
      throw e;
    }
  }

  /** Creates a directory and any missing parents; returns it. */
  mkdirp(path: string, opts: NodeOptions = {}): DirNode {
    let dir = this.dir(this.root);
    for (const name of fromHost(path).split("/")) {
      if (name === "" || name === ".") continue;
      const ino = this.entries(dir).get(name);
      let next = ino === undefined ? undefined : this.get(ino);
      if (next?.kind === "symlink") {
        next = this.lookup(dir.ino, name, { follow: true });
      }
      if (!next) {
        next = this.create<DirNode>({
          kind: "dir",
          mode: opts.mode ?? 0o755,
          entries: new Map(),
          parent: dir.ino,
        }, opts);
        this.link(dir, name, next);
      }
      if (next.kind !== "dir") throw new Error(`${path}: not a directory`);
      dir = next;
    }
    return dir;
  }

  /** Creates or replaces a regular file (parents are created as needed). */
  writeFile(path: string, bytes: Uint8Array, opts: NodeOptions = {}): FileNode {
    const { dir, name } = this.hostParent(path);
    const ino = this.entries(dir).get(name);
    if (ino !== undefined) {
      const old = this.get(ino);
      if (old.kind !== "file") {
        throw new Error(`${path}: exists and is not a file`);
      }
      this.replaceContents(old, bytes.slice());
      if (opts.mode !== undefined) old.mode = opts.mode;
      if (opts.mtime) old.mtime = old.ctime = opts.mtime;
      return old;
    }
    const f = this.create<FileNode>({
      kind: "file",
      mode: opts.mode ?? 0o644,
      data: bytes.slice(),
      size: bytes.length,
    }, opts);
    this.link(dir, name, f);
    this.grew(bytes.length);
    return f;
  }

  /** Creates a symbolic link at `path` pointing to `target`. */
  symlink(target: string, path: string, opts: NodeOptions = {}): SymlinkNode {
    const { dir, name } = this.hostParent(path);
    if (this.entries(dir).has(name)) throw new Error(`${path}: already exists`);
    const l = this.create<SymlinkNode>({
      kind: "symlink",
      mode: 0o777,
      target: fromHost(target),
    }, opts);
    this.link(dir, name, l);
    return l;
  }

  /** Creates a character device node (`rdev` = major << 8 | minor). */
  mknod(path: string, rdev: number, opts: NodeOptions = {}): DeviceNode {
    const { dir, name } = this.hostParent(path);
    if (this.entries(dir).has(name)) throw new Error(`${path}: already exists`);
    const d = this.create<DeviceNode>({
      kind: "device",
      mode: opts.mode ?? 0o666,
      rdev,
    }, opts);
    this.link(dir, name, d);
    return d;
  }

  /** The contents of the regular file at a host path. */
  readFile(path: string): Uint8Array {
    const n = this.find(path);
    if (n?.kind !== "file") throw new Error(`${path}: no such file`);
    return contents(n);
  }

  /**
   * Every node reachable from the root, depth first in byte order of names,
   * with its byte-string path ("" for the root). A node with several hard
   * links appears once per link. Materialises every lazy directory.
   */
  *walkTree(): Generator<{ path: string; node: Node }> {
    // An explicit stack: guests can nest directories deeper than host recursion allows.
    const stack: { path: string; node: Node }[] = [{
      path: "",
      node: this.get(this.root),
    }];
    while (stack.length) {
      const e = stack.pop()!;
      yield e;
      if (e.node.kind !== "dir") continue;
      const names = this.sortedNames(e.node);
      const entries = this.entries(e.node);
      for (let i = names.length - 1; i >= 0; i--) {
        stack.push({
          path: `${e.path}/${names[i]}`,
          node: this.get(entries.get(names[i])!),
        });
      }
    }
  }

  private hostParent(path: string): { dir: DirNode; name: string } {
    const p = fromHost(path);
    const slash = p.lastIndexOf("/");
    const name = p.slice(slash + 1);
    if (name === "" || name === "." || name === "..") {
      throw new Error(`${path}: not a valid file path`);
    }
    const dir = this.mkdirp(path.slice(0, Math.max(0, path.lastIndexOf("/"))));
    return { dir, name };
  }

  // ---- plain-data form ------------------------------------------------------

  /**
   * The whole file system as plain data (a deep copy, except that lazy
   * directories keep their immutable tree), including nodes that are
   * unlinked but still open. Restore it with {@link FileSystem.load}.
   * Materialises nothing.
   */
  dump(): FsDump {
    const nodes: NodeDump[] = [];
    for (const ino of [...this.nodes.keys()].sort((a, b) => a - b)) {
      const n = this.get(ino);
      const base: BaseDump = {
        ino: n.ino,
        mode: n.mode,
        uid: n.uid,
        gid: n.gid,
        nlink: n.nlink,
        atime: n.atime,
        mtime: n.mtime,
        ctime: n.ctime,
      };
      if (n.kind === "file") {
        nodes.push({ ...base, kind: "file", data: contents(n) });
      } else if (n.kind === "dir") {
        const entries = n.entries === null ? null : this.sortedNames(n).map((
          name,
        ): [string, number] => [name, n.entries!.get(name)!]);
        nodes.push({
          ...base,
          kind: "dir",
          entries,
          parent: n.parent,
          ...(n.born ? { born: n.born } : {}),
          ...(n.entries === null ? { tree: n.tree } : {}),
        });
      } else if (n.kind === "symlink") {
        nodes.push({ ...base, kind: "symlink", target: n.target });
      } else if (n.kind === "fifo") nodes.push({ ...base, kind: "fifo" });
      else nodes.push({ ...base, kind: "device", rdev: n.rdev });
    }
    return { root: this.root, nextIno: this.nextIno, nodes };
  }

  /** Rebuilds a file system from {@link dump} output (copying it). */
  static load(dump: FsDump): FileSystem {
    const fs = new FileSystem();
    fs.nodes.clear();
    (fs as { root: number }).root = dump.root;
    fs.nextIno = dump.nextIno;
    for (const d of dump.nodes) {
      const base = {
        ino: d.ino,
        mode: d.mode,
        uid: d.uid,
        gid: d.gid,
        nlink: d.nlink,
        atime: d.atime,
        mtime: d.mtime,
        ctime: d.ctime,
      };
      let n: Node;
      if (d.kind === "file") {
        const data = d.data.slice();
        n = { ...base, kind: "file", data, size: data.length, shared: 0, parents: [] };
      } else if (d.kind === "dir") {
        n = {
          ...base,
          kind: "dir",
          entries: d.entries ? new Map(d.entries) : null,
          parent: d.parent,
          ...(d.born ? { born: d.born } : {}),
          ...(d.entries ? {} : { tree: d.tree ?? EMPTY_DIR }),
        };
      } else if (d.kind === "symlink") {
        n = { ...base, kind: "symlink", target: d.target, parents: [] };
      } else if (d.kind === "fifo") n = { ...base, kind: "fifo", parents: [] };
      else n = { ...base, kind: "device", rdev: d.rdev, parents: [] };
      fs.nodes.set(n.ino, n);
    }
    for (const n of fs.nodes.values()) {
      if (n.kind === "dir" && n.entries) {
        for (const ino of n.entries.values()) {
          const child = fs.get(ino);
          if (child.kind !== "dir") child.parents.push(n.ino);
        }
      }
      if (n.nlink === 0) fs.orphans.add(n.ino);
    }
    return fs;
  }
}

/**
 * Moves `node`'s link from directory `from` to `to`: a directory's parent
 * and the two link counts (".." entries), or one of a file's parents.
 */
function reparent(node: Node, from: DirNode, to: DirNode): void {
  if (node.kind === "dir") {
    if (from === to) return;
    from.nlink--;
    to.nlink++;
    node.parent = to.ino;
  } else {
    dropOne(node.parents, from.ino);
    node.parents.push(to.ino);
  }
}

/** Removes one occurrence of `value` from `list`. */
function dropOne(list: number[], value: number): void {
  const i = list.indexOf(value);
  if (i >= 0) list.splice(i, 1);
}
