import { TreeError } from "./errors.ts";

/**
 * Longest name allowed, in UTF-8 bytes (as in most POSIX file systems).
 *
 * @example
 * checkName("x".repeat(MAX_NAME_BYTES)); // ok; one more byte throws
 */
export const MAX_NAME_BYTES = 255;

/**
 * A path: either a "/"-separated string (one leading "/" is allowed and
 * ignored; "" and "/" name the root) or an array of already separated names,
 * which saves engine code from joining strings only to have them split again.
 *
 * @example
 * const a: TreePath = "/mem/0a3/1ff";
 * const b: TreePath = ["mem", "0a3", "1ff"]; // the same path
 */
export type TreePath = string | readonly string[];

/**
 * Why `name` is not a valid entry name, or undefined if it is valid. Checks
 * the rules in one pass so that validating every component of every path stays
 * cheap.
 */
function nameProblem(name: string): string | undefined {
  if (name.length === 0) return "names must not be empty";
  if (name === "." || name === "..") return `"." and ".." are not names`;
  let bytes = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x2f) return `names must not contain "/"`;
    if (c === 0) return "names must not contain NUL";
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdfff) {
      // Only a high surrogate followed by a low one is a character; a lone
      // surrogate has no UTF-8 form and would make two names encode alike.
      const d = name.charCodeAt(i + 1);
      if (c > 0xdbff || !(d >= 0xdc00 && d <= 0xdfff)) {
        return "names must be well-formed Unicode";
      }
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  if (bytes > MAX_NAME_BYTES) {
    return `names must be at most ${MAX_NAME_BYTES} bytes of UTF-8`;
  }
  return undefined;
}

/**
 * Throws a "bad-path" TreeError unless `name` is a valid entry name:
 * non-empty, no "/", no NUL, not "." or "..", well-formed Unicode, at most
 * 255 bytes of UTF-8.
 *
 * @example
 * checkName("hello.txt"); // ok
 * checkName("a/b"); // throws TreeError "bad-path"
 */
export function checkName(name: string): void {
  const problem = nameProblem(name);
  if (problem) {
    throw new TreeError(
      "bad-path",
      `Invalid name ${shorten(name)}: ${problem}.`,
    );
  }
}

/**
 * True if `name` is a valid entry name (see {@link checkName}).
 *
 * @example
 * isValidName(".."); // false
 */
export function isValidName(name: string): boolean {
  return nameProblem(name) === undefined;
}

/**
 * Splits and validates a path into its names; `[]` is the root.
 *
 * @example
 * parsePath("/mem/012/3ff"); // ["mem", "012", "3ff"]
 * parsePath(""); // []
 * parsePath("a//b"); // throws TreeError "bad-path"
 */
export function parsePath(path: TreePath): string[] {
  let names: string[];
  if (typeof path === "string") {
    if (path === "" || path === "/") return [];
    names = (path.charCodeAt(0) === 0x2f ? path.slice(1) : path).split("/");
  } else {
    names = [...path];
  }
  for (const name of names) {
    const problem = nameProblem(name);
    if (problem) {
      throw new TreeError(
        "bad-path",
        `Invalid name ${shorten(name)} in path ${
          shorten(showPath(path))
        }: ${problem}.`,
      );
    }
  }
  return names;
}

/** A quoted string for a message, cut short so that one sentence stays short. */
function shorten(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
}

/**
 * A path as users write it, for messages.
 *
 * @example
 * showPath(["etc", "motd"]); // "etc/motd"
 */
export function showPath(path: TreePath): string {
  return typeof path === "string" ? path : path.join("/");
}

/**
 * Orders names by their UTF-8 bytes, which is the order of directory entries
 * in the canonical encoding. JavaScript's `<` compares UTF-16 code units,
 * which disagrees with UTF-8 byte order when a character above U+FFFF
 * (a surrogate pair, D800–DFFF) meets one in E000–FFFF; only that case is
 * corrected, so the common path stays a plain code-unit comparison.
 *
 * @example
 * ["b", "a", "\u{10000}", "\uE000"].sort(compareNames);
 * // ["a", "b", "\uE000", "\u{10000}"]
 */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Move surrogates above E000–FFFF, keeping order within each group.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Number of UTF-8 bytes of a valid name.
 *
 * @example
 * utf8Length("é"); // 2
 */
export function utf8Length(name: string): number {
  let bytes = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Writes a valid name as UTF-8 into `out` at `pos` and returns the position
 * after it. Hand-written because TextEncoder.encodeInto costs a native call
 * per name, which dominated hashing 1024-entry directories.
 *
 * @example
 * const out = new Uint8Array(8);
 * writeUtf8("é!", out, 0); // 3; out starts c3 a9 21
 */
export function writeUtf8(name: string, out: Uint8Array, pos: number): number {
  for (let i = 0; i < name.length; i++) {
    let c = name.charCodeAt(i);
    if (c < 0x80) out[pos++] = c;
    else if (c < 0x800) {
      out[pos++] = 0xc0 | (c >> 6);
      out[pos++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff) {
      c = 0x10000 + ((c - 0xd800) << 10) + (name.charCodeAt(++i) - 0xdc00);
      out[pos++] = 0xf0 | (c >> 18);
      out[pos++] = 0x80 | ((c >> 12) & 0x3f);
      out[pos++] = 0x80 | ((c >> 6) & 0x3f);
      out[pos++] = 0x80 | (c & 0x3f);
    } else {
      out[pos++] = 0xe0 | (c >> 12);
      out[pos++] = 0x80 | ((c >> 6) & 0x3f);
      out[pos++] = 0x80 | (c & 0x3f);
    }
  }
  return pos;
}
