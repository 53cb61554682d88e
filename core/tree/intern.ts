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
  const known = canonicalOf(node);
  if (known) return known as T;
  if (node.kind === "blob") return adopt(node) as T;
  // Depth first with an explicit stack rather than recursion: a guest can
  // nest directories deeper than the host's call stack (see DirNode.digest).
  const stack: Frame[] = [{ dir: node, next: 0, children: undefined }];
  for (;;) {
    const top = stack[stack.length - 1];
    if (top.next < top.dir.children.length) {
      const child = top.dir.children[top.next];
      const canonical = canonicalOf(child);
      if (canonical) settle(top, canonical);
      else if (child.kind === "blob") settle(top, adopt(child));
      else stack.push({ dir: child, next: 0, children: undefined });
      continue;
    }
    stack.pop();
    const { dir, children } = top;
    const done = adopt(
      children ? new DirNode(dir.names, children, dir.digest) : dir,
    );
    if (stack.length === 0) return done as T;
    settle(stack[stack.length - 1], done);
  }
}

/** A directory being interned: its next child and its canonical children so far. */
interface Frame {
  dir: DirNode;
  next: number;
  /** A copy of `dir.children`, made only once a child turns out not canonical. */
  children: TreeNode[] | undefined;
}

/** Records the canonical form of the frame's current child and moves on. */
function settle(frame: Frame, canonical: TreeNode): void {
  const i = frame.next++;
  if (canonical !== frame.dir.children[i]) {
    frame.children ??= frame.dir.children.slice();
    frame.children[i] = canonical;
  }
}

/**
 * The live canonical node with `node`'s hash, if any. Same hash means same
 * encoding, whose first byte is the kind, so the result has `node`'s type.
 */
function canonicalOf(node: TreeNode): TreeNode | undefined {
  return table.get(node.hash)?.deref();
}

/** Makes `node`, whose children are canonical, the canonical node of its hash. */
function adopt(node: TreeNode): TreeNode {
  table.set(node.hash, new WeakRef(node));
  registry.register(node, node.hash);
  return node;
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
