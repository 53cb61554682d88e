/**
 * A small arbitrary-precision binary floating point on BigInt, used only by
 * the transcendental instructions (slow on real hardware too, and never in
 * a hot loop of the emulator): values are m * 2^e with a signed BigInt m
 * truncated to {@link PREC} bits. Only integer BigInt operations are used,
 * so results are identical on every JavaScript engine.
 *
 * @example
 * const third = div(fromInt(1), fromInt(3)); // 1/3 to PREC bits
 */

/** Working precision in bits (results need 64 plus margin). */
export const PREC = 160;

/** m * 2^e. */
export interface BF {
  /** Signed significand: |m| < 2^PREC (0 for zero). */
  m: bigint;
  e: number;
}

/** Zero (the only BF with m = 0 the functions produce). */
export const ZERO_BF: BF = { m: 0n, e: 0 };

// Scratch for reading a double's exponent field.
const F64 = new DataView(new ArrayBuffer(8));

/** Number of bits of |m| (|m| < 2^1000). */
export function bitLength(m: bigint): number {
  if (m < 0n) m = -m;
  if (m === 0n) return 0;
  // Number(m) rounds to nearest, so its exponent is m's, or one more when
  // the rounding carried into the next power of two.
  F64.setFloat64(0, Number(m));
  const n = ((F64.getUint16(0) >>> 4) & 0x7ff) - 1022;
  return m >> BigInt(n - 1) === 0n ? n - 1 : n;
}

/** Truncates (toward zero) m * 2^e to PREC bits. */
export function bf(m: bigint, e: number): BF {
  const n = bitLength(m);
  if (n === 0) return ZERO_BF;
  if (n > PREC) {
    const k = n - PREC;
    return { m: m < 0n ? -(-m >> BigInt(k)) : m >> BigInt(k), e: e + k };
  }
  return { m, e };
}

/** A small integer, exactly. */
export function fromInt(n: number): BF {
  return bf(BigInt(n), 0);
}

/** -a, exactly. */
export function neg(a: BF): BF {
  return { m: -a.m, e: a.e };
}

/** a * 2^k. */
export function scale(a: BF, k: number): BF {
  return { m: a.m, e: a.e + k };
}

/** a + b, truncated to PREC bits. */
export function add(a: BF, b: BF): BF {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  // Operands far below the other's precision only matter as a sticky bit,
  // which truncation drops anyway: align at most PREC + 2 bits apart.
  const top = Math.max(a.e + bitLength(a.m), b.e + bitLength(b.m));
  const floor = top - PREC - 2;
  const ea = Math.max(a.e, floor), eb = Math.max(b.e, floor);
  const ma = ea > a.e ? a.m >> BigInt(ea - a.e) : a.m;
  const mb = eb > b.e ? b.m >> BigInt(eb - b.e) : b.m;
  const e = Math.min(ea, eb);
  return bf((ma << BigInt(ea - e)) + (mb << BigInt(eb - e)), e);
}

/** a - b, truncated to PREC bits. */
export function sub(a: BF, b: BF): BF {
  return add(a, neg(b));
}

/** a * b, truncated to PREC bits. */
export function mul(a: BF, b: BF): BF {
  return bf(a.m * b.m, a.e + b.e);
}

/** a / b (b nonzero), truncated to about PREC bits. */
export function div(a: BF, b: BF): BF {
  if (a.m === 0n) return ZERO_BF;
  const shift = PREC + bitLength(b.m) - bitLength(a.m) + 1;
  return bf((a.m << BigInt(shift)) / b.m, a.e - b.e - shift);
}

/** sqrt(a) for a >= 0 (Newton iteration on integers). */
export function sqrt(a: BF): BF {
  if (a.m === 0n) return ZERO_BF;
  // Scale so the integer root has about PREC + 2 bits and the exponent is even.
  let k = 2 * (PREC + 2) - bitLength(a.m);
  if ((a.e - k) & 1) k++;
  const n = a.m << BigInt(k);
  let x = 1n << BigInt((bitLength(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  return bf(x, (a.e - k) / 2);
}

/** a < 0. */
export function isNegative(a: BF): boolean {
  return a.m < 0n;
}

/** |a|, exactly. */
export function abs(a: BF): BF {
  return a.m < 0n ? neg(a) : a;
}

/** Sign of a - b. */
export function cmp(a: BF, b: BF): number {
  const d = sub(a, b).m;
  return d > 0n ? 1 : d < 0n ? -1 : 0;
}

/** The exponent of a's leading bit (floor(log2|a|)); a must be nonzero. */
export function ilog2(a: BF): number {
  return a.e + bitLength(a.m) - 1;
}
