/**
 * File names between the file system and the data tree.
 *
 * The file system names entries with byte strings (one char per byte, see
 * names.ts): any bytes but "/" and NUL. Tree names are Unicode strings whose
 * UTF-8 form is what is hashed (core/tree/names.ts). The mapping:
 *
 * - A name that is valid UTF-8 is the decoded string ("caf\xc3\xa9" ⇄ "café").
 * - Any other name, and a valid one that starts with U+FFFD (which would
 *   otherwise be ambiguous), is *escaped*: U+FFFD followed by the bytes in
 *   lower-case hexadecimal ("\xff" → "\uFFFDff"). Escapes of names longer
 *   than 126 bytes would exceed 255 bytes, so they are cut: U+FFFD, the
 *   first 60 bytes in hexadecimal, "~", and the SHA-256 of the whole name
 *   (64 hex digits). Only those long escapes cannot be reversed from the
 *   tree name alone; fsmeta records their bytes.
 *
 * Both directions are injective, so no two entries of a directory can map
 * to one name. Tree names starting with U+FFFD that are not escapes made by
 * {@link toTreeName} map to their UTF-8 bytes (and would escape differently
 * on the way back).
 */
import { createHash } from "node:crypto";
import { fromBytes, fromHost, toBytes } from "./names.ts";

const ESC = "\uFFFD";
/** Longest name whose escape (3 + 2n bytes of UTF-8) fits in 255 bytes. */
const SHORT_ESCAPE = 126;
/** Bytes kept in hexadecimal in a long escape. */
const LONG_PREFIX = 60;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/**
 * The tree name of a file-system name (a byte string).
 *
 * @example
 * toTreeName("caf\xc3\xa9"); // "café"
 * toTreeName("a\xff"); // "\uFFFD61ff"
 */
export function toTreeName(name: string): string {
  if (isAscii(name)) return name;
  const bytes = toBytes(name);
  let decoded: string | undefined;
  try {
    decoded = strictUtf8.decode(bytes);
  } catch {
    decoded = undefined;
  }
  if (decoded !== undefined && !decoded.startsWith(ESC)) return decoded;
  if (bytes.length <= SHORT_ESCAPE) return ESC + hex(bytes);
  const digest = createHash("sha256").update(bytes).digest("hex");
  return `${ESC}${hex(bytes.subarray(0, LONG_PREFIX))}~${digest}`;
}

const SHORT_HEX = /^(?:[0-9a-f]{2})+$/;

/**
 * The file-system name (byte string) of a tree name: the inverse of
 * {@link toTreeName} where it has one, else the name's UTF-8 bytes.
 *
 * @example
 * toFsName("café"); // "caf\xc3\xa9"
 * toFsName("\uFFFD61ff"); // "a\xff"
 */
export function toFsName(name: string): string {
  if (isAscii(name)) return name;
  if (name.startsWith(ESC)) {
    const rest = name.slice(1);
    if (rest.length <= 2 * SHORT_ESCAPE && SHORT_HEX.test(rest)) {
      const bytes = new Uint8Array(rest.length / 2);
      for (let i = 0; i < bytes.length; i++) {
        bytes[i] = parseInt(rest.slice(2 * i, 2 * i + 2), 16);
      }
      const fs = fromBytes(bytes);
      if (toTreeName(fs) === name) return fs;
    }
  }
  return fromHost(name);
}

/**
 * A byte string as JSON: the decoded string when it is valid UTF-8, else
 * `{ "hex": "..." }`. Exact both ways with {@link bytesFromJson}.
 *
 * @example
 * bytesToJson("abc"); // "abc"
 * bytesToJson("\xff"); // { hex: "ff" }
 */
export function bytesToJson(s: string): string | { hex: string } {
  if (isAscii(s)) return s;
  const bytes = toBytes(s);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return { hex: hex(bytes) };
  }
}

/** Reads what {@link bytesToJson} wrote; undefined if `v` is neither form. */
export function bytesFromJson(v: unknown): string | undefined {
  if (typeof v === "string") return fromHost(v);
  if (
    v && typeof v === "object" && typeof (v as { hex: unknown }).hex === "string"
  ) {
    const h = (v as { hex: string }).hex;
    if (h.length % 2 !== 0 || !/^[0-9a-f]*$/.test(h)) return undefined;
    let s = "";
    for (let i = 0; i < h.length; i += 2) {
      s += String.fromCharCode(parseInt(h.slice(i, i + 2), 16));
    }
    return s;
  }
  return undefined;
}

/** Hexadecimal of a byte string (fsmeta's "name" of long escapes). */
export function bytesHex(s: string): string {
  return hex(toBytes(s));
}
