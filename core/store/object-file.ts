/**
 * The bytes of one object file (docs/store.md §2): a node's canonical
 * encoding as it is, or `Z` followed by the zlib stream of that encoding
 * when compression saves at least an eighth. The first byte tells which:
 * canonical encodings start with `B` (0x42) or `D` (0x44), never `Z`.
 */
import { deflateSync, inflateSync } from "node:zlib";
import { DEFAULT_STORE_LIMITS } from "./limits.ts";

/** First byte of a compressed object file. */
export const COMPRESSED_TAG = 0x5a; // "Z"

/** Encodings shorter than this are stored as they are: zlib cannot win. */
const MIN_COMPRESS = 64;

/**
 * The file contents for a node's canonical encoding.
 *
 * @example
 * toObjectFile(encode(blob(new Uint8Array(4096))))[0] === COMPRESSED_TAG; // zeros compress
 */
export function toObjectFile(encoding: Uint8Array): Uint8Array {
  if (encoding.length < MIN_COMPRESS) return encoding;
  // Level 1: pages are mostly zeros or code; higher levels cost time for little.
  const z = deflateSync(encoding, { level: 1 });
  if (z.length + 1 > encoding.length - (encoding.length >> 3)) return encoding;
  const out = new Uint8Array(z.length + 1);
  out[0] = COMPRESSED_TAG;
  out.set(z, 1);
  return out;
}

/**
 * The canonical encoding inside an object file; throws (zlib's error) if a
 * compressed file is damaged or would inflate past `maxBytes` (no object
 * fx86 writes is larger, so a small crafted file cannot take the host's
 * memory). The caller checks the hash.
 *
 * @example
 * fromObjectFile(toObjectFile(bytes)); // equal to bytes
 */
export function fromObjectFile(file: Uint8Array, maxBytes = DEFAULT_STORE_LIMITS.maxObjectBytes): Uint8Array {
  if (file.length > 0 && file[0] === COMPRESSED_TAG) {
    return new Uint8Array(inflateSync(file.subarray(1), { maxOutputLength: maxBytes }));
  }
  return file;
}
