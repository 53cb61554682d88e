/**
 * Exact arithmetic on finite nonzero unpacked operands: each function forms
 * the exact result (or enough of it: a 64-bit significand, a round bit and
 * a sticky bit) and hands it to {@link round}. Special operands (zeros,
 * infinities, NaNs, unsupported encodings) are dealt with by the callers in
 * basic.ts. All arithmetic stays within uint32 limbs or doubles below 2^53.
 *
 * @example
 * const a = new Num(), b = new Num(), r = new Reg80();
 * unpack80(a, 0x3fff, 0x80000000, 0); // 1
 * unpack80(b, 0x4000, 0xc0000000, 0); // 3
 * divFinite(r, a, b, 0x37f); // r = 1/3 rounded to nearest; returns PE
 */
import { BIAS, type Num, type Reg80 } from "./float80.ts";
import { EXT, round } from "./round.ts";
import { precisionBits, RC_DOWN, rcOf } from "./words.ts";

const TWO32 = 0x100000000;

/** The sign an exact zero sum gets: +0, except -0 when rounding down. */
export function zeroSumSign(cw: number): number {
  return rcOf(cw) === RC_DOWN ? 1 : 0;
}

/**
 * a + (-1)^negB * b for finite nonzero operands, rounded with the control
 * word's precision and rounding. An exact zero result is written as a zero
 * with the sign {@link zeroSumSign} gives.
 */
export function addFinite(
  r: Reg80,
  a: Num,
  b: Num,
  negB: number,
  cw: number,
): number {
  let as = a.s, ae = a.e, ah = a.h, al = a.l;
  let bs = b.s ^ negB, be = b.e, bh = b.h, bl = b.l;
  if (ae < be || (ae === be && (ah < bh || (ah === bh && al < bl)))) {
    // Make a the operand of larger magnitude.
    let t = as;
    as = bs;
    bs = t;
    t = ae;
    ae = be;
    be = t;
    t = ah;
    ah = bh;
    bh = t;
    t = al;
    al = bl;
    bl = t;
  }
  // Align b: shift right by the exponent difference, keeping a sticky bit.
  const d = ae - be;
  let h = bh, l = bl, x = 0;
  if (d >= 96) {
    h = 0;
    l = 0;
    x = 1;
  } else if (d > 0) {
    let sticky = 0;
    let n = d;
    if (n >= 64) {
      sticky = l;
      x = h;
      l = 0;
      h = 0;
      n -= 64;
    } else if (n >= 32) {
      x = l;
      l = h;
      h = 0;
      n -= 32;
    }
    if (n > 0) {
      sticky |= x << (32 - n);
      x = ((x >>> n) | (l << (32 - n))) >>> 0;
      l = ((l >>> n) | (h << (32 - n))) >>> 0;
      h = h >>> n;
    }
    if (sticky !== 0) x = (x | 1) >>> 0;
  }
  let e = ae;
  if (as === bs) {
    let sl = al + l;
    let sh = ah + h + (sl >= TWO32 ? 1 : 0);
    sl = sl >>> 0;
    if (sh >= TWO32) {
      // Carry out: shift right by one, keeping the sticky bit.
      x = ((x >>> 1) | ((sl & 1) << 31) | (x & 1)) >>> 0;
      sl = ((sl >>> 1) | ((sh & 1) << 31)) >>> 0;
      sh = 0x80000000 + ((sh - TWO32) >>> 1);
      e++;
    }
    return round(r, as, e, sh, sl, x, precisionBits(cw), rcOf(cw), cw, EXT);
  }
  // Subtract the smaller magnitude: 96-bit a:0 - h:l:x.
  let dx = -x, borrow = 0;
  if (dx < 0) {
    dx += TWO32;
    borrow = 1;
  }
  let dl = al - l - borrow;
  borrow = 0;
  if (dl < 0) {
    dl += TWO32;
    borrow = 1;
  }
  let dh = ah - h - borrow;
  if ((dh | dl | dx) === 0) {
    r.se = zeroSumSign(cw) << 15;
    r.hi = 0;
    r.lo = 0;
    return 0;
  }
  // Normalize left (only by more than one bit when the result is exact).
  let z = dh !== 0
    ? Math.clz32(dh)
    : 32 + (dl !== 0 ? Math.clz32(dl) : 32 + Math.clz32(dx));
  e -= z;
  while (z >= 32) {
    dh = dl;
    dl = dx;
    dx = 0;
    z -= 32;
  }
  if (z > 0) {
    dh = ((dh << z) | (dl >>> (32 - z))) >>> 0;
    dl = ((dl << z) | (dx >>> (32 - z))) >>> 0;
    dx = (dx << z) >>> 0;
  }
  return round(
    r,
    as,
    e,
    dh >>> 0,
    dl >>> 0,
    dx >>> 0,
    precisionBits(cw),
    rcOf(cw),
    cw,
    EXT,
  );
}

