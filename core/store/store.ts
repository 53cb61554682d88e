/**
 * The on-disk, content-addressed object store (docs/store.md): tree nodes
 * stored once each under their hash, and snapshots naming roots.
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
} from "node:fs";
import { join } from "node:path";
import { decode, decodeLazy, encode, TreeError, type TreeNode } from "../tree/mod.ts";
import { childHashes } from "./children.ts";
import { moveInto, tempName, writeAtomic } from "./atomic.ts";
import { hostReason, notCanonical, StoreError, storeIoError } from "./errors.ts";
import { fromObjectFile, toObjectFile } from "./object-file.ts";
import { checkSnapshotName, parseSnapshot, type SnapshotMeta } from "./snapshot.ts";

/** Name of the marker file that makes a directory a store. */
export const MARKER = "fx86-store.json";
/** The on-disk format version this code reads and writes. */
export const FORMAT_VERSION = 1;

const LAYOUT = new Set(["objects", "snapshots", "tmp", MARKER]);
const HASH = /^[0-9a-f]{64}$/;
const SNAPSHOT_EXT = ".json";

/** What `putTree` wrote: new objects and their bytes on disk. */
export interface PutStats {
  objects: number;
  bytes: number;
}

/** How to open a store. */
export interface OpenOptions {
  /**
   * Create the store if the directory is missing or empty, and check that it
   * can be written (`read-only` otherwise). Without it, a missing store is a
   * `no-store` error.
   */
  write?: boolean;
}

function code(e: unknown): string | undefined {
  return (e as { code?: string })?.code;
}

function isReadOnly(e: unknown): boolean {
  const c = code(e);
  return c === "EACCES" || c === "EROFS" || c === "EPERM";
}

/**
 * An object store in a host directory.
 *
 * @example
 * const store = Store.open(".fx86", { write: true });
 * store.putTree(guest.toTree());                  // writes only what is new
 * store.putSnapshot("s1", { root: guest.toTree().hash, ... });
 * const tree = store.loadSnapshot("s1").tree;     // verified on the way in
 */
export class Store {
  /** Hashes known to be on disk (so each is looked up at most once). */
  private readonly present = new Set<string>();
  /** Nodes read lazily, by hash, while anything still holds them (a zero page is read once). */
  private readonly loaded = new Map<string, WeakRef<TreeNode>>();
  private readonly objectsDir: string;
  private readonly snapshotsDir: string;
  private readonly tmpDir: string;

  private constructor(readonly dir: string) {
    this.objectsDir = join(dir, "objects");
    this.snapshotsDir = join(dir, "snapshots");
    this.tmpDir = join(dir, "tmp");
  }

  /** Opens (and with `write`, creates) the store in `dir`; throws StoreError. */
  static open(dir: string, opts: OpenOptions = {}): Store {
    const store = new Store(dir);
    let entries: string[] | undefined;
    try {
      entries = readdirSync(dir);
    } catch (e) {
      if (code(e) === "ENOTDIR") throw new StoreError("not-a-store", `${dir} is not an fx86 store (it is a file).`);
      if (code(e) !== "ENOENT") throw e;
    }
    if (entries?.includes(MARKER)) {
      store.checkMarker();
      if (opts.write) store.checkWritable();
      return store;
    }
    // A directory being created by a concurrent process holds only layout
    // entries; anything else means it is something other than a store.
    const foreign = entries?.some((n) => !LAYOUT.has(n));
    if (foreign) throw new StoreError("not-a-store", `${dir} is not an fx86 store (it has no ${MARKER}).`);
    if (!opts.write) throw new StoreError("no-store", `there is no fx86 store at ${dir}.`);
    try {
      mkdirSync(store.tmpDir, { recursive: true });
      mkdirSync(store.objectsDir, { recursive: true });
      mkdirSync(store.snapshotsDir, { recursive: true });
      const marker = JSON.stringify({ format: "fx86-store", version: FORMAT_VERSION }) + "\n";
      writeAtomic(store.tmpDir, join(dir, MARKER), new TextEncoder().encode(marker));
    } catch (e) {
      if (isReadOnly(e)) throw new StoreError("read-only", `cannot create a store at ${dir}: permission denied.`);
      throw storeIoError(dir, e, "create the store");
    }
    return store;
  }

  private checkMarker(): void {
    let version: unknown;
    try {
      const m = JSON.parse(readFileSync(join(this.dir, MARKER), "utf8"));
      version = m?.format === "fx86-store" ? m.version : undefined;
    } catch {
      version = undefined;
    }
    if (version === undefined) {
      throw new StoreError("not-a-store", `${this.dir} is not an fx86 store (its ${MARKER} is damaged).`);
    }
    if (version !== FORMAT_VERSION) {
      throw new StoreError(
        "version",
        `the store ${this.dir} has format version ${version}, but this fx86 reads version ${FORMAT_VERSION}.`,
      );
    }
  }

