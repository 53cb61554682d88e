/**
 * The data tree: immutable, content-addressed directories and blobs, the
 * world of every fx86 guest (docs/tree.md describes the model and the exact
 * encoding that is hashed).
 *
 * @example
 * import { blob, EMPTY_DIR, get, set, diff } from "./core/tree/mod.ts";
 * const a = set(EMPTY_DIR, "etc/hostname", blob("fx86\n"), { parents: true });
 * const b = set(a, "etc/hostname", blob("other\n"));
 * get(b, "etc/hostname").hash; // SHA-256 of the blob's encoding
 * [...diff(a, b)].map((c) => c.path); // ["etc/hostname"]
 */
export { TreeError, type TreeErrorCode } from "./errors.ts";
export type { TreeNode } from "./node.ts";
export { blob, type BlobNode } from "./blob.ts";
export { dirFromEntries, type DirNode, EMPTY_DIR } from "./dir.ts";
export { treeFromPaths } from "./build.ts";
export {
  checkName,
  compareNames,
  MAX_NAME_BYTES,
  parsePath,
  type TreePath,
} from "./names.ts";
export {
  copy,
  type EntryInfo,
  get,
  has,
  list,
  mkdir,
  type NodeInfo,
  type ParentsOption,
  readBlob,
  remove,
  set,
  stat,
  writeBlob,
} from "./path.ts";
export { addedBytes, diff, type TreeChange } from "./diff.ts";
export { intern, internedCount } from "./intern.ts";
export { encode } from "./encoding.ts";
export { checkEncoding, decode, decodeLazy } from "./decode.ts";
export { hashStats } from "./hash.ts";
