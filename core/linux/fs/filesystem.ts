import { type Timespec, wallClock } from "../clock.ts";
import { ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR, LinuxError } from "../errno.ts";
import { GID, UID } from "../identity.ts";
import { contents } from "./contents.ts";
import { fromHost } from "./names.ts";
import type {
  DeviceNode,
  DirNode,
  FileNode,
  Node,
  SymlinkNode,
} from "./node.ts";

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

/** One node as plain data: entries are sorted [name, ino] pairs, data is exactly the file. */
export type NodeDump =
  | Omit<FileNode, "size">
  | (Omit<DirNode, "entries"> & { entries: [string, number][] })
  | SymlinkNode
  | DeviceNode;

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
 * @example
 * const fs = new FileSystem();
 * fs.writeFile("/etc/hostname", new TextEncoder().encode("fx86\n"));
 * fs.symlink("hostname", "/etc/name");
 * fs.readFile("/etc/name"); // the bytes of "fx86\n"
 */
export class FileSystem {
  readonly nodes = new Map<number, Node>();
  readonly root: number;
  nextIno = 1;
  /** The time stamped on changes; the Linux personality points it at the guest clock. */
  clock: () => Timespec = () => wallClock(0);
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
  create<T extends Node>(
    init: Omit<
      T,
      "ino" | "uid" | "gid" | "nlink" | "atime" | "mtime" | "ctime"
    >,
    opts: NodeOptions = {},
  ): T {
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
    } as unknown as T;
    this.nodes.set(node.ino, node);
    return node;
  }

  /** Adds the entry `name` → `node` to `dir`. */
  link(dir: DirNode, name: string, node: Node): void {
    dir.entries.set(name, node.ino);
    this.sorted.delete(dir);
    if (node.kind === "dir") {
      node.parent = dir.ino;
      node.nlink = 2;
      dir.nlink++;
    } else node.nlink++;
    node.ctime = this.touch(dir);
  }

  /** Removes the entry `name` from `dir`; frees the node if nothing uses it. */
  unlink(dir: DirNode, name: string, inUse: (ino: number) => boolean): void {
    const node = this.get(dir.entries.get(name)!);
    dir.entries.delete(name);
    this.sorted.delete(dir);
    if (node.kind === "dir") {
      node.nlink = 0;
      dir.nlink--;
    } else node.nlink--;
    node.ctime = this.touch(dir);
    this.release(node, inUse);
  }

  /** Moves the entry `from`/`fromName` to `to`/`toName` (which must be free). */
  move(from: DirNode, fromName: string, to: DirNode, toName: string): void {
    const node = this.get(from.entries.get(fromName)!);
    from.entries.delete(fromName);
    to.entries.set(toName, node.ino);
    this.sorted.delete(from);
    this.sorted.delete(to);
    if (node.kind === "dir" && from !== to) {
      from.nlink--;
      to.nlink++;
      node.parent = to.ino;
    }
    this.touch(from);
    node.ctime = this.touch(to);
  }

  /** Swaps what two entries name (renameat2 RENAME_EXCHANGE). */
  exchange(a: DirNode, aName: string, b: DirNode, bName: string): void {
    const x = this.get(a.entries.get(aName)!);
    const y = this.get(b.entries.get(bName)!);
    a.entries.set(aName, y.ino);
    b.entries.set(bName, x.ino);
    for (const [node, from, to] of [[x, a, b], [y, b, a]] as const) {
      if (node.kind === "dir" && from !== to) {
        from.nlink--;
        to.nlink++;
        node.parent = to.ino;
      }
      node.ctime = this.touch(to);
    }
  }

  /** Frees an unlinked node once nothing (open file, cwd) refers to it. */
  release(node: Node, inUse: (ino: number) => boolean): void {
    if (node.nlink === 0 && !inUse(node.ino)) this.nodes.delete(node.ino);
  }

  /** Stamps a change to a directory's contents; returns the time. */
  touch(node: Node): Timespec {
    const now = this.clock();
    node.mtime = now;
    node.ctime = now;
    return now;
  }

  /** Names in `dir`, in byte order (the order getdents lists them). */
  sortedNames(dir: DirNode): string[] {
    let names = this.sorted.get(dir);
    if (!names) {
      names = [...dir.entries.keys()].sort();
      this.sorted.set(dir, names);
    }
    return names;
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
      else if (name === "..") next = this.get(cur.parent);
      else {
        const ino = cur.entries.get(name);
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
    let dir = this.get(this.root) as DirNode;
    for (const name of fromHost(path).split("/")) {
      if (name === "" || name === ".") continue;
      const ino = dir.entries.get(name);
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
    const ino = dir.entries.get(name);
    if (ino !== undefined) {
      const old = this.get(ino);
      if (old.kind !== "file") {
        throw new Error(`${path}: exists and is not a file`);
      }
      old.data = bytes.slice();
      old.size = bytes.length;
      if (opts.mode !== undefined) old.mode = opts.mode;
      old.mtime = old.ctime = opts.mtime ?? this.clock();
      return old;
    }
    const f = this.create<FileNode>({
      kind: "file",
      mode: opts.mode ?? 0o644,
      data: bytes.slice(),
      size: bytes.length,
    }, opts);
    this.link(dir, name, f);
    return f;
  }

  /** Creates a symbolic link at `path` pointing to `target`. */
  symlink(target: string, path: string, opts: NodeOptions = {}): SymlinkNode {
    const { dir, name } = this.hostParent(path);
    if (dir.entries.has(name)) throw new Error(`${path}: already exists`);
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
    if (dir.entries.has(name)) throw new Error(`${path}: already exists`);
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
   * links appears once per link.
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
      for (let i = names.length - 1; i >= 0; i--) {
        stack.push({
          path: `${e.path}/${names[i]}`,
          node: this.get(e.node.entries.get(names[i])!),
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
   * The whole file system as plain data (a deep copy), including nodes that
   * are unlinked but still open. Restore it with {@link FileSystem.load}.
   */
  dump(): FsDump {
    const nodes: NodeDump[] = [];
    for (const ino of [...this.nodes.keys()].sort((a, b) => a - b)) {
      const n = this.get(ino);
      if (n.kind === "file") {
        const { size: _size, ...rest } = n;
        nodes.push({ ...rest, data: contents(n) });
      } else if (n.kind === "dir") {
        const entries = this.sortedNames(n).map((
          name,
        ): [string, number] => [name, n.entries.get(name)!]);
        nodes.push({ ...n, entries });
      } else nodes.push({ ...n });
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
      let n: Node;
      if (d.kind === "file") {
        n = { ...d, data: d.data.slice(), size: d.data.length };
      } else if (d.kind === "dir") n = { ...d, entries: new Map(d.entries) };
      else n = { ...d };
      fs.nodes.set(n.ino, n);
    }
    return fs;
  }
}