// 32x32 -> 64-bit product, returned through MH:ML.
let MH = 0, ML = 0;
function mul32(a: number, b: number): void {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const mid = a0 * b1 + a1 * b0; // < 2^33
  const low = a0 * b0 + (mid % 0x10000) * 0x10000; // < 2^33
  ML = low >>> 0;
  MH = a1 * b1 + Math.floor(mid / 0x10000) + Math.floor(low / TWO32);
}

/** a * b for finite nonzero operands. */
export function mulFinite(r: Reg80, a: Num, b: Num, cw: number): number {
  // 128-bit product p3:p2:p1:p0 of the two 64-bit significands.
  mul32(a.l, b.l);
  const p0 = ML;
  let c1 = MH;
  mul32(a.h, b.l);
  c1 += ML;
  let c2 = MH;
  mul32(a.l, b.h);
  c1 += ML;
  c2 += MH;
  const p1 = c1 >>> 0;
  c2 += Math.floor(c1 / TWO32);
  mul32(a.h, b.h);
  c2 += ML;
  let p3 = MH + Math.floor(c2 / TWO32);
  let p2 = c2 >>> 0;
  let x = p1;
  let e = a.e + b.e - BIAS + 1;
  if (p3 < 0x80000000) {
    // Product in [1, 2): shift left one bit.
    p3 = ((p3 << 1) | (p2 >>> 31)) >>> 0;
    p2 = ((p2 << 1) | (x >>> 31)) >>> 0;
    x = ((x << 1) | (p0 >>> 31)) >>> 0;
    e--;
    if ((p0 & 0x7fffffff) !== 0) x = (x | 1) >>> 0;
  } else if (p0 !== 0) x = (x | 1) >>> 0;
  return round(
    r,
    a.s ^ b.s,
    e,
    p3,
    p2,
    x,
    precisionBits(cw),
    rcOf(cw),
    cw,
    EXT,
  );
}

/**
 * a / b for finite nonzero operands: the integer quotient bit, then two
 * 32-bit quotient digits, each estimated with one floating-point division
 * (off by at most one) and corrected against the exact 96-bit remainder.
 */
export function divFinite(r: Reg80, a: Num, b: Num, cw: number): number {
  const bh = b.h, bl = b.l;
  let e = a.e - b.e + BIAS;
  // Remainder after the integer bit: a - b, or 2a - b (and one less in the
  // exponent) when a < b. Either way it is below b.
  let hi = a.h, lo = a.l;
  if (hi < bh || (hi === bh && lo < bl)) {
    hi = hi * 2 + (lo >>> 31);
    lo = (lo << 1) >>> 0;
    e--;
  }
  lo -= bl;
  if (lo < 0) {
    lo += TWO32;
    hi--;
  }
  hi -= bh;
  const bf = bh + bl / TWO32;
  let d1 = 0, d = 0;
  for (let k = 0; k < 2; k++) {
    d = Math.min(Math.floor((hi * TWO32 + lo) / bf), 0xffffffff);
    // n2:n1:n0 = hi:lo:0 - d * b, then correct d until 0 <= n < b.
    mul32(d, bl);
    const c = MH;
    let n0 = -ML, n1 = lo, n2 = hi;
    mul32(d, bh);
    if (n0 < 0) {
      n0 += TWO32;
      n1--;
    }
    n1 -= ML + c;
    n2 -= MH;
    while (n1 < 0) {
      n1 += TWO32;
      n2--;
    }
    while (n2 < 0) {
      d--;
      n0 += bl;
      if (n0 >= TWO32) {
        n0 -= TWO32;
        n1++;
      }
      n1 += bh;
      if (n1 >= TWO32) {
        n1 -= TWO32;
        n2++;
      }
    }
    while (n2 > 0 || n1 > bh || (n1 === bh && n0 >= bl)) {
      d++;
      n0 -= bl;
      if (n0 < 0) {
        n0 += TWO32;
        n1--;
      }
      n1 -= bh;
      if (n1 < 0) {
        n1 += TWO32;
        n2--;
      }
    }
    hi = n1;
    lo = n0;
    if (k === 0) d1 = d;
  }
  // 1 . d1 (32 bits) d2 (32 bits): 64 significand bits and a round bit.
  const qh = (0x80000000 | (d1 >>> 1)) >>> 0;
  const ql = (((d1 & 1) << 31) | (d >>> 1)) >>> 0;
  const x = (((d & 1) << 31) | ((hi | lo) !== 0 ? 1 : 0)) >>> 0;
  return round(
    r,
    a.s ^ b.s,
    e,
    qh,
    ql,
    x,
    precisionBits(cw),
    rcOf(cw),
    cw,
    EXT,
  );
}

