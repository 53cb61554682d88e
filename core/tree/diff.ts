import { sameDigest } from "./hash.ts";
import { compareNames } from "./names.ts";
import type { DirNode } from "./dir.ts";
import type { TreeNode } from "./node.ts";

/**
 * One difference between two trees, as {@link diff} reports it.
 *
 * @example
 * const c: TreeChange = { path: "etc/motd", type: "removed", before: node, after: undefined };
 */
export interface TreeChange {
  /** "/"-separated path from the roots; "" when the roots themselves differ. */
  path: string;
  /** Present only after, only before, or in both with different content. */
  type: "added" | "removed" | "modified";
  /** The node in the first tree, if any. */
  before: TreeNode | undefined;
  /** The node in the second tree, if any. */
  after: TreeNode | undefined;
}

/**
 * True if two nodes are known equal without walking into them: the same
 * object, or both already hashed with equal hashes, or two blobs of the same
 * size with equal hashes. Two directories that are not known equal are
 * walked instead of hashed: the walk costs no more than hashing would, and
 * it skips every shared subtree by identity.
 */
function same(a: TreeNode, b: TreeNode): boolean {
  if (a === b) return true;
  if (a.isHashed && b.isHashed) return sameDigest(a.digest, b.digest);
  if (a.kind === "blob" && b.kind === "blob") {
    return a.size === b.size && sameDigest(a.digest, b.digest);
  }
  return false;
}

/**
 * `same` for entry `i` of `a` and entry `j` of `b`, without loading
 * entries of lazy directories: an entry not loaded yet has a known digest,
 * and comparing digests is what `same` would end up doing.
 */
function sameAt(a: DirNode, i: number, b: DirNode, j: number): boolean {
  if (a.isLoaded(i) && b.isLoaded(j)) return same(a.childAt(i), b.childAt(j));
  return sameDigest(a.childDigest(i), b.childDigest(j));
}

/**
 * The differences between two trees, as a lazy sequence in path order. A
 * path is reported where one tree has a node and the other has none or a
 * different one, except that two directories at the same path are compared
 * entry by entry instead of being reported; an added or removed directory is
 * reported once, not entry by entry. Equal subtrees are skipped by identity or
 * hash, so diffing two snapshots of a 1 GiB guest that differ in one page
 * costs the path to that page.
 *
 * @example
 * for (const c of diff(before, after)) console.log(c.type, c.path);
 * // modified mem/012/3ff
 */
export function* diff(
  before: TreeNode,
  after: TreeNode,
): Generator<TreeChange> {
  if (same(before, after)) return;
  if (before.kind !== "dir" || after.kind !== "dir") {
    yield { path: "", type: "modified", before, after };
    return;
  }
  // Depth first with an explicit stack rather than recursion: a guest can
  // nest directories deeper than the host's call stack (see DirNode.digest).
  const stack: Frame[] = [{ a: before, b: after, prefix: "", i: 0, j: 0 }];
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    const { a, b } = f;
    const aligned = a.names === b.names;
    if (aligned) {
      // Replacing entries keeps the names array (DirNode.with), so two
      // versions of a memory radix level line up index by index: skip the
      // equal entries in a tight loop without comparing names.
      let k = f.i;
      while (k < a.size && sameAt(a, k, b, k)) k++;
      f.i = f.j = k;
    }
    if (f.i === a.size && f.j === b.size) {
      stack.pop();
      continue;
    }
    const c = aligned
      ? 0
      : f.i === a.size
      ? 1
      : f.j === b.size
      ? -1
      : compareNames(a.names[f.i], b.names[f.j]);
    if (c < 0) {
      const x = a.childAt(f.i);
      yield {
        path: f.prefix + a.names[f.i++],
        type: "removed",
        before: x,
        after: undefined,
      };
    } else if (c > 0) {
      const y = b.childAt(f.j);
      yield {
        path: f.prefix + b.names[f.j++],
        type: "added",
        before: undefined,
        after: y,
      };
    } else {
      const path = f.prefix + a.names[f.i];
      const equal = sameAt(a, f.i, b, f.j);
      const x = equal ? undefined : a.childAt(f.i);
      const y = equal ? undefined : b.childAt(f.j);
      f.i++;
      f.j++;
      if (!x || !y) continue;
      if (x.kind === "dir" && y.kind === "dir") {
        stack.push({ a: x, b: y, prefix: path + "/", i: 0, j: 0 });
      } else yield { path, type: "modified", before: x, after: y };
    }
  }
}

/** Two directories being compared, and how far each has been read. */
interface Frame {
  a: DirNode;
  b: DirNode;
  prefix: string;
  i: number;
  j: number;
}

/**
 * Bytes of blob content `after` holds that `before` does not share: the
 * sizes of its blobs that are not the very node `before` has at the same
 * path, an added directory counting every blob in it. What keeping `after`
 * in memory costs beside `before`. Nodes are compared by identity, not
 * hashed (versions of a tree made from one another share the nodes that
 * did not change); entries not loaded yet are compared by digest.
 *
 * @example
 * addedBytes(g.toTree(), (g.run(10), g.toTree())); // 4096 after one page was written
 */
export function addedBytes(before: TreeNode, after: TreeNode): number {
  let total = 0;
  const stack: [TreeNode | undefined, TreeNode][] = [[before, after]];
  while (stack.length > 0) {
    const [a, b] = stack.pop()!;
    if (a === b) continue;
    if (b.kind === "blob") {
      total += b.size;
      continue;
    }
    const old = a?.kind === "dir" ? a : undefined;
    for (let j = 0; j < b.size; j++) {
      const i = !old ? -1 : old.names === b.names ? j : old.indexOf(b.names[j]);
      if (i < 0) stack.push([undefined, b.childAt(j)]);
      else if (old!.isLoaded(i) && b.isLoaded(j)) stack.push([old!.childAt(i), b.childAt(j)]);
      else if (!sameDigest(old!.childDigest(i), b.childDigest(j))) stack.push([undefined, b.childAt(j)]);
    }
  }
  return total;
}
