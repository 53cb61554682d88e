import { DirNode } from "./dir.ts";
import type { TreeNode } from "./node.ts";

/**
 * The intern table: hash -> the one canonical node with that hash. It holds
 * nodes weakly, so interning never keeps a node alive: once the last tree
 * using a node is dropped the garbage collector may take it, and the
 * finalization registry then deletes its entry, so the table is bounded by
 * the nodes alive anyway (plus a WeakRef and a map entry each). One table
 * per process rather than per session, because equal content should be one
 * object even when it travels between sessions (snapshot, import, RUN).
 */
const table = new Map<string, WeakRef<TreeNode>>();
const registry = new FinalizationRegistry<string>((hash) => {
  // The entry may already name a newer node with the same hash.
  if (table.get(hash)?.deref() === undefined) table.delete(hash);
});

/**
 * Returns the canonical node with the same content as `node`: the first
 * node interned with that hash that is still alive, else `node` itself (or,
 * for a directory whose children were not canonical, an equal directory built
 * from canonical children). Afterwards equal content is one object, so
 * equality is `===` and memory holds each distinct page once.
 *
 * Interning hashes `node` (only the parts not hashed yet) and visits only
 * nodes not interned yet: every node in the table is interned all the way
 * down, so the walk stops at the first child that is already the canonical
 * object. Re-interning a huge tree after one change costs the path to it.
 *
 * @example
 * const a = intern(blob("same"));
 * const b = intern(blob("same"));
 * a === b; // true
 */
export function intern<T extends TreeNode>(node: T): T {
  const hash = node.hash;
  const known = table.get(hash)?.deref();
  // Same hash means same encoding, whose first byte is the kind: same type.
  if (known) return known as T;
  let canonical: TreeNode = node;
  if (node.kind === "dir") {
    let children: TreeNode[] | undefined;
    for (let i = 0; i < node.children.length; i++) {
      const child = intern(node.children[i]);
      if (child !== node.children[i]) {
        children ??= node.children.slice();
        children[i] = child;
      }
    }
    if (children) canonical = new DirNode(node.names, children, node.digest);
  }
  table.set(hash, new WeakRef(canonical));
  registry.register(canonical, hash);
  return canonical as T;
}

/**
 * How many nodes the intern table holds (live or awaiting finalization);
 * for tests and diagnostics.
 *
 * @example
 * console.log(`${internedCount()} interned nodes`);
 */
export function internedCount(): number {
  return table.size;
}
