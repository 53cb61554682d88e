import type { BlobNode } from "./blob.ts";
import type { DirNode } from "./dir.ts";

/**
 * A node of the data tree: a directory or a blob, nothing else. Switch on
 * `kind` to tell them apart.
 *
 * @example
 * function size(node: TreeNode): number {
 *   return node.kind === "blob" ? node.bytes.length : node.size;
 * }
 */
export type TreeNode = BlobNode | DirNode;
