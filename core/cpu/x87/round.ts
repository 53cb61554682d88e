/**
 * Rounding of exact results to a destination format, with the x87's
 * precision control, rounding control, overflow and underflow responses.
 *
 * Every arithmetic operation produces its exact result as a sign, a biased
 * exponent (unbounded: it may lie outside 1..0x7ffe) and a normalized
 * 96-bit significand `h:l:x` (integer bit = bit 31 of `h`) whose lowest bit
 * is "sticky" (ORed with everything that was shifted out below it). That is
 * enough to round correctly at 24, 53 or 64 bits in all four modes.
 *
 * @example
 * const r = new Reg80();
 * // 1 + 2^-64 rounded to 64 bits, round-to-nearest: exact tie -> even
 * const flags = round(r, 0, BIAS, 0x80000000, 0, 0x80000000, 64, RC_NEAREST, 0x37f, EXT);
 * // r = 1.0, flags = PE
 */
import { BIAS, EXP_MAX, Reg80 } from "./float80.ts";
import { C1, OE, PE, RC_DOWN, RC_NEAREST, RC_UP, UE } from "./words.ts";

/** A destination's exponent range (biased as in the extended format). */
export interface Range {
  eMin: number;
  eMax: number;
}
/** The extended (register), double and single exponent ranges. */
export const EXT: Range = { eMin: 1, eMax: EXP_MAX - 1 };
export const DBL: Range = { eMin: BIAS - 1022, eMax: BIAS + 1023 };
export const SGL: Range = { eMin: BIAS - 126, eMax: BIAS + 127 };

/** Exponent adjustment for unmasked overflow/underflow results (3 * 2^13). */
const WRAP = 24576;

// Working significand, shared by the helpers below (never allocated).
let H = 0, L = 0, X = 0;

/** Shifts H:L:X right by n >= 1 bits, ORing lost bits into X's lowest bit. */
function shiftRightSticky(n: number): void {
  let sticky = 0;
  if (n > 96) {
    sticky = H | L | X;
    H = L = X = 0;
    n = 0;
  }
  while (n >= 32) {
    sticky |= X;
    X = L;
    L = H;
    H = 0;
    n -= 32;
  }
  if (n > 0) {
    sticky |= X << (32 - n);
    X = ((X >>> n) | (L << (32 - n))) >>> 0;
    L = ((L >>> n) | (H << (32 - n))) >>> 0;
    H = H >>> n;
  }
  if (sticky !== 0) X = (X | 1) >>> 0;
}

/**
 * Rounds H:L to `prec` bits in place (sign `s`, mode `rc`). Returns 0 when
 * exact, 1 when inexact and truncated, 2 when inexact and incremented.
 * A carry out of the top leaves H:L = 0 and returns 3.
 */
function roundSig(s: number, prec: number, rc: number): number {
  let rb: number, sticky: number, lsb: number;
  if (prec === 64) {
    rb = X >>> 31;
    sticky = X & 0x7fffffff;
    lsb = L & 1;
  } else if (prec === 53) {
    rb = (L >>> 10) & 1;
    sticky = (L & 0x3ff) | X;
    lsb = (L >>> 11) & 1;
  } else {
    rb = (H >>> 7) & 1;
    sticky = (H & 0x7f) | L | X;
    lsb = (H >>> 8) & 1;
  }
  const inexact = rb | (sticky !== 0 ? 1 : 0);
  if (prec === 53) L = (L & ~0x7ff) >>> 0;
  else if (prec === 24) {
    H = (H & ~0xff) >>> 0;
    L = 0;
  }
  X = 0;
  if (!inexact) return 0;
  let up: boolean;
  if (rc === RC_NEAREST) up = rb === 1 && (sticky !== 0 || lsb === 1);
  else if (rc === RC_UP) up = s === 0;
  else if (rc === RC_DOWN) up = s === 1;
  else up = false;
  if (!up) return 1;
  const inc = prec === 64 ? 1 : prec === 53 ? 0x800 : 0;
  if (inc !== 0) {
    const nl = L + inc;
    L = nl >>> 0;
    if (nl < 0x100000000) return 2;
    H = H + 1;
  } else H = H + 0x100;
  if (H < 0x100000000) return 2;
  H = 0;
  return 3;
}