  /** Fails early, before any work is done, if nothing can be written. */
  private checkWritable(): void {
    try {
      mkdirSync(this.tmpDir, { recursive: true });
      const probe = join(this.tmpDir, MARKER);
      writeAtomic(this.tmpDir, probe, new Uint8Array(0));
      rmSync(probe, { force: true });
    } catch (e) {
      if (isReadOnly(e)) throw new StoreError("read-only", `the store ${this.dir} is read-only.`);
      throw storeIoError(this.dir, e, "write a file");
    }
  }

  /** Host path of an object file: `objects/` + first two hex digits + `/` + the rest. */
  objectPath(hash: string): string {
    return join(this.objectsDir, hash.slice(0, 2), hash.slice(2));
  }

  /** True if the object is on disk (its content is not checked); false for anything that is not a hash. */
  has(hash: string): boolean {
    if (this.present.has(hash)) return true;
    if (!HASH.test(hash)) return false;
    if (!existsSync(this.objectPath(hash))) return false;
    this.present.add(hash);
    return true;
  }

  /**
   * Stores a tree: writes every node not on disk yet, children before their
   * directory, and skips whole subtrees whose root is present. Writing
   * children first is the store's invariant — a directory on disk implies
   * its whole subtree is on disk — which is what makes the skip correct and
   * a snapshot cost only what changed. Walks with an explicit stack (trees
   * can be deeper than any call stack).
   *
   * @example
   * const first = store.putTree(guest.toTree());  // everything
   * guest.run(1000);
   * const next = store.putTree(guest.toTree());   // a few pages and directories
   */
  putTree(root: TreeNode): PutStats {
    const stats: PutStats = { objects: 0, bytes: 0 };
    const stack: { node: TreeNode; expanded: boolean }[] = [{ node: root, expanded: false }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (!top.expanded) {
        if (this.hasFresh(top.node.hash)) {
          stack.pop();
          continue;
        }
        top.expanded = true;
        if (top.node.kind === "dir") {
          for (const child of top.node.children) stack.push({ node: child, expanded: false });
        }
        continue;
      }
      stack.pop();
      const hash = top.node.hash;
      if (this.present.has(hash)) continue; // an equal node that was written meanwhile
      const file = toObjectFile(encode(top.node));
      this.writeObject(hash, file);
      stats.objects++;
      stats.bytes += file.length;
    }
    return stats;
  }

  /**
   * `has`, refreshing the modification time of an object found on disk, so
   * that a concurrent gc treats it (and so the subtree below it) as recent
   * and keeps it while this writer is about to refer to it.
   */
  private hasFresh(hash: string): boolean {
    if (this.present.has(hash)) return true;
    const path = this.objectPath(hash);
    try {
      const now = new Date();
      utimesSync(path, now, now);
    } catch (e) {
      if (code(e) === "ENOENT") return false;
      if (!isReadOnly(e)) throw storeIoError(this.dir, e, `refresh object ${hash}`);
    }
    this.present.add(hash);
    return true;
  }

  /**
   * Stores one canonical encoding from outside (an import), keeping the
   * children-first invariant: a directory is refused (`missing`, naming
   * the child) until all its children are present. Returns its hash and
   * whether it was new. The caller has checked the encoding's hash.
   *
   * @example
   * store.putEncoding(hash, encoding); // { written: true }
   */
  putEncoding(hash: string, encoding: Uint8Array): { written: boolean } {
    if (this.hasFresh(hash)) return { written: false };
    for (const child of childHashes(encoding, hash)) {
      if (!this.has(child)) {
        throw new StoreError("missing", `object ${child} is missing (directory ${hash} needs it).`, child);
      }
    }
    this.writeObject(hash, toObjectFile(encoding));
    return { written: true };
  }

  /**
   * A fresh path in the store's `tmp/` for a file being built piece by
   * piece (a large object streamed from a bundle), to hand to
   * {@link adoptBlobFile} or remove.
   *
   * @example
   * const tmp = store.tempPath();
   */
  tempPath(): string {
    return tempName(this.tmpDir);
  }

  /**
   * Moves a complete temporary file holding a blob's canonical encoding (a
   * valid object file as it is) into place as object `hash`. The caller
   * has checked its hash and header. Blobs have no children, so the
   * children-first invariant holds.
   *
   * @example
   * store.adoptBlobFile(hash, tmp);
   */
  adoptBlobFile(hash: string, tmp: string): void {
    try {
      moveInto(tmp, this.objectPath(hash));
    } catch (e) {
      rmSync(tmp, { force: true });
      throw storeIoError(this.dir, e, `write object ${hash}`);
    }
    this.present.add(hash);
  }

