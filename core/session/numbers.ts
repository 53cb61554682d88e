/**
 * Numbers and addresses of the command language: decimal, 0x hex,
 * `_` separators, k/M/G suffixes (powers of 1000) for counts, and address
 * expressions over registers such as `esp+8` or `eip-0x10`.
 */
import { CommandError } from "./errors.ts";

/**
 * Parses a count: a non-negative integer such as 1000, 0x40, 1_000 or 5M.
 *
 * @example
 * parseCount("5M", "N"); // 5_000_000
 */
export function parseCount(text: string, what: string): number {
  const m = /^(0x[0-9a-f_]+|\d[\d_]*)([kMG]?)$/i.exec(text);
  if (!m || (m[2] !== "" && !/^[kMG]$/.test(m[2]))) {
    throw new CommandError(`${what} must be a number such as 100, 0x40 or 5M, not "${text}"`);
  }
  const scale = { "": 1, k: 1e3, M: 1e6, G: 1e9 }[m[2]]!;
  const n = Number(m[1].replaceAll("_", "")) * scale;
  if (!Number.isSafeInteger(n)) throw new CommandError(`${what} ${text} is too large`);
  return n;
}

/**
 * Parses a 32-bit value (decimal, 0x hex, or negative decimal).
 *
 * @example
 * parseValue("-1", "VALUE"); // 0xffffffff
 */
export function parseValue(text: string, what: string): number {
  const negative = text.startsWith("-");
  const body = negative ? text.slice(1) : text;
  if (!/^(0x[0-9a-f_]+|\d[\d_]*)$/i.test(body)) {
    throw new CommandError(`${what} must be a number such as 42, -1 or 0x8049000, not "${text}"`);
  }
  const n = Number(body.replaceAll("_", ""));
  if (n > 0xffffffff) throw new CommandError(`${what} ${text} does not fit in 32 bits`);
  return (negative ? -n : n) >>> 0;
}

/**
 * Parses an address expression: a number, a name, or a name plus or minus
 * a number (`esp+8`, `main+12`). `resolve` gives a name's value (a
 * register, as `esp` or gdb's `$esp`, or a symbol) and undefined for
 * unknown names; a leading `*` (gdb's `break *ADDR`) is allowed.
 *
 * @example
 * parseAddress("esp+8", (r) => (r === "esp" ? 0x1000 : undefined)); // 0x1008
 */
export function parseAddress(text: string, resolve: (name: string) => number | undefined): number {
  text = text.replace(/^\*/, "");
  const m = /^\$?([a-z_.][\w.@]*)(?:([+-])(.+))?$/i.exec(text);
  if (!m || /^0x[0-9a-f_]*$/i.test(m[1])) return parseValue(text, "ADDR");
  const base = resolve(m[1]);
  if (base === undefined) {
    throw new CommandError(`ADDR must be a number, a symbol or a register expression such as esp+8, not "${text}"`);
  }
  if (!m[2]) return base >>> 0;
  const offset = parseValue(m[3], "ADDR offset");
  return (m[2] === "+" ? base + offset : base - offset) >>> 0;
}

/** A 32-bit value as 0x and eight hex digits. */
export function hex32(n: number): string {
  return "0x" + (n >>> 0).toString(16).padStart(8, "0");
}
