/**
 * Conversions between the extended format and the memory formats: IEEE
 * single and double, 16/32/64-bit integers and 18-digit packed BCD.
 *
 * @example
 * const r = new Reg80(), n = new Num();
 * unpack80(n, 0x3fff, 0xc0000000, 0); // 1.5
 * toInteger(n, RC_NEAREST); // IH:IL = 2, returns INEXACT | UP
 */
import {
  BIAS,
  INF,
  NORMAL,
  normalize,
  type Num,
  QNAN,
  type Reg80,
  SNAN,
  UNSUPPORTED,
  ZERO,
} from "./float80.ts";
import { DBL, round, SGL } from "./round.ts";
import { C1, IE, PE, RC_DOWN, RC_NEAREST, RC_UP, rcOf } from "./words.ts";

/** Result bits of {@link toInteger}. */
export const INEXACT = 1, UP = 2, HUGE = 4;

/** Magnitude produced by {@link toInteger}: IH:IL (64 bits). */
export let IH = 0, IL = 0;

/**
 * Rounds a finite unpacked value to an integer in mode `rc`, leaving its
 * magnitude in IH:IL. Returns INEXACT, UP (magnitude was incremented) and
 * HUGE (the magnitude does not fit in 64 bits; IH:IL are then meaningless).
 */
export function toInteger(n: Num, rc: number): number {
  if (n.cls === ZERO) {
    IH = IL = 0;
    return 0;
  }
  const E = n.e - BIAS; // weight of the integer bit is 2^E
  if (E > 63) return HUGE;
  let h = n.h, l = n.l, rb = 0, sticky = 0;
  if (E < 0) {
    rb = E === -1 ? 1 : 0;
    sticky = E === -1 ? (h & 0x7fffffff) | l : 1;
    h = l = 0;
  } else if (E < 63) {
    const sh = 63 - E; // 1..63 fraction bits
    if (sh >= 32) {
      const k = sh - 32;
      rb = k === 0 ? l >>> 31 : (h >>> (k - 1)) & 1;
      sticky = k === 0 ? l & 0x7fffffff : l | (h & ((1 << (k - 1)) - 1));
      l = k === 0 ? h : h >>> k;
      h = 0;
    } else {
      rb = (l >>> (sh - 1)) & 1;
      sticky = l & ((1 << (sh - 1)) - 1);
      l = ((l >>> sh) | (h << (32 - sh))) >>> 0;
      h = h >>> sh;
    }
  }
  IH = h >>> 0;
  IL = l >>> 0;
  if ((rb | sticky) === 0) return 0;
  let up: boolean;
  if (rc === RC_NEAREST) up = rb === 1 && (sticky !== 0 || (IL & 1) === 1);
  else if (rc === RC_UP) up = n.s === 0;
  else if (rc === RC_DOWN) up = n.s === 1;
  else up = false;
  if (!up) return INEXACT;
  // E < 63 here, so the magnitude is below 2^63 and cannot carry out.
  IL = (IL + 1) >>> 0;
  if (IL === 0) IH = (IH + 1) >>> 0;
  return INEXACT | UP;
}

/**
 * Sets n to the integer IH:IL with sign s (normalized; zero when IH:IL is 0).
 */
export function fromInteger(n: Num, s: number): void {
  n.s = s;
  n.h = IH;
  n.l = IL;
  if ((IH | IL) === 0) {
    n.cls = ZERO;
    return;
  }
  n.cls = NORMAL;
  n.e = BIAS + 63;
  normalize(n);
}

/** Packs a Reg80 rounded to the SGL range (see round.ts) as IEEE single. */
export function packSingle(r: Reg80): number {
  const s = (r.se >>> 15) << 31;
  const e = r.se & 0x7fff;
  if (e === 0x7fff) return (s | 0x7f800000 | ((r.hi & 0x7fffffff) >>> 8)) >>> 0;
  if (e === 0) return (s | (r.hi >>> 8)) >>> 0;
  return (s | ((e - BIAS + 127) << 23) | ((r.hi >>> 8) & 0x7fffff)) >>> 0;
}

/** The IEEE double {@link packDouble} produced, as two uint32 halves. */
export let DL = 0, DH = 0;

/** Packs a Reg80 rounded to the DBL range as IEEE double into DL/DH. */
export function packDouble(r: Reg80): void {
  const s = (r.se >>> 15) << 31;
  const e = r.se & 0x7fff;
  const f = ((r.hi & 0x7fffffff) >>> 11) & 0xfffff;
  DL = ((r.hi << 21) | (r.lo >>> 11)) >>> 0;
  if (e === 0x7fff) DH = (s | 0x7ff00000 | f) >>> 0;
  else if (e === 0) DH = (s | (r.hi >>> 11)) >>> 0;
  else DH = (s | ((e - BIAS + 1023) << 20) | f) >>> 0;
}

