/**
 * IEEE 754 single and double precision as the SSE unit computes them,
 * exactly, in integers: operands are unpacked into sign, integer
 * significand and exponent; an operation forms its exact result (or a
 * truncated one with a sticky bit); `round` rounds it to the format under
 * MXCSR's rounding control, flush-to-zero and exception masks and reports
 * the exception flags. No host floating-point operation decides a result,
 * so V8 and JavaScriptCore cannot differ.
 *
 * x86 specifics: tininess is detected after rounding; a masked underflow
 * is flagged only when the result is also inexact; with FZ (and underflow
 * masked) tiny results become zero with UE and PE set; with DAZ denormal
 * operands are zeros (and raise no DE); an unmasked overflow or underflow
 * flags OE or UE, and PE only if the significand rounded with an unbounded
 * exponent range is inexact, as the processor does.
 *
 * @example
 * const x = unpack(F32, 0x3f800000n, 0);   // 1.0
 * const r = round(F32, 0, 3n, -1, 0x1f80); // 1.5 -> { bits: 0x3fc00000n, flags: 0 }
 */

/** MXCSR exception flags (masks are these shifted left by 7). */
export const IE = 0x01, DE = 0x02, ZE = 0x04, OE = 0x08, UE = 0x10, PE = 0x20;
/** MXCSR controls. */
export const DAZ = 0x40, MASK_SHIFT = 7, RC_SHIFT = 13, FZ = 0x8000;
/** Rounding-control values. */
export const RC_NEAREST = 0, RC_DOWN = 1, RC_UP = 2, RC_ZERO = 3;

/** A binary floating-point format. */
export interface Format {
  /** Significand bits, the implicit one included. */
  p: number;
  /** Width in bits. */
  bits: number;
  /** Exponent bias; the smallest normal exponent is 1 - bias. */
  bias: number;
  /** The default ("indefinite") NaN. */
  indefinite: bigint;
}

export const F32: Format = { p: 24, bits: 32, bias: 127, indefinite: 0xffc00000n };
export const F64: Format = { p: 53, bits: 64, bias: 1023, indefinite: 0xfff8000000000000n };

/** Operand classes. */
export const ZERO = 0, FINITE = 1, INF = 2, QNAN = 3, SNAN = 4;

/** An unpacked operand: value = (-1)^sign * sig * 2^exp for finite ones. */
export interface Unpacked {
  cls: number;
  sign: number;
  sig: bigint;
  exp: number;
  /** The operand was a denormal (before DAZ). */
  denormal: boolean;
  bits: bigint;
}

function fracBits(f: Format): bigint {
  return BigInt(f.p - 1);
}

/** Unpacks `bits`; with DAZ in `mxcsr` a denormal becomes a zero of the same sign. */
export function unpack(f: Format, bits: bigint, mxcsr: number): Unpacked {
  const fb = fracBits(f);
  const sign = Number(bits >> BigInt(f.bits - 1)) & 1;
  const expField = Number((bits >> fb) & ((1n << BigInt(f.bits - f.p)) - 1n));
  const frac = bits & ((1n << fb) - 1n);
  const maxExp = (1 << (f.bits - f.p)) - 1;
  const u: Unpacked = { cls: FINITE, sign, sig: 0n, exp: 0, denormal: false, bits };
  if (expField === maxExp) {
    u.cls = frac === 0n ? INF : (frac >> (fb - 1n)) & 1n ? QNAN : SNAN;
  } else if (expField === 0) {
    if (frac === 0n) u.cls = ZERO;
    else {
      u.denormal = true;
      if (mxcsr & DAZ) u.cls = ZERO;
      else {
        u.sig = frac;
        u.exp = 1 - f.bias - (f.p - 1);
      }
    }
  } else {
    u.sig = frac | (1n << fb);
    u.exp = expField - f.bias - (f.p - 1);
  }
  return u;
}

/** True for QNaN and SNaN. */
export function isNaN(u: Unpacked): boolean {
  return u.cls >= QNAN;
}

/** The operand's NaN made quiet. */
export function quiet(f: Format, u: Unpacked): bigint {
  return u.bits | (1n << (fracBits(f) - 1n));
}

/** Zero or infinity of a sign. */
export function zeroBits(f: Format, sign: number): bigint {
  return BigInt(sign) << BigInt(f.bits - 1);
}
export function infBits(f: Format, sign: number): bigint {
  return zeroBits(f, sign) | (((1n << BigInt(f.bits - f.p)) - 1n) << fracBits(f));
}
function maxBits(f: Format, sign: number): bigint {
  return infBits(f, sign) - 1n;
}

/** The rounding control of an MXCSR value. */
export function rcOf(mxcsr: number): number {
  return (mxcsr >> RC_SHIFT) & 3;
}

