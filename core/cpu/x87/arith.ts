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

/** a / b for finite nonzero operands. */
export function divFinite(r: Reg80, a: Num, b: Num, cw: number): number {
  const bh = b.h, bl = b.l;
  let e = a.e - b.e + BIAS;
  // Remainder t:rh:rl (t = bit 64), kept in [0, 2b).
  let t = 0, rh = a.h, rl = a.l;
  if (rh < bh || (rh === bh && rl < bl)) {
    t = rh >>> 31;
    rh = ((rh << 1) | (rl >>> 31)) >>> 0;
    rl = (rl << 1) >>> 0;
    e--;
  }
  let qh = 0, ql = 0, rb = 0;
  for (let i = 0; i < 65; i++) {
    let bit = 0;
    if (t !== 0 || rh > bh || (rh === bh && rl >= bl)) {
      bit = 1;
      let nl = rl - bl, borrow = 0;
      if (nl < 0) {
        nl += TWO32;
        borrow = 1;
      }
      rh = (rh - bh - borrow) >>> 0;
      rl = nl;
      t = 0;
    }
    if (i < 64) {
      qh = ((qh << 1) | (ql >>> 31)) >>> 0;
      ql = ((ql << 1) | bit) >>> 0;
    } else rb = bit;
    t = rh >>> 31;
    rh = ((rh << 1) | (rl >>> 31)) >>> 0;
    rl = (rl << 1) >>> 0;
  }
  const x = ((rb << 31) | ((t | rh | rl) !== 0 ? 1 : 0)) >>> 0;
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

/** sqrt(a) for a finite positive operand. */
export function sqrtFinite(r: Reg80, a: Num, cw: number): number {
  const E = a.e - BIAS;
  const odd = E & 1;
  // r = floor(sqrt(m << sh)) has 65 bits: 64 for the significand and a
  // round bit; a nonzero remainder is the sticky bit. Digit pairs of
  // m << sh are read from bit 129 down.
  const sh = 65 + odd;
  const mh = a.h, ml = a.l;
  // Remainder and root as hi*2^32 + lo with lo < 2^32 (hi stays < 2^36).
  let remH = 0, remL = 0, rootH = 0, rootL = 0;
  for (let j = 64; j >= 0; j--) {
    const pair = (bitOf(mh, ml, 2 * j + 1 - sh) << 1) |
      bitOf(mh, ml, 2 * j - sh);
    // rem = rem * 4 + pair
    remH = remH * 4 + Math.floor(remL / 0x40000000);
    remL = (remL % 0x40000000) * 4 + pair;
    // trial = root * 4 + 1
    const tH = rootH * 4 + Math.floor(rootL / 0x40000000);
    const tL = (rootL % 0x40000000) * 4 + 1;
    rootH = rootH * 2 + Math.floor(rootL / 0x80000000);
    rootL = (rootL % 0x80000000) * 2;
    if (remH > tH || (remH === tH && remL >= tL)) {
      remL -= tL;
      remH -= tH;
      if (remL < 0) {
        remL += TWO32;
        remH--;
      }
      rootL += 1;
    }
  }
  // root = rootH:rootL with 65 bits; the significand is root >> 1.
  const hi = Math.floor(rootH / 2) >>> 0;
  const lo = (((rootH & 1) * 0x80000000) + Math.floor(rootL / 2)) >>> 0;
  const x = (((rootL & 1) << 31) | (remH !== 0 || remL !== 0 ? 1 : 0)) >>> 0;
  return round(
    r,
    0,
    BIAS + (E - odd) / 2,
    hi,
    lo,
    x,
    precisionBits(cw),
    rcOf(cw),
    cw,
    EXT,
  );
}

/** Bit i (may be negative or above 63: then 0) of the 64-bit value h:l. */
function bitOf(h: number, l: number, i: number): number {
  if (i < 0 || i > 63) return 0;
  return i >= 32 ? (h >>> (i - 32)) & 1 : (l >>> i) & 1;
}
