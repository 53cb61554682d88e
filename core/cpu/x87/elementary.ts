/**
 * Elementary functions on {@link BF} values, to about PREC bits: the
 * numeric core of the transcendental instructions. Classic series with
 * argument reduction, all in BigInt arithmetic so the results are the same
 * on every engine (no Math.sin and friends).
 *
 * @example
 * const y = log2(fromInt(10)); // log2(10) to ~160 bits
 */
import {
  abs,
  add,
  type BF,
  bf,
  bitLength,
  div,
  fromInt,
  ilog2,
  isNegative,
  mul,
  neg,
  PREC,
  scale,
  sqrt,
  sub,
  ZERO_BF,
} from "./bigfloat.ts";

/** True while `term` still matters next to `sum`. */
function significant(term: BF, sum: BF): boolean {
  if (term.m === 0n) return false;
  if (sum.m === 0n) return true;
  return ilog2(term) > ilog2(sum) - PREC - 4;
}

/** sum of sign^n * t^(2n+1) / (2n+1): atanh (sign +1) or atan (sign -1). */
function oddSeries(t: BF, alternate: boolean): BF {
  const t2 = mul(t, t);
  let power = t, sum = t;
  for (let n = 1;; n++) {
    power = mul(power, t2);
    const term = div(power, fromInt(2 * n + 1));
    if (!significant(term, sum)) return sum;
    sum = alternate && n & 1 ? sub(sum, term) : add(sum, term);
  }
}

/** ln 2 = 2 atanh(1/3). */
export const LN2: BF = scale(oddSeries(div(fromInt(1), fromInt(3)), false), 1);

/** pi = 16 atan(1/5) - 4 atan(1/239) (Machin). */
export const PI: BF = sub(
  scale(oddSeries(div(fromInt(1), fromInt(5)), true), 4),
  scale(oddSeries(div(fromInt(1), fromInt(239)), true), 2),
);

/** e^y - 1, accurate relative to the result also for tiny y. */
function expm1(y: BF): BF {
  if (y.m === 0n) return ZERO_BF;
  // Halve y until it is tiny, sum the series, then undo the halvings with
  // expm1(2z) = expm1(z) * (expm1(z) + 2).
  const k = Math.max(0, ilog2(y) + 12);
  const z = scale(y, -k);
  let term = z, sum = z;
  for (let n = 2;; n++) {
    term = div(mul(term, z), fromInt(n));
    if (!significant(term, sum)) break;
    sum = add(sum, term);
  }
  for (let i = 0; i < k; i++) sum = mul(sum, add(sum, fromInt(2)));
  return sum;
}

/** 2^x - 1. */
export function exp2m1(x: BF): BF {
  return expm1(mul(x, LN2));
}

/** ln(m) for m in [1/2, 2]. */
function lnNearOne(m: BF): BF {
  const t = div(sub(m, fromInt(1)), add(m, fromInt(1)));
  return scale(oddSeries(t, false), 1);
}

/** log2(x) for x > 0: the exponent plus log2 of the significand. */
export function log2(x: BF): BF {
  let k = ilog2(x);
  let m = scale(x, -k); // [1, 2)
  if (ilog2(mul(m, m)) >= 1) {
    // m > sqrt(2): use m/2 so the series argument stays small
    m = scale(m, -1);
    k++;
  }
  return add(fromInt(k), div(lnNearOne(m), LN2));
}

/** log2(1 + x) for x > -1, accurate for tiny x. */
export function log2p1(x: BF): BF {
  // ln(1 + x) = 2 atanh(x / (2 + x)) keeps full relative precision near 0.
  const onePlus = add(fromInt(1), x);
  if (ilog2(abs(x)) >= -2) return log2(onePlus);
  const t = div(x, add(fromInt(2), x));
  return div(scale(oddSeries(t, false), 1), LN2);
}

/** atan(t) for |t| <= 1. */
function atanSmall(t: BF): BF {
  // atan(t) = 2 atan(t / (1 + sqrt(1 + t^2))), three times: |t| < 0.1.
  let halvings = 0;
  while (t.m !== 0n && ilog2(t) > -4) {
    t = div(t, add(fromInt(1), sqrt(add(fromInt(1), mul(t, t)))));
    halvings++;
  }
  return scale(oddSeries(t, true), halvings);
}

/** atan2(y, x) in (-pi, pi] for finite, not both zero, y and x. */
export function atan2(y: BF, x: BF): BF {
  const ay = abs(y), ax = abs(x);
  let r: BF;
  if (ay.m === 0n) r = ZERO_BF;
  else if (ax.m === 0n) r = scale(PI, -1);
  else if (sub(ay, ax).m <= 0n) r = atanSmall(div(ay, ax));
  else r = sub(scale(PI, -1), atanSmall(div(ax, ay)));
  if (isNegative(x)) r = sub(PI, r);
  return isNegative(y) ? neg(r) : r;
}

/** [sin r, cos r] for |r| <= 1. */
export function sinCos(r: BF): [BF, BF] {
  const r2 = mul(r, r);
  let s = r, term = r;
  for (let n = 1;; n++) {
    term = neg(div(mul(term, r2), fromInt(2 * n * (2 * n + 1))));
    if (!significant(term, s)) break;
    s = add(s, term);
  }
  let c = fromInt(1);
  term = c;
  for (let n = 1;; n++) {
    term = neg(div(mul(term, r2), fromInt((2 * n - 1) * (2 * n))));
    if (!significant(term, c)) break;
    c = add(c, term);
  }
  return [s, c];
}

/**
 * The argument reduction of FSIN/FCOS/FSINCOS/FPTAN as this hardware does
 * it: |x| = k * P/2 + r with k the nearest integer and P the 66-bit
 * truncation of pi, computed exactly. x = m * 2^e exactly (m < 2^64) and
 * |x| < 2^63. Returns k mod 4 and r (|r| <= P/4).
 */
export function reduceTrig(m: bigint, e: number): [number, BF] {
  // P/2 = N * 2^-65
  const N = 0x3243f6a8885a308d3n;
  const sh = e + 65;
  if (sh < 0) return [0, bf(m, e)]; // |x| < 1/4 < P/4
  const num = m << BigInt(sh);
  let k = num / N;
  if (2n * (num - k * N) > N) k++;
  // r = m * 2^e - k * N * 2^-65, exactly, at exponent min(e, -65)
  const lo = Math.min(e, -65);
  const r = (m << BigInt(e - lo)) - ((k * N) << BigInt(-65 - lo));
  return [Number(k & 3n), bitLength(r) === 0 ? ZERO_BF : bf(r, lo)];
}
