/**
 * How many bytes the regular files of a file system hold, for its
 * capacity (FileSystem.capacity, a guest write past it fails with ENOSPC).
 * Directories not yet materialised count by their trees: every blob below
 * them becomes a regular file when they are (FileSystem.materialise).
 */
import type { DirNode as TreeDir } from "../../tree/mod.ts";

/** Sizes of trees already counted: trees are immutable and shared, so each is counted once. */
const counted = new WeakMap<TreeDir, number>();

/**
 * The total size of the blobs below a directory tree (at any depth).
 * Walks with an explicit stack (trees can be deep) and remembers each
 * directory's total, so a tree shared by many snapshots or copies is
 * walked once.
 *
 * @example
 * treeFileBytes(fs.getTree("/") as DirNode); // e.g. 1_948_672
 */
export function treeFileBytes(top: TreeDir): number {
  const stack: [TreeDir, boolean][] = [[top, false]];
  while (stack.length > 0) {
    const [dir, childrenDone] = stack.pop()!;
    if (counted.has(dir)) continue;
    const subdirs = dir.children.filter((c): c is TreeDir => c.kind === "dir");
    if (!childrenDone && subdirs.some((d) => !counted.has(d))) {
      stack.push([dir, true], ...subdirs.map((d): [TreeDir, boolean] => [d, false]));
      continue;
    }
    let total = 0;
    for (const c of dir.children) total += c.kind === "dir" ? counted.get(c)! : c.size;
    counted.set(dir, total);
  }
  return counted.get(top)!;
}
