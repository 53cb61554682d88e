/** Reading child hashes straight from a directory's canonical encoding. */
import { StoreError } from "./errors.ts";

const DIR_TAG = 0x44; // "D", docs/tree.md §2
const DIGEST_BYTES = 32;

/**
 * The child hashes of a directory encoding, or `[]` for a blob. Used to walk
 * stored trees (loading children first, gc, fsck) without building nodes.
 * The bytes are normally a verified canonical encoding, but a hostile one
 * (an object whose hash matches its crafted bytes) must not make it loop
 * over a claimed count or read past the end: it throws `corrupt` instead,
 * naming `hash` (the object the encoding is) when given.
 *
 * @example
 * childHashes(encode(EMPTY_DIR.with("a", blob("x")))); // [blob("x").hash]
 */
export function childHashes(encoding: Uint8Array, hash?: string): string[] {
  if (encoding[0] !== DIR_TAG) return [];
  const damaged = () =>
    new StoreError("corrupt", `object ${hash ?? "(unnamed)"} is corrupt: its entries are cut short or fewer than it claims.`, hash);
  if (encoding.length < 5) throw damaged();
  const view = new DataView(encoding.buffer, encoding.byteOffset, encoding.byteLength);
  const count = view.getUint32(1);
  // Each entry takes at least a length byte, a one-byte name and a digest.
  if (count > (encoding.length - 5) / (2 + DIGEST_BYTES)) throw damaged();
  const out: string[] = [];
  let pos = 5;
  for (let i = 0; i < count; i++) {
    pos += 1 + encoding[pos];
    if (pos + DIGEST_BYTES > encoding.length) throw damaged();
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
