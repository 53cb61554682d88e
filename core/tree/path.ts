import { blob, type BlobNode } from "./blob.ts";
import { type DirNode, EMPTY_DIR } from "./dir.ts";
import { TreeError } from "./errors.ts";
import { parsePath, showPath, type TreePath } from "./names.ts";
import type { TreeNode } from "./node.ts";

/**
 * Options of operations that can create missing parent directories.
 *
 * @example
 * set(EMPTY_DIR, "a/b/c", blob("x"), { parents: true });
 */
export interface ParentsOption {
  /** Create missing intermediate directories (like `mkdir -p`). */
  parents?: boolean;
}

/**
 * What {@link list} says about one entry.
 *
 * @example
 * const e: EntryInfo = { name: "motd", kind: "blob", size: 2 };
 */
export interface EntryInfo {
  name: string;
  kind: "blob" | "dir";
  /** Bytes of a blob, entries of a directory. */
  size: number;
}

/**
 * What {@link stat} says about a node.
 *
 * @example
 * const { kind, size, hash }: NodeInfo = stat(root, "etc");
 */
export interface NodeInfo {
  kind: "blob" | "dir";
  /** Bytes of a blob, entries of a directory. */
  size: number;
  /** SHA-256 of the node's canonical encoding, hexadecimal. */
  hash: string;
}

function quote(names: readonly string[], upTo = names.length): string {
  return JSON.stringify(names.slice(0, upTo).join("/"));
}

/** Walks `names[0..upTo)` from `root`, throwing path errors on the way. */
function walk(
  root: TreeNode,
  names: readonly string[],
  upTo: number,
): TreeNode {
  let node = root;
  for (let i = 0; i < upTo; i++) {
    if (node.kind !== "dir") {
      throw new TreeError(
        "not-a-directory",
        `${i ? quote(names, i) : "The root"} is not a directory.`,
      );
    }
    const child = node.get(names[i]);
    if (!child) {
      throw new TreeError(
        "not-found",
        `${quote(names, i + 1)} does not exist.`,
      );
    }
    node = child;
  }
  return node;
}

/**
 * Rebuilds the directories from `root` down to the parent of the last name,
 * replacing that parent by `change(parent, lastName)`. Only the directories
 * on the path are re-created; everything else is shared with `root`, and a
 * change that returns its parent unchanged returns `root` itself.
 */
function rewrite(
  root: DirNode,
  names: readonly string[],
  parents: boolean,
  change: (parent: DirNode, name: string) => DirNode,
): DirNode {
  if (names.length === 0) {
    throw new TreeError(
      "bad-path",
      "This operation needs a path below the root, not the root itself.",
    );
  }
  const stack: DirNode[] = [];
  let dir = root;
  for (let i = 0; i < names.length - 1; i++) {
    stack.push(dir);
    const child = dir.get(names[i]);
    if (!child) {
      if (!parents) {
        throw new TreeError(
          "not-found",
          `${quote(names, i + 1)} does not exist.`,
        );
      }
      dir = EMPTY_DIR;
    } else if (child.kind !== "dir") {
      throw new TreeError(
        "not-a-directory",
        `${quote(names, i + 1)} is not a directory.`,
      );
    } else dir = child;
  }
  let result = change(dir, names[names.length - 1]);
  for (let i = stack.length - 1; i >= 0; i--) {
    result = stack[i].with(names[i], result);
  }
  return result;
}

/**
 * The node at `path`. Throws "not-found" or "not-a-directory".
 *
 * @example
 * get(root, "etc/hostname"); // a BlobNode
 * get(root, ""); // root
 */
export function get(root: TreeNode, path: TreePath): TreeNode {
  const names = parsePath(path);
  return walk(root, names, names.length);
}

/**
 * True if `path` names a node. Still throws "bad-path" for a malformed path.
 *
 * @example
 * has(root, "etc/hostname"); // true
 */
export function has(root: TreeNode, path: TreePath): boolean {
  const names = parsePath(path);
  let node = root;
  for (const name of names) {
    if (node.kind !== "dir") return false;
    const child = node.get(name);
    if (!child) return false;
    node = child;
  }
  return true;
}

/**
 * A new root with `node` at `path`, replacing whatever was there. Missing
 * parents are created with `{ parents: true }`, else they are "not-found".
 * Only the directories on the path are new objects.
 *
 * @example
 * const r2 = set(root, "etc/hostname", blob("fx86\n"));
 * const r3 = set(EMPTY_DIR, "a/b/c", blob("x"), { parents: true });
 */
