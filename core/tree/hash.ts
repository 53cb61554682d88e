import { createHash } from "node:crypto";

/**
 * Length of a node digest in bytes (SHA-256).
 *
 * @example
 * blob("x").digest.length === DIGEST_BYTES; // true
 */
export const DIGEST_BYTES = 32;

/**
 * How many node hashes have been computed in this process, by kind. Tests
 * read it to prove that re-hashing after a change touches only the path to
 * the change; nothing in the library depends on it.
 *
 * @example
 * const before = hashStats.dirs;
 * root.hash;
 * console.log(`${hashStats.dirs - before} directories hashed`);
 */
export const hashStats: { blobs: number; dirs: number } = { blobs: 0, dirs: 0 };

/**
 * SHA-256 of the concatenation of `parts`. Taking parts lets a blob be hashed
 * as header + bytes without copying its bytes into one buffer. node:crypto is
 * used because it works in Deno, Bun and bun-compiled binaries alike.
 *
 * @example
 * sha256(blobHeader(bytes.length), bytes); // a blob's digest
 */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const part of parts) h.update(part);
  return h.digest();
}

const HEX = Array.from(
  { length: 256 },
  (_, i) => i.toString(16).padStart(2, "0"),
);

/**
 * Lower-case hexadecimal form of a digest, the form hashes take in the API.
 *
 * @example
 * toHex(new Uint8Array([0, 255])); // "00ff"
 */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}

/**
 * True if two digests are equal.
 *
 * @example
 * sameDigest(blob("a").digest, blob("a").digest); // true
 */
export function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
