/** Reading child hashes straight from a directory's canonical encoding. */

const DIR_TAG = 0x44; // "D", docs/tree.md §2
const DIGEST_BYTES = 32;

/**
 * The child hashes of a directory encoding, or `[]` for a blob. Used to walk
 * stored trees (loading children first, gc, fsck) without building nodes;
 * the bytes are assumed to be a verified canonical encoding.
 *
 * @example
 * childHashes(encode(EMPTY_DIR.with("a", blob("x")))); // [blob("x").hash]
 */
export function childHashes(encoding: Uint8Array): string[] {
  if (encoding[0] !== DIR_TAG) return [];
  const view = new DataView(encoding.buffer, encoding.byteOffset, encoding.byteLength);
  const count = view.getUint32(1);
  const out: string[] = [];
  let pos = 5;
  for (let i = 0; i < count; i++) {
    pos += 1 + encoding[pos];
    out.push(hex(encoding.subarray(pos, pos + DIGEST_BYTES)));
    pos += DIGEST_BYTES;
  }
  return out;
}

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += (b < 16 ? "0" : "") + b.toString(16);
  return s;
}