  private writeObject(hash: string, file: Uint8Array): void {
    try {
      writeAtomic(this.tmpDir, this.objectPath(hash), file);
    } catch (e) {
      throw storeIoError(this.dir, e, `write object ${hash}`);
    }
    this.present.add(hash);
  }

  /**
   * The canonical encoding stored under `hash`, checked against it.
   * Throws `missing` or `corrupt` (with the hash).
   *
   * @example
   * decode(store.readObject(h), lookup);
   */
  readObject(hash: string): Uint8Array {
    let file: Uint8Array;
    try {
      file = new Uint8Array(readFileSync(this.objectPath(hash)));
    } catch (e) {
      if (code(e) === "ENOENT") throw missing(hash);
      throw corrupt(hash, `it cannot be read (${hostReason(e)})`);
    }
    let encoding: Uint8Array;
    try {
      encoding = fromObjectFile(file);
    } catch {
      throw corrupt(hash, "its compressed data is damaged");
    }
    if (createHash("sha256").update(encoding).digest("hex") !== hash) {
      throw corrupt(hash, "its bytes do not hash to its name");
    }
    return encoding;
  }

  /**
   * Loads the tree with root `hash`, checking every object's hash on the
   * way (children first, with an explicit stack). Throws `missing` or
   * `corrupt` naming the first bad object.
   *
   * @example
   * const tree = store.getTree(meta.root);
   */
  getTree(hash: string): TreeNode {
    const loaded = new Map<string, TreeNode>();
    const pending = new Map<string, Uint8Array>();
    const stack = [hash];
    while (stack.length > 0) {
      const h = stack[stack.length - 1];
      if (loaded.has(h)) {
        stack.pop();
        continue;
      }
      let encoding = pending.get(h);
      if (!encoding) {
        encoding = this.readObject(h);
        const wanted = childHashes(encoding, h).filter((c) => !loaded.has(c));
        if (wanted.length > 0) {
          pending.set(h, encoding);
          stack.push(...wanted);
          continue;
        }
      }
      stack.pop();
      pending.delete(h);
      let node: TreeNode;
      try {
        node = decode(encoding, (c) => loaded.get(c));
      } catch (e) {
        throw corrupt(h, `it is not a canonical node encoding (${notCanonical(e as Error)})`);
      }
      loaded.set(h, node);
    }
    return loaded.get(hash)!;
  }

  /**
   * The tree with root `hash`, loaded on demand: one object now, and each
   * directory's entries when they are first touched (`get`, `entries`,
   * `children`), so reading one file of a snapshot, or restoring a guest,
   * reads only the objects it reaches. Every object is verified as it is
   * read. A missing or corrupt object surfaces where it is first touched,
   * as a StoreError naming it and `snapshot` (the snapshot being read).
   *
   * @example
   * const tree = store.lazyTree(meta.root, "s1");
   * get(tree, "stdout"); // reads the root, then the stdout blob
   */
  lazyTree(hash: string, snapshot?: string): TreeNode {
    const load = (h: string): TreeNode => {
      const known = this.loaded.get(h)?.deref();
      if (known) return known;
      let node: TreeNode;
      try {
        node = decodeLazy(this.readObject(h), load);
      } catch (e) {
        const err = e instanceof TreeError ? corrupt(h, `it is not a canonical node encoding (${notCanonical(e)})`) : e;
        if (!(err instanceof StoreError) || !err.hash || snapshot === undefined) throw err;
        throw neededBy(snapshot, err);
      }
      this.loaded.set(h, new WeakRef(node));
      return node;
    };
    return load(hash);
  }

  /**
   * A snapshot's metadata and its tree, loaded on demand (see
   * {@link lazyTree}); `loadSnapshot` reads and checks everything first.
   *
   * @example
   * const { meta, tree } = store.openSnapshot("s1");
   */
  openSnapshot(name: string): { meta: SnapshotMeta; tree: TreeNode } {
    const meta = this.getSnapshot(name);
    return { meta, tree: this.lazyTree(meta.root, name) };
  }

  /** Every object's hash, from the names of the files (not checked). */
  *objectHashes(): Generator<string> {
    for (const fan of safeReaddir(this.objectsDir, this.dir)) {
      for (const rest of safeReaddir(join(this.objectsDir, fan), this.dir)) yield fan + rest;
    }
  }