// The square of a 65-bit number r2:r1:r0 as 32-bit limbs Q4..Q0.
let Q0 = 0, Q1 = 0, Q2 = 0, Q3 = 0, Q4 = 0;
function square(r2: number, r1: number, r0: number): void {
  mul32(r0, r0);
  const c0 = ML;
  let c1 = MH;
  mul32(r0, r1);
  c1 += 2 * ML;
  let c2 = 2 * MH + 2 * r2 * r0;
  mul32(r1, r1);
  c2 += ML;
  let c3 = MH + 2 * r2 * r1;
  let c4 = r2 * r2;
  Q0 = c0;
  c2 += Math.floor(c1 / TWO32);
  Q1 = c1 % TWO32;
  c3 += Math.floor(c2 / TWO32);
  Q2 = c2 % TWO32;
  c4 += Math.floor(c3 / TWO32);
  Q3 = c3 % TWO32;
  Q4 = c4;
}

/**
 * sqrt(a) for a finite positive operand. With N = m * 2^(65 or 66) (m the
 * significand, the shift making the exponent even), R = floor(sqrt(N))
 * has 65 bits: the significand and a round bit; N != R^2 is the sticky
 * bit. R is estimated with floating-point Newton steps, refined once from
 * the exact remainder N - R^2, then settled by exact squaring.
 */
export function sqrtFinite(r: Reg80, a: Num, cw: number): number {
  const E = a.e - BIAS;
  const odd = E & 1;
  // N = (m << k) * 2^64, k = 1 or 2; its limbs are n4:n3:n2:0:0.
  const k = 1 + odd;
  const n4 = a.h >>> (32 - k);
  const n3 = ((a.h << k) | (a.l >>> (32 - k))) >>> 0;
  const n2 = (a.l << k) >>> 0;
  // sqrt(m << k) in [2^32, 2^33) by Newton's method from above, in doubles.
  const x = (a.h * TWO32 + a.l) * (1 << k);
  let y = (x / TWO32 + TWO32) / 2;
  for (let i = 0; i < 6; i++) y = (y + x / y) / 2;
  // R0 = floor(y * 2^32), good to about 2^13, split into limbs.
  const R0 = Math.floor(y * TWO32);
  let r2 = Math.floor(R0 / 0x10000000000000000);
  let r1 = Math.floor((R0 - r2 * 0x10000000000000000) / TWO32);
  let r0 = R0 - r2 * 0x10000000000000000 - r1 * TWO32;
  // One correction step: R += (N - R^2) / 2R.
  square(r2, r1, r0);
  const rem =
    (((n4 - Q4) * TWO32 + (n3 - Q3)) * TWO32 + (n2 - Q2)) * TWO32 * TWO32 -
    Q1 * TWO32 - Q0;
  r0 += Math.floor(rem / (2 * R0));
  // Settle R exactly: R^2 <= N < (R + 1)^2, i.e. 0 <= N - R^2 < 2R + 1.
  for (;;) {
    while (r0 < 0) {
      r0 += TWO32;
      r1--;
    }
    while (r0 >= TWO32) {
      r0 -= TWO32;
      r1++;
    }
    while (r1 < 0) {
      r1 += TWO32;
      r2--;
    }
    while (r1 >= TWO32) {
      r1 -= TWO32;
      r2++;
    }
    square(r2, r1, r0);
    if (above(n4, n3, n2)) {
      r0--;
      continue;
    }
    // D = N - R^2 (it is below 2R + 1 < 2^67 once R is right)
    let d0 = -Q0, d1 = -Q1, d2 = n2 - Q2;
    const d3 = n3 - Q3 + (n4 - Q4) * TWO32;
    if (d0 < 0) {
      d0 += TWO32;
      d1--;
    }
    if (d1 < 0) {
      d1 += TWO32;
      d2--;
    }
    // T = 2R + 1
    let t0 = 2 * r0 + 1, t1 = 2 * r1;
    const t2 = 2 * r2 + Math.floor((t1 + Math.floor(t0 / TWO32)) / TWO32);
    t1 = (t1 + Math.floor(t0 / TWO32)) % TWO32;
    t0 %= TWO32;
    // d2 may still owe a borrow to d3 (d2 < 0 means D's upper part is d3 - 1)
    const dHigh = d3 * TWO32 + d2;
    if (dHigh > t2 || (dHigh === t2 && (d1 > t1 || (d1 === t1 && d0 >= t0)))) {
      r0++;
      continue;
    }
    const hi = ((r2 << 31) | (r1 >>> 1)) >>> 0;
    const lo = (((r1 & 1) << 31) | (r0 >>> 1)) >>> 0;
    const sticky = dHigh !== 0 || d1 !== 0 || d0 !== 0 ? 1 : 0;
    const xr = (((r0 & 1) << 31) | sticky) >>> 0;
    return round(
      r,
      0,
      BIAS + (E - odd) / 2,
      hi,
      lo,
      xr,
      precisionBits(cw),
      rcOf(cw),
      cw,
      EXT,
    );
  }
}

/** Whether Q (a square) exceeds N = n4:n3:n2:0:0. */
function above(n4: number, n3: number, n2: number): boolean {
  if (Q4 !== n4) return Q4 > n4;
  if (Q3 !== n3) return Q3 > n3;
  if (Q2 !== n2) return Q2 > n2;
  return Q1 !== 0 || Q0 !== 0;
}
