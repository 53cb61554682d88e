import type { DirNode } from "./dir.ts";
import { DIGEST_BYTES } from "./hash.ts";
import { utf8Length, writeUtf8 } from "./names.ts";
import type { TreeNode } from "./node.ts";

/**
 * First byte of a blob's encoding: ASCII "B".
 *
 * @example
 * encode(blob("x"))[0] === BLOB_TAG; // true
 */
export const BLOB_TAG = 0x42;
/**
 * First byte of a directory's encoding: ASCII "D".
 *
 * @example
 * encode(EMPTY_DIR)[0] === DIR_TAG; // true
 */
export const DIR_TAG = 0x44;
/**
 * Bytes before a blob's contents: tag and 64-bit length.
 *
 * @example
 * encode(blob("x")).length === BLOB_HEADER_BYTES + 1; // true
 */
export const BLOB_HEADER_BYTES = 9;
/**
 * Bytes before a directory's entries: tag and 32-bit entry count.
 *
 * @example
 * encode(EMPTY_DIR).length === DIR_HEADER_BYTES; // true
 */
export const DIR_HEADER_BYTES = 5;

/**
 * The header of a blob's encoding: "B", then the byte length as an unsigned
 * 64-bit big-endian integer. The contents follow it.
 *
 * @example
 * blobHeader(5); // 42 00 00 00 00 00 00 00 05
 */
export function blobHeader(size: number): Uint8Array {
  const out = new Uint8Array(BLOB_HEADER_BYTES);
  out[0] = BLOB_TAG;
  const v = new DataView(out.buffer);
  v.setUint32(1, Math.floor(size / 0x1_0000_0000));
  v.setUint32(5, size >>> 0);
  return out;
}

/**
 * The encoding of a directory: "D", the entry count as an unsigned 32-bit
 * big-endian integer, then per entry in UTF-8 byte order of names: the name's
 * byte length (one byte, 1..255), the name in UTF-8, and the child's 32-byte
 * SHA-256 digest. Asking for child digests hashes children not hashed yet.
 *
 * @example
 * encodeDir(EMPTY_DIR); // 44 00 00 00 00
 */
export function encodeDir(dir: DirNode): Uint8Array {
  const { names } = dir;
  let size = DIR_HEADER_BYTES;
  for (const name of names) size += 1 + utf8Length(name) + DIGEST_BYTES;
  const out = new Uint8Array(size);
  out[0] = DIR_TAG;
  new DataView(out.buffer).setUint32(1, names.length);
  let pos = DIR_HEADER_BYTES;
  for (let i = 0; i < names.length; i++) {
    const end = writeUtf8(names[i], out, pos + 1);
    out[pos] = end - pos - 1;
    out.set(dir.childDigest(i), end);
    pos = end + DIGEST_BYTES;
  }
  return out;
}

/**
 * A node's canonical encoding: exactly the bytes whose SHA-256 is its hash,
 * and what the on-disk store writes. A blob's encoding is a fresh copy of
 * its contents behind the header.
 *
 * @example
 * const bytes = encode(blob("hi")); // 42 00 00 00 00 00 00 00 02 68 69
 * createHash("sha256").update(bytes).digest("hex") === blob("hi").hash; // true
 */
export function encode(node: TreeNode): Uint8Array {
  if (node.kind === "dir") return encodeDir(node);
  const out = new Uint8Array(BLOB_HEADER_BYTES + node.bytes.length);
  out.set(blobHeader(node.bytes.length));
  out.set(node.bytes, BLOB_HEADER_BYTES);
  return out;
}
