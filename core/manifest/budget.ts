/**
 * Instruction budgets as people write them: `1000000`, `1_000_000`, `10M`
 * (k/M/G are powers of 1000), the same grammar as `fx86 exec --budget`.
 */

/** Largest budget: counts stay exact in a double below 2^53. */
export const MAX_BUDGET = Number.MAX_SAFE_INTEGER;

/**
 * The budget `text` or `n` stands for, or a one-phrase reason why it is
 * not one.
 *
 * @example
 * budgetValue("10M"); // { value: 10_000_000 }
 * budgetValue(-1);    // { error: "…" }
 */
export function budgetValue(v: string | number): { value: number } | { error: string } {
  const expected = "expected a non-negative instruction count such as 1000000, 1_000_000 or 10M";
  let n: number;
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 0) return { error: `${expected}, got ${v}` };
    n = v;
  } else {
    const m = /^(\d[\d_]*)([kMG]?)$/.exec(v.trim());
    if (!m) return { error: `${expected}, got ${JSON.stringify(v)}` };
    n = Number(m[1].replaceAll("_", "")) * { "": 1, k: 1e3, M: 1e6, G: 1e9 }[m[2]]!;
  }
  if (!Number.isSafeInteger(n)) return { error: `budget must be at most ${MAX_BUDGET}` };
  return { value: n };
}