/** True when exception flag `flag` is masked. */
export function masked(mxcsr: number, flag: number): boolean {
  return ((mxcsr >> MASK_SHIFT) & flag) === flag;
}

export function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/**
 * Rounds `sig` (an integer whose lowest bit may be sticky, i.e. ORed with
 * lower bits already dropped) to an integer after dropping `shift` >= 0 low
 * bits, under rounding control `rc` for sign `sign`. Returns the rounded
 * integer and whether anything was lost.
 */
function roundBits(sig: bigint, shift: number, rc: number, sign: number): [bigint, boolean] {
  if (shift <= 0) return [sig << BigInt(-shift), false];
  const s = BigInt(shift);
  const kept = sig >> s;
  const rest = sig & ((1n << s) - 1n);
  if (rest === 0n) return [kept, false];
  const half = 1n << (s - 1n);
  let up: boolean;
  if (rc === RC_NEAREST) up = rest > half || (rest === half && (kept & 1n) === 1n);
  else if (rc === RC_ZERO) up = false;
  else up = (rc === RC_UP) === (sign === 0);
  return [up ? kept + 1n : kept, true];
}

/** A rounded result: its bits (undefined when an unmasked exception suppresses it) and the flags raised. */
export interface Rounded {
  bits: bigint;
  flags: number;
}

/**
 * Rounds the exact nonzero value (-1)^sign * sig * 2^exp to format `f`
 * under `mxcsr`. `sig` may carry a sticky lowest bit as long as it has at
 * least p + 2 bits. Unmasked overflow or underflow set their flag; the
 * caller then suppresses the result.
 */
export function round(f: Format, sign: number, sig: bigint, exp: number, mxcsr: number): Rounded {
  const rc = rcOf(mxcsr);
  let n = bitLength(sig);
  if (n < f.p + 2) {
    // Exact values (sums and products of short significands): widen so the denormal rounding below has room.
    const k = f.p + 2 - n;
    sig <<= BigInt(k);
    exp -= k;
    n += k;
  }
  const emin = 1 - f.bias, emax = f.bias;
  // Unbounded exponent range first: decides tininess (after rounding) and overflow.
  let [m, inexact] = roundBits(sig, n - f.p, rc, sign);
  let top = exp + n - 1; // exponent of the leading bit before rounding
  if (bitLength(m) > f.p) {
    m >>= 1n;
    top++;
  }
  if (top > emax) {
    // Unmasked: PE only if the significand, rounded with an unbounded exponent, is inexact.
    if (!masked(mxcsr, OE)) return { bits: 0n, flags: OE | (inexact ? PE : 0) };
    const toInf = rc === RC_NEAREST || (rc === RC_UP && sign === 0) || (rc === RC_DOWN && sign === 1);
    return { bits: toInf ? infBits(f, sign) : maxBits(f, sign), flags: OE | PE };
  }
  if (top >= emin) {
    const field = BigInt(top + f.bias) << fracBits(f);
    return { bits: zeroBits(f, sign) | field | (m & ((1n << fracBits(f)) - 1n)), flags: inexact ? PE : 0 };
  }
  // Tiny. Unmasked underflow traps whether or not the result is exact.
  if (!masked(mxcsr, UE)) return { bits: 0n, flags: UE | (inexact ? PE : 0) };
  if (mxcsr & FZ) return { bits: zeroBits(f, sign), flags: UE | PE };
  // Round again at the denormal quantum 2^(emin - p + 1).
  [m, inexact] = roundBits(sig, emin - (f.p - 1) - exp, rc, sign);
  // m may have rounded up to the smallest normal: its bit p-1 lands in the exponent field.
  return { bits: zeroBits(f, sign) | m, flags: inexact ? UE | PE : 0 };
}

/** Packs an exact integer `v` (|v| < 2^64) as format `f` under `mxcsr`. */
export function fromInteger(f: Format, v: bigint, mxcsr: number): Rounded {
  if (v === 0n) return { bits: 0n, flags: 0 };
  const sign = v < 0n ? 1 : 0;
  const mag = sign ? -v : v;
  // Widen so the sticky convention of `round` holds.
  return round(f, sign, mag << BigInt(f.p + 2), -(f.p + 2), mxcsr);
}

/** The integer `(-1)^sign * sig * 2^exp` rounds to under `rc`, and whether it was inexact. */
export function toInteger(u: Unpacked, rc: number): [bigint, boolean] {
  if (u.cls === ZERO) return [0n, false];
  const [m, inexact] = u.exp >= 0 ? [u.sig << BigInt(u.exp), false] : roundBits(u.sig, -u.exp, rc, u.sign);
  return [u.sign ? -m : m, inexact];
}
