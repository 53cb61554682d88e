/**
 * One lane of the SSE arithmetic: ADD, SUB, MUL, DIV, SQRT, MIN, MAX on
 * single or double bit patterns, with the SSE NaN rules (a NaN first
 * operand wins, then the second; SNaNs are quieted and raise IE; invalid
 * operations give the format's "indefinite" NaN), the denormal-operand
 * flag, and exact rounding (ieee.ts).
 *
 * @example
 * add(F64, 0x3ff0000000000000n, 0x3ff0000000000000n, 0x1f80); // { bits: 0x4000000000000000n, flags: 0 }
 */
import {
  bitLength, DAZ, DE, type Format, IE, INF, isNaN, QNAN, quiet, RC_DOWN, rcOf, round, type Rounded, SNAN, unpack,
  type Unpacked, ZE, ZERO, zeroBits, infBits,
} from "./ieee.ts";

/** DE when an operand is a denormal that DAZ does not turn into zero. */
function denormalFlag(mxcsr: number, ...us: Unpacked[]): number {
  return !(mxcsr & DAZ) && us.some((u) => u.denormal) ? DE : 0;
}

/** The SSE result when an operand is a NaN: the first NaN operand, quieted (IE if either is signalling). */
function nanResult(f: Format, a: Unpacked, b: Unpacked): Rounded {
  return { bits: isNaN(a) ? quiet(f, a) : quiet(f, b), flags: a.cls === SNAN || b.cls === SNAN ? IE : 0 };
}

/** An invalid operation: the indefinite NaN and IE (a denormal operand is then not reported). */
const invalid = (f: Format): Rounded => ({ bits: f.indefinite, flags: IE });

/** a + b, or a - b when `negate`. */
export function add(f: Format, abits: bigint, bbits: bigint, mxcsr: number, negate = false): Rounded {
  const a = unpack(f, abits, mxcsr), b = unpack(f, bbits, mxcsr);
  if (isNaN(a) || isNaN(b)) return nanResult(f, a, b);
  const de = denormalFlag(mxcsr, a, b);
  const bs = b.sign ^ (negate ? 1 : 0);
  if (a.cls === INF || b.cls === INF) {
    if (a.cls === INF && b.cls === INF && a.sign !== bs) return invalid(f);
    return { bits: infBits(f, a.cls === INF ? a.sign : bs), flags: de };
  }
  const zeroSign = rcOf(mxcsr) === RC_DOWN ? 1 : 0;
  if (a.cls === ZERO && b.cls === ZERO) return { bits: zeroBits(f, a.sign === bs ? a.sign : zeroSign), flags: de };
  const e = Math.min(a.cls === ZERO ? Infinity : a.exp, b.cls === ZERO ? Infinity : b.exp);
  const va = a.cls === ZERO ? 0n : (a.sign ? -a.sig : a.sig) << BigInt(a.exp - e);
  const vb = b.cls === ZERO ? 0n : (bs ? -b.sig : b.sig) << BigInt(b.exp - e);
  const sum = va + vb;
  if (sum === 0n) return { bits: zeroBits(f, zeroSign), flags: de };
  return withFlags(round(f, sum < 0n ? 1 : 0, sum < 0n ? -sum : sum, e, mxcsr), de);
}

export function sub(f: Format, a: bigint, b: bigint, mxcsr: number): Rounded {
  return add(f, a, b, mxcsr, true);
}

function withFlags(r: Rounded, flags: number): Rounded {
  return { bits: r.bits, flags: r.flags | flags };
}

export function mul(f: Format, abits: bigint, bbits: bigint, mxcsr: number): Rounded {
  const a = unpack(f, abits, mxcsr), b = unpack(f, bbits, mxcsr);
  if (isNaN(a) || isNaN(b)) return nanResult(f, a, b);
  const de = denormalFlag(mxcsr, a, b);
  const sign = a.sign ^ b.sign;
  if (a.cls === INF || b.cls === INF) {
    if (a.cls === ZERO || b.cls === ZERO) return invalid(f);
    return { bits: infBits(f, sign), flags: de };
  }
  if (a.cls === ZERO || b.cls === ZERO) return { bits: zeroBits(f, sign), flags: de };
  return withFlags(round(f, sign, a.sig * b.sig, a.exp + b.exp, mxcsr), de);
}

