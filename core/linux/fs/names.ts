/**
 * Guest file names are byte strings: the guest may name a file with any
 * bytes but "/" and NUL, valid UTF-8 or not, and must get exactly those
 * bytes back. Inside the file system a name is a JS string with one char
 * (0..255) per byte; these helpers convert at the edges.
 */

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * A byte string from raw bytes (e.g. a path read from guest memory).
 *
 * @example
 * fromBytes(new Uint8Array([0x61, 0xff])) === "a\xff";
 */
export function fromBytes(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return s;
}

/** The raw bytes of a byte string. */
export function toBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * The byte string of a host (Unicode) string: its UTF-8 bytes.
 *
 * @example
 * fromHost("é") === "\xc3\xa9";
 */
export function fromHost(s: string): string {
  return fromBytes(utf8.encode(s));
}

/** A host string for a byte string, decoding UTF-8 (invalid bytes become U+FFFD). */
export function toHost(s: string): string {
  return utf8Decoder.decode(toBytes(s));
}
