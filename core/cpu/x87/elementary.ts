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

/**
 * Series are summed in fixed point: BigInts scaled by 2^FIX, a few guard
 * bits beyond PREC. Each is written as x * f(x^2) or similar, so f's sum
 * is close to 1 and absolute precision is relative precision.
 */
const FIX = PREC + 8;
const ONE = 1n << BigInt(FIX);

/** x (|x| < 2^20) in fixed point. */
function toFixed(x: BF): bigint {
  const s = x.e + FIX;
  return s >= 0 ? x.m << BigInt(s) : x.m >> BigInt(-s);
}

function fromFixed(v: bigint): BF {
  return bf(v, -FIX);
}

/**
 * sum over n >= 0 of sign^n * z^n / (2n + 1), for 0 <= z < 1/4: with
 * z = t^2, t times this is atanh(t) (sign +1) or atan(t) (sign -1).
 */
function oddSum(z: bigint, alternate: boolean): bigint {
  let power = ONE, sum = ONE;
  for (let n = 1;; n++) {
    power = (power * z) >> BigInt(FIX);
    const term = power / BigInt(2 * n + 1);
    if (term === 0n) return sum;
    sum += alternate && n & 1 ? -term : term;
  }
}

/** atanh(t) for |t| < 1/2. */
function atanh(t: BF): BF {
  return mul(t, fromFixed(oddSum(toFixed(mul(t, t)), false)));
}

/** atan(t) for |t| < 1/2, by the series. */
function atanSeries(t: BF): BF {
  return mul(t, fromFixed(oddSum(toFixed(mul(t, t)), true)));
}

/** ln 2 = 2 atanh(1/3). */
const LN2: BF = scale(atanh(div(fromInt(1), fromInt(3))), 1);

/** pi = 16 atan(1/5) - 4 atan(1/239) (Machin). */
export const PI: BF = sub(
  scale(atanSeries(div(fromInt(1), fromInt(5))), 4),
  scale(atanSeries(div(fromInt(1), fromInt(239))), 2),
);

/** e^y - 1, accurate relative to the result also for tiny y. */
function expm1(y: BF): BF {
  if (y.m === 0n) return ZERO_BF;
  // Halve y until it is tiny, sum z * (1 + z/2! + z^2/3! + ...), then undo
  // the halvings with expm1(2z) = expm1(z) * (expm1(z) + 2).
  const k = Math.max(0, ilog2(y) + 12);
  const z = scale(y, -k);
  const zf = toFixed(z);
  let term = ONE, sum = ONE;
  for (let n = 2;; n++) {
    term = (term * zf) >> BigInt(FIX);
    term /= BigInt(n);
    if (term === 0n) break;
    sum += term;
  }
  let e = mul(z, fromFixed(sum));
  for (let i = 0; i < k; i++) e = mul(e, add(e, fromInt(2)));
  return e;
}

/** 2^x - 1. */
export function exp2m1(x: BF): BF {
  return expm1(mul(x, LN2));
}

/** ln(m) for m in [1/2, 2]. */
function lnNearOne(m: BF): BF {
  return scale(atanh(div(sub(m, fromInt(1)), add(m, fromInt(1)))), 1);
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
  if (ilog2(abs(x)) >= -2) return log2(add(fromInt(1), x));
  const t = div(x, add(fromInt(2), x));
  return div(scale(atanh(t), 1), LN2);
}

/** atan(k/8) for k = 0..8, the reduction points of {@link atanSmall}. */
const ATAN_EIGHTHS: BF[] = Array.from({ length: 9 }, (_, k) => {
  // atan(t) = 2 atan(t / (1 + sqrt(1 + t^2))) brings k/8 below 1/2.
  let t = div(fromInt(k), fromInt(8));
  let halvings = 0;
  while (t.m !== 0n && ilog2(t) >= -1) {
    t = div(t, add(fromInt(1), sqrt(add(fromInt(1), mul(t, t)))));
    halvings++;
  }
  return scale(atanSeries(t), halvings);
});

/** atan(t) for 0 <= t <= 1: atan(c) + atan((t - c) / (1 + tc)), c = k/8 nearest t. */
function atanSmall(t: BF): BF {
  const k = Number(toFixed(scale(t, 3)) + (ONE >> 1n) >> BigInt(FIX));
  if (k === 0) return atanSeries(t);
  const c = div(fromInt(k), fromInt(8));
  const u = div(sub(t, c), add(fromInt(1), mul(t, c)));
  return add(ATAN_EIGHTHS[k], atanSeries(u));
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

/** [sin r, cos r] for |r| <= 1: r * S(r^2) and C(r^2) by their series. */
export function sinCos(r: BF): [BF, BF] {
  const z = toFixed(mul(r, r));
  let s = ONE, c = ONE, term = ONE;
  for (let n = 1;; n++) {
    // term = z^n / (2n)!, alternately added to C and, over 2n + 1, to S
    term = ((term * z) >> BigInt(FIX)) / BigInt((2 * n - 1) * 2 * n);
    if (term === 0n) break;
    const st = term / BigInt(2 * n + 1);
    if (n & 1) {
      c -= term;
      s -= st;
    } else {
      c += term;
      s += st;
    }
  }
  return [mul(r, fromFixed(s)), fromFixed(c)];
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
