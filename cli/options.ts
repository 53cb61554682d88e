import { InvalidArgumentError } from "@commander-js/extra-typings";

/** Largest budget fx86 accepts: counts stay exact in a double below 2^53. */
export const MAX_BUDGET = Number.MAX_SAFE_INTEGER;

/**
 * Parses an instruction budget: a non-negative integer, with optional
 * `_` separators or a k/M/G suffix (powers of 1000).
 *
 * @example
 * parseBudget("10M"); // 10_000_000
 */
export function parseBudget(text: string): number {
  const m = /^(\d[\d_]*)([kMG]?)$/.exec(text.trim());
  if (!m) {
    throw new InvalidArgumentError("expected a non-negative integer such as 1000000 or 10M");
  }
  const scale = { "": 1, k: 1e3, M: 1e6, G: 1e9 }[m[2]]!;
  const n = Number(m[1].replaceAll("_", "")) * scale;
  if (!Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`budget must be at most ${MAX_BUDGET}`);
  }
  return n;
}
