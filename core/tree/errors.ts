/**
 * What went wrong in a tree operation. Codes are stable strings so that the
 * Fx86 ABI and the command line can map them to their own error numbers.
 *
 * @example
 * const errno: Record<TreeErrorCode, number> = { "not-found": 2, ... };
 */
export type TreeErrorCode =
  | "not-found" // a path names no node
  | "not-a-directory" // a path walks through a blob
  | "is-a-directory" // a blob operation was given a directory
  | "exists" // a node is already where a new one was to go
  | "bad-path" // a path or name breaks the naming rules
  | "bad-range" // a byte offset or length is negative or not an integer
  | "bad-encoding"; // bytes are not the canonical encoding of a node

/**
 * The one error type thrown by core/tree for caller mistakes; its message is
 * one sentence naming the offending path.
 *
 * @example
 * try {
 *   get(root, "etc/passwd");
 * } catch (e) {
 *   if (e instanceof TreeError && e.code === "not-found") console.log(e.message);
 * }
 */
export class TreeError extends Error {
  constructor(readonly code: TreeErrorCode, message: string) {
    super(message);
    this.name = "TreeError";
  }
}