  /** Deletes an object file (gc only: callers must know nothing refers to it). */
  removeObject(hash: string): void {
    try {
      rmSync(this.objectPath(hash), { force: true });
    } catch (e) {
      throw storeIoError(this.dir, e, `remove object ${hash}`);
    }
    this.present.delete(hash);
  }

  /** Names of the files in `tmp/`: leftovers of interrupted writes, or writes in progress. */
  tempFiles(): string[] {
    return safeReaddir(this.tmpDir, this.dir).map((n) => join(this.tmpDir, n));
  }

  /** Host path of a snapshot's file. */
  snapshotPath(name: string): string {
    checkSnapshotName(name);
    return join(this.snapshotsDir, name + SNAPSHOT_EXT);
  }

  /**
   * Writes (or replaces) a snapshot atomically. Store its tree first: a
   * snapshot must only name a root that is on disk.
   *
   * @example
   * store.putTree(tree);
   * store.putSnapshot("s1", meta);
   */
  putSnapshot(name: string, meta: SnapshotMeta): void {
    const path = this.snapshotPath(name);
    const bytes = new TextEncoder().encode(JSON.stringify(meta, null, 2) + "\n");
    try {
      writeAtomic(this.tmpDir, path, bytes);
    } catch (e) {
      throw storeIoError(this.dir, e, `write snapshot ${name}`);
    }
  }

  /** A snapshot's metadata; throws `no-snapshot` or `bad-snapshot`. */
  getSnapshot(name: string): SnapshotMeta {
    let text: string;
    try {
      text = readFileSync(this.snapshotPath(name), "utf8");
    } catch (e) {
      if (code(e) === "ENOENT") throw new StoreError("no-snapshot", `there is no snapshot named ${name} in ${this.dir}.`);
      throw storeIoError(this.dir, e, `read snapshot ${name}`);
    }
    return parseSnapshot(name, text);
  }

  /** Names of all snapshots, sorted. */
  snapshotNames(): string[] {
    return safeReaddir(this.snapshotsDir, this.dir)
      .filter((n) => n.endsWith(SNAPSHOT_EXT))
      .map((n) => n.slice(0, -SNAPSHOT_EXT.length))
      .sort();
  }

  /** Removes a snapshot (its objects stay until gc); throws `no-snapshot`. */
  removeSnapshot(name: string): void {
    try {
      rmSync(this.snapshotPath(name));
    } catch (e) {
      if (code(e) === "ENOENT") throw new StoreError("no-snapshot", `there is no snapshot named ${name} in ${this.dir}.`);
      throw storeIoError(this.dir, e, `remove snapshot ${name}`);
    }
  }

  /**
   * A snapshot's metadata and verified tree. A missing or corrupt object is
   * reported with its hash and the snapshot's name.
   *
   * @example
   * const { meta, tree } = store.loadSnapshot("s1");
   */
  loadSnapshot(name: string): { meta: SnapshotMeta; tree: TreeNode } {
    const meta = this.getSnapshot(name);
    return { meta, tree: this.getTreeFor(name, meta.root) };
  }

  /**
   * `getTree` for a tree a snapshot refers to (its root or start): a
   * missing or corrupt object is reported with the snapshot's name.
   *
   * @example
   * store.getTreeFor("s1", store.getSnapshot("s1").start!);
   */
  getTreeFor(name: string, hash: string): TreeNode {
    try {
      return this.getTree(hash);
    } catch (e) {
      if (!(e instanceof StoreError) || !e.hash) throw e;
      throw neededBy(name, e);
    }
  }

  /** Modification time of an object file in ms, or undefined if it is gone. */
  objectTime(hash: string): number | undefined {
    try {
      return statSync(this.objectPath(hash)).mtimeMs;
    } catch (e) {
      if (code(e) === "ENOENT") return undefined;
      throw storeIoError(this.dir, e, `look at object ${hash}`);
    }
  }
}

function missing(hash: string): StoreError {
  return new StoreError("missing", `object ${hash} is missing.`, hash);
}

function corrupt(hash: string, why: string): StoreError {
  return new StoreError("corrupt", `object ${hash} is corrupt: ${why}.`, hash);
}

/** A missing or corrupt object's error, said as what a snapshot needs. */
function neededBy(snapshot: string, e: StoreError): StoreError {
  const what = e.code === "missing" ? "which is missing" : "which is corrupt";
  return new StoreError(e.code, `snapshot ${snapshot} needs object ${e.hash}, ${what}.`, e.hash);
}

/** A directory's entries; none if it is missing; a one-line error naming the store otherwise. */
function safeReaddir(dir: string, store: string): string[] {
  try {
    return readdirSync(dir);
  } catch (e) {
    if (code(e) === "ENOENT") return [];
    throw storeIoError(store, e, `list ${dir}`);
  }
}
