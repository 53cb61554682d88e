/**
 * The 80-bit extended format and its unpacked working form.
 *
 * A register holds `se` (sign in bit 15, biased exponent in bits 0..14) and
 * a 64-bit significand with an explicit integer bit, split into two uint32
 * limbs `hi` (bit 31 = integer bit) and `lo`. Arithmetic first *unpacks*
 * operands into a {@link Num}: a class, the sign, and for finite nonzero
 * values a normalized significand (integer bit set) with an exponent that
 * may go below 1 (denormals normalize to exponents < 1). Unpacking never
 * allocates: callers reuse a few module-level Num objects.
 *
 * @example
 * const n = new Num();
 * unpack80(n, 0x3fff, 0x80000000, 0); // 1.0
 * n.cls === NORMAL && n.e === BIAS;
 */

/** Exponent bias; the all-ones exponent of infinities and NaNs. */
export const BIAS = 16383;
export const EXP_MAX = 0x7fff;

/** Value classes of an unpacked operand. */
export const ZERO = 0,
  NORMAL = 1,
  DENORMAL = 2, // includes pseudo-denormals (exponent 0, integer bit set)
  INF = 3,
  QNAN = 4,
  SNAN = 5,
  UNSUPPORTED = 6; // unnormals, pseudo-NaNs, pseudo-infinities

/** An unpacked operand. For NaNs `h`/`l` hold the raw significand. */
export class Num {
  cls = ZERO;
  s = 0;
  e = 0;
  h = 0;
  l = 0;
}

/** QNaN or SNaN (pseudo-NaNs are unsupported, not NaNs). */
export function isNan(n: Num): boolean {
  return n.cls === QNAN || n.cls === SNAN;
}

/** A packed 80-bit result. */
export class Reg80 {
  se = 0;
  hi = 0;
  lo = 0;
}

/** The "real indefinite" QNaN produced by masked invalid operations. */
export const INDEF_SE = 0xffff, INDEF_HI = 0xc0000000;

/** r = the real indefinite. */
export function setIndefinite(r: Reg80): void {
  r.se = INDEF_SE;
  r.hi = INDEF_HI;
  r.lo = 0;
}

/** Number of leading zero bits of a 64-bit value (64 for zero). */
function clz64(h: number, l: number): number {
  return h !== 0 ? Math.clz32(h) : 32 + Math.clz32(l);
}

/** Classifies a packed 80-bit value. */
export function classify80(se: number, hi: number, lo: number): number {
  const e = se & EXP_MAX;
  const j = hi >>> 31;
  if (e === 0) return (hi | lo) === 0 ? ZERO : DENORMAL;
  if (j === 0) return UNSUPPORTED;
  if (e === EXP_MAX) {
    if (((hi & 0x7fffffff) | lo) === 0) return INF;
    return hi & 0x40000000 ? QNAN : SNAN;
  }
  return NORMAL;
}

/** The 2-bit tag of a non-empty register: valid 0, zero 1, special 2. */
export function tagOf(se: number, hi: number, lo: number): number {
  const c = classify80(se, hi, lo);
  return c === NORMAL ? 0 : c === ZERO ? 1 : 2;
}

/** Unpacks an 80-bit value; denormals are normalized (exponent < 1). */
export function unpack80(n: Num, se: number, hi: number, lo: number): void {
  n.cls = classify80(se, hi, lo);
  n.s = se >>> 15;
  n.e = se & EXP_MAX;
  n.h = hi >>> 0;
  n.l = lo >>> 0;
  if (n.cls === DENORMAL) {
    // A pseudo-denormal (integer bit set) already has the weight of exponent 1.
    n.e = 1;
    normalize(n);
  }
}

/** Shifts a nonzero significand left until its integer bit is set. */
export function normalize(n: Num): void {
  const z = clz64(n.h, n.l);
  if (z === 0) return;
  if (z >= 32) {
    n.h = (n.l << (z - 32)) >>> 0;
    n.l = 0;
  } else {
    n.h = ((n.h << z) | (n.l >>> (32 - z))) >>> 0;
    n.l = (n.l << z) >>> 0;
  }
  n.e -= z;
}

/** Unpacks an IEEE single (as a uint32 bit pattern). */
export function unpack32(n: Num, bits: number): void {
  const e = (bits >>> 23) & 0xff;
  const f = bits & 0x7fffff;
  n.s = bits >>> 31;
  n.h = (0x80000000 | (f << 8)) >>> 0;
  n.l = 0;
  n.e = e - 127 + BIAS;
  if (e === 0xff) {
    n.cls = f === 0 ? INF : f & 0x400000 ? QNAN : SNAN;
  } else if (e === 0) {
    if (f === 0) n.cls = ZERO;
    else {
      n.cls = DENORMAL;
      n.h = (f << 8) >>> 0;
      n.e = 1 - 127 + BIAS;
      normalize(n);
    }
  } else n.cls = NORMAL;
}

/** Unpacks an IEEE double given as two uint32 halves. */
export function unpack64(n: Num, lo: number, hi: number): void {
  const e = (hi >>> 20) & 0x7ff;
  const fh = hi & 0xfffff;
  n.s = hi >>> 31;
  n.h = (0x80000000 | (fh << 11) | (lo >>> 21)) >>> 0;
  n.l = (lo << 11) >>> 0;
  n.e = e - 1023 + BIAS;
  if (e === 0x7ff) {
    n.cls = (fh | lo) === 0 ? INF : fh & 0x80000 ? QNAN : SNAN;
  } else if (e === 0) {
    if ((fh | lo) === 0) n.cls = ZERO;
    else {
      n.cls = DENORMAL;
      n.h = ((fh << 11) | (lo >>> 21)) >>> 0;
      n.e = 1 - 1023 + BIAS;
      normalize(n);
    }
  } else n.cls = NORMAL;
}

/** Unpacks a signed 64-bit integer given as two int32 halves (exact). */
export function unpackInt64(n: Num, lo: number, hi: number): void {
  n.s = hi >>> 31;
  if (n.s) {
    // two's complement negate
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  n.h = hi >>> 0;
  n.l = lo >>> 0;
  if ((n.h | n.l) === 0) {
    n.cls = ZERO;
    n.s = 0;
    return;
  }
  n.cls = NORMAL;
  n.e = BIAS + 63;
  normalize(n);
}

/** r = a zero of sign s. */
export function setZero(r: Reg80, s: number): void {
  r.se = s << 15;
  r.hi = 0;
  r.lo = 0;
}

/** r = an infinity of sign s. */
export function setInf(r: Reg80, s: number): void {
  r.se = (s << 15) | EXP_MAX;
  r.hi = 0x80000000;
  r.lo = 0;
}
