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
  if (before.kind === "dir" && after.kind === "dir") {
    yield* walk(before, after, "");
  } else yield { path: "", type: "modified", before, after };
}

function* walk(
  a: DirNode,
  b: DirNode,
  prefix: string,
): Generator<TreeChange> {
  if (a.names === b.names) {
    // Replacing entries shares the names array (DirNode.with), so two
    // versions of a memory radix level line up index by index.
    for (let k = 0; k < a.children.length; k++) {
      const x = a.children[k];
      const y = b.children[k];
      if (!same(x, y)) yield* differing(x, y, prefix + a.names[k]);
    }
    return;
  }
  let i = 0;
  let j = 0;
  while (i < a.names.length || j < b.names.length) {
    const c = i === a.names.length
      ? 1
      : j === b.names.length
      ? -1
      : compareNames(a.names[i], b.names[j]);
    if (c < 0) {
      yield {
        path: prefix + a.names[i],
        type: "removed",
        before: a.children[i],
        after: undefined,
      };
      i++;
    } else if (c > 0) {
      yield {
        path: prefix + b.names[j],
        type: "added",
        before: undefined,
        after: b.children[j],
      };
      j++;
    } else {
      const x = a.children[i];
      const y = b.children[j];
      if (!same(x, y)) yield* differing(x, y, prefix + a.names[i]);
      i++;
      j++;
    }
  }
}

/** The changes between two different nodes found at the same path. */
function* differing(
  x: TreeNode,
  y: TreeNode,
  path: string,
): Generator<TreeChange> {
  if (x.kind === "dir" && y.kind === "dir") yield* walk(x, y, path + "/");
  else yield { path, type: "modified", before: x, after: y };
}