export function set(
  root: DirNode,
  path: TreePath,
  node: TreeNode,
  opts: ParentsOption = {},
): DirNode {
  return rewrite(
    root,
    parsePath(path),
    opts.parents ?? false,
    (parent, name) => parent.with(name, node),
  );
}

/**
 * A new root without the node at `path` (a directory goes with everything
 * in it, in O(1)). Throws "not-found" if there is none.
 *
 * @example
 * const r2 = remove(root, "tmp");
 */
export function remove(root: DirNode, path: TreePath): DirNode {
  const names = parsePath(path);
  return rewrite(root, names, false, (parent, name) => {
    if (!parent.has(name)) {
      throw new TreeError("not-found", `${quote(names)} does not exist.`);
    }
    return parent.without(name);
  });
}

/**
 * A new root with an empty directory at `path`. Throws "exists" if a node is
 * there, except that with `{ parents: true }` an existing directory is fine
 * (like `mkdir -p`) and missing parents are created.
 *
 * @example
 * const r2 = mkdir(root, "home/user", { parents: true });
 */
export function mkdir(
  root: DirNode,
  path: TreePath,
  opts: ParentsOption = {},
): DirNode {
  const names = parsePath(path);
  const parents = opts.parents ?? false;
  return rewrite(root, names, parents, (parent, name) => {
    const old = parent.get(name);
    if (!old) return parent.with(name, EMPTY_DIR);
    if (parents && old.kind === "dir") return parent;
    throw new TreeError("exists", `${quote(names)} already exists.`);
  });
}

/**
 * The entries of the directory at `path`, in canonical order. Throws
 * "not-a-directory" for a blob.
 *
 * @example
 * list(root, "etc"); // [{ name: "hostname", kind: "blob", size: 5 }, ...]
 */
export function list(root: TreeNode, path: TreePath): EntryInfo[] {
  const names = parsePath(path);
  const dir = walk(root, names, names.length);
  if (dir.kind !== "dir") {
    throw new TreeError(
      "not-a-directory",
      `${names.length ? quote(names) : "The root"} is not a directory.`,
    );
  }
  return dir.names.map((name, i) => {
    const child = dir.childAt(i);
    return { name, kind: child.kind, size: child.size };
  });
}

/**
 * Kind, size and hash of the node at `path`. Hashes what is not hashed yet
 * below it.
 *
 * @example
 * stat(root, "etc/hostname"); // { kind: "blob", size: 5, hash: "3f…" }
 */
export function stat(root: TreeNode, path: TreePath): NodeInfo {
  const node = get(root, path);
  return { kind: node.kind, size: node.size, hash: node.hash };
}

/**
 * A new root in which `to` is the node at `from`: O(1) whatever its size,
 * since it is the same immutable node. Replaces what was at `to`; copying a
 * directory into itself is fine (the copy is the old version).
 *
 * @example
 * const r2 = copy(root, "guest", "snapshots/before-run", { parents: true });
 */
export function copy(
  root: DirNode,
  from: TreePath,
  to: TreePath,
  opts: ParentsOption = {},
): DirNode {
  return set(root, to, get(root, from), opts);
}

/** The blob at `path`, or "is-a-directory". */
function blobAt(root: TreeNode, path: TreePath): BlobNode {
  const node = get(root, path);
  if (node.kind !== "blob") {
    throw new TreeError(
      "is-a-directory",
      `${JSON.stringify(showPath(path))} is a directory, not a blob.`,
    );
  }
  return node;
}

/**
 * Up to `length` bytes at `offset` of the blob at `path`, as a read-only view
 * (see BlobNode.read). Throws "is-a-directory" for a directory.
 *
 * @example
 * new TextDecoder().decode(readBlob(root, "etc/hostname")); // "fx86\n"
 */
export function readBlob(
  root: TreeNode,
  path: TreePath,
  offset = 0,
  length = Infinity,
): Uint8Array {
  return blobAt(root, path).read(offset, length);
}

/**
 * A new root in which `data` is written at `offset` of the blob at `path`
 * (see BlobNode.write); a missing blob is created (empty before the write).
 *
 * @example
 * const r2 = writeBlob(root, "log/out", 0, new TextEncoder().encode("hi"));
 */
export function writeBlob(
  root: DirNode,
  path: TreePath,
  offset: number,
  data: Uint8Array,
  opts: ParentsOption = {},
): DirNode {
  const names = parsePath(path);
  return rewrite(root, names, opts.parents ?? false, (parent, name) => {
    const old = parent.get(name) ?? blob(new Uint8Array(0));
    if (old.kind !== "blob") {
      throw new TreeError(
        "is-a-directory",
        `${quote(names)} is a directory, not a blob.`,
      );
    }
    return parent.with(name, old.write(offset, data));
  });
}