/**
 * Rounds the exact nonzero value (-1)^s * h:l:x * 2^(e - BIAS - 63) to
 * `prec` bits within `range`, writing the result to `r` and returning the
 * exception flags it raises (PE, UE, OE) plus C1 when it rounded up.
 *
 * Tininess is detected after rounding. Masked underflow denormalizes
 * (raising UE only when inexact); masked overflow gives infinity or the
 * largest finite value as the rounding mode says. For the extended range,
 * unmasked overflow/underflow deliver the rounded result with its exponent
 * wrapped by {@link WRAP} (unless even that is out of range: then infinity
 * or zero); for narrower ranges (memory stores) the caller discards the
 * result.
 *
 * Denormal results of the narrower ranges keep the extended layout with
 * exponent field 0 and a clear integer bit, meaning "aligned to eMin".
 */
export function round(
  r: Reg80,
  s: number,
  e: number,
  h: number,
  l: number,
  x: number,
  prec: number,
  rc: number,
  cw: number,
  range: Range,
): number {
  H = h;
  L = l;
  X = x;
  if (e < range.eMin) return roundTiny(r, s, e, prec, rc, cw, range);
  let res = roundSig(s, prec, rc);
  if (res === 3) {
    H = 0x80000000;
    e++;
  }
  let flags = res === 0 ? 0 : res === 1 ? PE : PE | C1;
  if (e > range.eMax) {
    if (cw & OE) {
      flags = (flags & ~C1) | OE | PE;
      res = overflowResult(s, rc, prec);
      if (res) flags |= C1;
      e = res ? EXP_MAX : range.eMax;
    } else if (range !== EXT || e - WRAP <= range.eMax) {
      flags |= OE;
      if (range === EXT) e -= WRAP;
    } else {
      // So far out of range that even the wrapped exponent overflows
      // (FSCALE): infinity, whatever the rounding mode.
      flags = OE | PE | C1;
      e = EXP_MAX;
      H = 0x80000000;
      L = 0;
    }
  }
  r.se = (s << 15) | e;
  r.hi = H;
  r.lo = L;
  return flags;
}

/** Masked overflow: sets H:L to infinity (returns 1) or the largest finite. */
function overflowResult(
  s: number,
  rc: number,
  prec: number,
): number {
  const toInf = rc === RC_NEAREST || (rc === RC_UP && s === 0) ||
    (rc === RC_DOWN && s === 1);
  if (toInf) {
    H = 0x80000000;
    L = 0;
    return 1;
  }
  H = prec === 24 ? 0xffffff00 : 0xffffffff;
  L = prec === 64 ? 0xffffffff : prec === 53 ? 0xfffff800 : 0;
  return 0;
}

function roundTiny(
  r: Reg80,
  s: number,
  e: number,
  prec: number,
  rc: number,
  cw: number,
  range: Range,
): number {
  const h0 = H, l0 = L, x0 = X;
  // Round as if the exponent were unbounded: that decides tininess, and
  // it is the delivered result when underflow is unmasked.
  let res = roundSig(s, prec, rc);
  let eu = e;
  if (res === 3) {
    H = 0x80000000;
    eu++;
  }
  const tiny = eu < range.eMin;
  const unmasked = !(cw & UE);
  if (unmasked && tiny && range === EXT && eu + WRAP >= range.eMin) {
    let flags = UE;
    if (res !== 0) flags |= PE;
    if (res >= 2) flags |= C1;
    r.se = (s << 15) | (eu + WRAP);
    r.hi = H;
    r.lo = L;
    return flags;
  }
  if (unmasked && tiny && range === EXT) {
    // Even the wrapped exponent underflows (FSCALE): zero, whatever the
    // rounding mode.
    r.se = s << 15;
    r.hi = r.lo = 0;
    return UE | PE;
  }
  // Otherwise (masked, or not tiny after all) the result is the
  // denormalized value.
  H = h0;
  L = l0;
  X = x0;
  shiftRightSticky(range.eMin - e);
  // H < 2^31 after the shift, so a carry can at most set the integer bit.
  res = roundSig(s, prec, rc);
  let flags = 0;
  if (res !== 0) flags = PE;
  if (tiny && (res !== 0 || unmasked)) flags |= UE;
  if (res >= 2) flags |= C1;
  // A set integer bit means the result rounded up to the smallest normal.
  r.se = (s << 15) | (H >>> 31 ? range.eMin : 0);
  r.hi = H;
  r.lo = L;
  return flags;
}
