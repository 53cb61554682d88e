import { EACCES, LinuxError } from "./errno.ts";
import { GID, UID } from "./identity.ts";

/** access(2) request bits. */
export const R_OK = 4, W_OK = 2, X_OK = 1;

/**
 * Whether the guest user may access a node (or pipe) with mode bits `mode`
 * owned by `uid`:`gid`: owner bits if it owns it, else group, else other.
 * The guest user is not root, so permissions are never bypassed.
 *
 * @example
 * permits({ mode: 0o640, uid: 0, gid: GID }, R_OK); // true: group may read
 */
export function permits(
  node: { mode: number; uid: number; gid: number },
  want: number,
): boolean {
  const bits = node.uid === UID
    ? node.mode >> 6
    : node.gid === GID
    ? node.mode >> 3
    : node.mode;
  return (bits & want & 7) === want;
}

/**
 * Throws EACCES unless {@link permits}.
 *
 * @example
 * requirePerm(dir, W_OK | X_OK); // before creating an entry in dir
 */
export function requirePerm(
  node: { mode: number; uid: number; gid: number },
  want: number,
): void {
  if (!permits(node, want)) throw new LinuxError(EACCES);
}