/**
 * FST m64fp's common case without unpacking: a zero, or a normal extended
 * value whose double is normal, rounded to nearest. Packs the double into
 * DL/DH and returns the flags the store raises (PE, with C1 when it rounded
 * up); -1 leaves the value to {@link narrow} and {@link packDouble}
 * (another rounding mode, a result that is denormal, overflows or is not a
 * number). Both ways give the same bits and flags.
 *
 * @example
 * doubleNearest(0x3fff, 0x80000000, 0, 0x37f); // 0: DH = 0x3ff00000, DL = 0 (1.0)
 */
export function doubleNearest(se: number, hi: number, lo: number, cw: number): number {
  if (rcOf(cw) !== RC_NEAREST) return -1;
  const s = (se >>> 15) << 31;
  if ((se & 0x7fff) === 0 && (hi | lo) === 0) {
    DH = s >>> 0;
    DL = 0;
    return 0;
  }
  // The double's biased exponent; the integer bit must be set (no pseudo-denormals, unnormals).
  const e = (se & 0x7fff) - BIAS + 1023;
  if (e < 1 || e > 2046 || (hi & 0x80000000) === 0) return -1;
  let l = ((hi << 21) | (lo >>> 11)) >>> 0;
  let h = (s | (e << 20) | ((hi >>> 11) & 0xfffff)) >>> 0;
  // The 11 bits below the double's 53, rounded to nearest, ties to even.
  const rest = lo & 0x7ff;
  let flags = 0;
  if (rest > 0x400 || (rest === 0x400 && (lo & 0x800) !== 0)) {
    l = (l + 1) >>> 0;
    // A carry out of the fraction moves into the exponent field, as rounding up to a power of two does.
    if (l === 0) h = (h + 1) >>> 0;
    if (((h >>> 20) & 0x7ff) === 0x7ff) return -1;
    flags = PE | C1;
  } else if (rest !== 0) flags = PE;
  DL = l;
  DH = h;
  return flags;
}

/**
 * Rounds an unpacked operand for a store to a narrower format (FST m32/m64):
 * NaNs keep their top significand bits (signaling ones are quieted with IE),
 * unsupported encodings become the indefinite, finite values are rounded to
 * the destination's precision and range in the current rounding mode
 * (precision control does not apply; denormal sources raise no DE).
 * Returns the flags raised.
 */
export function narrow(r: Reg80, n: Num, cw: number, double: boolean): number {
  switch (n.cls) {
    case ZERO:
      r.se = n.s << 15;
      r.hi = r.lo = 0;
      return 0;
    case INF:
      r.se = (n.s << 15) | 0x7fff;
      r.hi = 0x80000000;
      r.lo = 0;
      return 0;
    case QNAN:
    case SNAN:
      r.se = (n.s << 15) | 0x7fff;
      r.hi = (n.h | 0x40000000) >>> 0;
      r.lo = n.l;
      return n.cls === SNAN ? IE : 0;
    case UNSUPPORTED:
      r.se = 0xffff;
      r.hi = 0xc0000000;
      r.lo = 0;
      return IE;
  }
  // A denormal source raises no DE here.
  return round(
    r,
    n.s,
    n.e,
    n.h,
    n.l,
    0,
    double ? 53 : 24,
    rcOf(cw),
    cw,
    double ? DBL : SGL,
  );
}

/** Sets n to the integer value of an 18-digit packed BCD (bytes 0..9). */
export function fromBCD(n: Num, b: Uint8Array): void {
  // Digits are accumulated as hi * 2^32 + lo with both parts exact doubles.
  let hi = 0, lo = 0;
  for (let i = 8; i >= 0; i--) {
    const v = lo * 100 + (b[i] >>> 4) * 10 + (b[i] & 15);
    lo = v % 0x100000000;
    hi = hi * 100 + Math.floor(v / 0x100000000);
  }
  IH = hi >>> 0;
  IL = lo >>> 0;
  fromInteger(n, b[9] >>> 7);
}

/** Writes IH:IL (at most 10^18 - 1) with sign s as packed BCD into b. */
export function toBCD(b: Uint8Array, s: number): void {
  let hi = IH, lo = IL;
  for (let i = 0; i < 9; i++) {
    const low = (hi % 100) * 0x100000000 + lo;
    hi = Math.floor(hi / 100);
    lo = Math.floor(low / 100);
    const two = low % 100;
    b[i] = (Math.floor(two / 10) << 4) | (two % 10);
  }
  b[9] = s << 7;
}