export function div(f: Format, abits: bigint, bbits: bigint, mxcsr: number): Rounded {
  const a = unpack(f, abits, mxcsr), b = unpack(f, bbits, mxcsr);
  if (isNaN(a) || isNaN(b)) return nanResult(f, a, b);
  const de = denormalFlag(mxcsr, a, b);
  const sign = a.sign ^ b.sign;
  if (a.cls === INF) return b.cls === INF ? invalid(f) : { bits: infBits(f, sign), flags: de };
  if (b.cls === INF) return { bits: zeroBits(f, sign), flags: de };
  // Division by zero is reported alone, without a denormal dividend's DE.
  if (b.cls === ZERO) return a.cls === ZERO ? invalid(f) : { bits: infBits(f, sign), flags: ZE };
  if (a.cls === ZERO) return { bits: zeroBits(f, sign), flags: de };
  // A quotient of at least p + 3 bits, its last bit sticky for the remainder.
  const k = Math.max(0, f.p + 3 + bitLength(b.sig) - bitLength(a.sig));
  const num = a.sig << BigInt(k);
  const q = num / b.sig;
  const sig = (q << 1n) | (num % b.sig !== 0n ? 1n : 0n);
  return withFlags(round(f, sign, sig, a.exp - b.exp - k - 1, mxcsr), de);
}

/** Integer square root (floor). */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function sqrt(f: Format, abits: bigint, mxcsr: number): Rounded {
  const a = unpack(f, abits, mxcsr);
  if (isNaN(a)) return { bits: quiet(f, a), flags: a.cls === SNAN ? IE : 0 };
  const de = denormalFlag(mxcsr, a);
  if (a.cls === ZERO) return { bits: zeroBits(f, a.sign), flags: de };
  if (a.sign) return invalid(f);
  if (a.cls === INF) return { bits: abits, flags: de };
  let sig = a.sig, exp = a.exp;
  if (exp & 1) {
    sig <<= 1n;
    exp--;
  }
  const k = Math.max(0, f.p + 3 - Math.floor(bitLength(sig) / 2));
  const n = sig << BigInt(2 * k);
  const r = isqrt(n);
  const root = (r << 1n) | (r * r !== n ? 1n : 0n);
  return withFlags(round(f, 0, root, (exp - 2 * k) / 2 - 1, mxcsr), de);
}

/** -1, 0 or 1: a against b (neither a NaN). */
export function compareValues(a: Unpacked, b: Unpacked): number {
  const value = (u: Unpacked): [number, bigint, number] =>
    u.cls === ZERO ? [0, 0n, 0] : u.cls === INF ? [u.sign ? -1 : 1, 0n, Infinity] : [u.sign ? -1 : 1, u.sig, u.exp];
  const [sa, ma, ea] = value(a), [sb, mb, eb] = value(b);
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  let mag: number;
  if (ea === Infinity || eb === Infinity) mag = ea === eb ? 0 : ea === Infinity ? 1 : -1;
  else {
    const e = Math.min(ea, eb);
    const x = ma << BigInt(ea - e), y = mb << BigInt(eb - e);
    mag = x === y ? 0 : x > y ? 1 : -1;
  }
  return sa * mag;
}

/**
 * MIN (`max` false) or MAX: the first operand when it is strictly less
 * (greater), otherwise the second — so a NaN in either, or two zeros,
 * give the second operand unchanged. Any NaN raises IE.
 */
export function minMax(f: Format, abits: bigint, bbits: bigint, mxcsr: number, max: boolean): Rounded {
  const a = unpack(f, abits, mxcsr), b = unpack(f, bbits, mxcsr);
  // DAZ reads a denormal as a zero of its sign, and that zero is what is returned.
  const bitsOf = (u: Unpacked) => u.denormal && u.cls === ZERO ? zeroBits(f, u.sign) : u.bits;
  if (isNaN(a) || isNaN(b)) return { bits: bitsOf(b), flags: IE };
  const c = compareValues(a, b);
  return { bits: bitsOf((max ? c > 0 : c < 0) ? a : b), flags: denormalFlag(mxcsr, a, b) };
}

/** Used by comparisons: the unordered case and its flags. */
export function unordered(a: Unpacked, b: Unpacked): boolean {
  return a.cls >= QNAN || b.cls >= QNAN;
}
