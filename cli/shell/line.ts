/**
 * A panel's content as styled text lines, independent of ink: panels
 * compute lines from a ShellView (pure, easy to test), the frame draws them.
 */

/** A run of text with one style. */
export interface Segment {
  text: string;
  color?: string;
  bold?: boolean;
  inverse?: boolean;
  dim?: boolean;
}

/** One line of a panel. */
export type Line = Segment[];

/**
 * A line of plain segments.
 * @example line("EAX ", { text: "00000001", color: "yellow" })
 */
export function line(...parts: (string | Segment)[]): Line {
  return parts.map((p) => typeof p === "string" ? { text: p } : p);
}

/** The characters of a line, without styles. */
export function plain(l: Line): string {
  return l.map((s) => s.text).join("");
}

/**
 * Cuts a line to `width` characters and pads it with spaces to exactly
 * `width`, so a panel never spills into its neighbour.
 * @example plain(fit(line("abcdef"), 3)) === "abc"
 */
export function fit(l: Line, width: number): Line {
  const out: Line = [];
  let left = width;
  for (const s of l) {
    if (left <= 0) break;
    const chars = Array.from(s.text.replace(/[\x00-\x1f\x7f]/g, " "));
    const text = chars.slice(0, left).join("");
    left -= Math.min(chars.length, left);
    if (text) out.push({ ...s, text });
  }
  if (left > 0) out.push({ text: " ".repeat(left) });
  return out;
}

/**
 * A 32-bit number as 8 hex digits.
 * @example hex32(0x8049000) === "08049000"
 */
export function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

/**
 * A bar of `width` cells filled in proportion to `part / whole`.
 * @example bar(1, 2, 4) === "██░░"
 */
export function bar(part: number, whole: number, width: number): string {
  const ratio = whole > 0 ? Math.min(1, Math.max(0, part / whole)) : 0;
  const full = Math.round(ratio * width);
  return "█".repeat(full) + "░".repeat(width - full);
}

/**
 * A count with thousands separators, short for big numbers.
 * @example count(1234567) === "1.23M"
 */
export function count(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  return n.toLocaleString("en-US");
}
