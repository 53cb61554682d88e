/**
 * Shared helpers of the tree tests: a seeded random generator (tests must be
 * reproducible), random trees, and a naive flattening used as the reference
 * for diff.
 */
import {
  blob,
  dirFromEntries,
  type DirNode,
  EMPTY_DIR,
  type TreeNode,
} from "../../core/tree/mod.ts";

/** xorshift32: deterministic, seedable, good enough for test data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

/** A random integer in [0, n). */
export function pick(r: () => number, n: number): number {
  return Math.floor(r() * n);
}

/** Few names, so that random edits collide with existing entries often. */
export const NAMES = ["a", "b", "c", "d", "é", "\uE000", "\u{10000}", "zz"];

/** A random tree of depth at most `depth`, with small blobs. */
export function randomTree(r: () => number, depth: number): DirNode {
  const entries: [string, TreeNode][] = [];
  for (const name of NAMES) {
    const x = r();
    if (x < 0.4) continue;
    if (x < 0.7 || depth === 0) entries.push([name, randomBlob(r)]);
    else entries.push([name, randomTree(r, depth - 1)]);
  }
  return dirFromEntries(entries);
}

/** A blob of 0–3 bytes, each 0 or 1: equal blobs in different places are common. */
export function randomBlob(r: () => number): TreeNode {
  return blob(Uint8Array.from({ length: pick(r, 4) }, () => pick(r, 2)));
}

/** Every node of a tree by "/"-joined path ("" is the root). */
export function flatten(
  node: TreeNode,
  prefix = "",
  out = new Map<string, TreeNode>(),
) {
  out.set(prefix, node);
  if (node.kind === "dir") {
    for (const [name, child] of node.entries()) {
      flatten(child, prefix ? `${prefix}/${name}` : name, out);
    }
  }
  return out;
}

export { EMPTY_DIR };
