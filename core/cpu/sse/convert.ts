/**
 * SSE/SSE2 conversions: between single and double, from and to 32-bit
 * integers (rounded by MXCSR.RC, or truncated by the CVTT forms), in
 * packed, scalar and MMX-register forms. An integer result that is a NaN,
 * an infinity or out of range is the "integer indefinite" 0x80000000,
 * with IE.
 *
 * @example
 * cvtsd2ss(cpu, A, B, 0, 16, 0); // A's low single = B's low double, rounded
 */
import {
  DAZ, DE, F32, F64, type Format, fromInteger, IE, INF, isNaN, PE, quiet, RC_ZERO, rcOf, round, type Rounded, SNAN,
  toInteger, unpack, ZERO, zeroBits, infBits,
} from "./ieee.ts";
import type { VecOp } from "./integer.ts";
import { commit, getLane, setLane } from "./lanes.ts";
import type { Vec } from "./vec.ts";

/** A float of format `from` as format `to` (NaN payloads keep their top bits). */
function floatToFloat(from: Format, to: Format, bits: bigint, mxcsr: number): Rounded {
  const u = unpack(from, bits, mxcsr);
  if (isNaN(u)) {
    const q = quiet(from, u);
    const frac = q & ((1n << BigInt(from.p - 1)) - 1n);
    const shift = BigInt(Math.abs(to.p - from.p));
    const payload = to.p > from.p ? frac << shift : frac >> shift;
    return { bits: infBits(to, u.sign) | payload, flags: u.cls === SNAN ? IE : 0 };
  }
  const de = u.denormal && !(mxcsr & DAZ) ? DE : 0;
  if (u.cls === ZERO) return { bits: zeroBits(to, u.sign), flags: de };
  if (u.cls === INF) return { bits: infBits(to, u.sign), flags: de };
  const r = round(to, u.sign, u.sig, u.exp, mxcsr);
  return { bits: r.bits, flags: r.flags | de };
}

const INDEFINITE = 0x80000000n;

/** A float as a signed 32-bit integer (as its unsigned bits). */
function floatToInt(f: Format, bits: bigint, mxcsr: number, truncate: boolean): Rounded {
  const u = unpack(f, bits, mxcsr);
  if (isNaN(u) || u.cls === INF) return { bits: INDEFINITE, flags: IE };
  const [v, inexact] = toInteger(u, truncate ? RC_ZERO : rcOf(mxcsr));
  if (v < -0x80000000n || v > 0x7fffffffn) return { bits: INDEFINITE, flags: IE };
  return { bits: BigInt.asUintN(32, v), flags: inexact ? PE : 0 };
}

function intToFloat(f: Format, v: Vec, k: number, mxcsr: number): Rounded {
  return fromInteger(f, BigInt(v.i32[k]), mxcsr);
}

const I32: Format = { p: 32, bits: 32, bias: 0, indefinite: INDEFINITE };

/**
 * A conversion of `count` lanes of `s` into `d`. `zeroUpper` clears the
 * destination's lanes above them (CVTPD2PS, CVTPD2DQ); otherwise they are
 * kept (scalar and MMX-source forms).
 */
function convert(
  out: Format,
  count: number,
  lane: (s: Vec, k: number, mxcsr: number) => Rounded,
  zeroUpper = false,
): VecOp {
  return (c, d, s) => {
    const results: Rounded[] = [];
    for (let k = 0; k < count; k++) results.push(lane(s, k, c.mxcsr));
    commit(c, results, (k, bits) => setLane(out, d, k, bits));
    if (zeroUpper) for (let k = count * out.bits / 32; k < 4; k++) d.u32[k] = 0;
  };
}

const f2f = (from: Format, to: Format) => (s: Vec, k: number, m: number) => floatToFloat(from, to, getLane(from, s, k), m);
const f2i = (from: Format, truncate: boolean) => (s: Vec, k: number, m: number) =>
  floatToInt(from, getLane(from, s, k), m, truncate);
const i2f = (to: Format) => (s: Vec, k: number, m: number) => intToFloat(to, s, k, m);

export const cvtps2pd = convert(F64, 2, f2f(F32, F64));
export const cvtpd2ps = convert(F32, 2, f2f(F64, F32), true);
export const cvtss2sd = convert(F64, 1, f2f(F32, F64));
export const cvtsd2ss = convert(F32, 1, f2f(F64, F32));
export const cvtdq2ps = convert(F32, 4, i2f(F32));
export const cvtdq2pd = convert(F64, 2, i2f(F64));
export const cvtps2dq = convert(I32, 4, f2i(F32, false));
export const cvttps2dq = convert(I32, 4, f2i(F32, true));
export const cvtpd2dq = convert(I32, 2, f2i(F64, false), true);
export const cvttpd2dq = convert(I32, 2, f2i(F64, true), true);
export const cvtsi2ss = convert(F32, 1, i2f(F32));
export const cvtsi2sd = convert(F64, 1, i2f(F64));
export const cvtpi2ps = convert(F32, 2, i2f(F32));
export const cvtpi2pd = convert(F64, 2, i2f(F64));
/** To a general register (the emitter stores lane 0) or an MMX register (lanes 0 and 1). */
export const cvtss2si = convert(I32, 1, f2i(F32, false));
export const cvttss2si = convert(I32, 1, f2i(F32, true));
export const cvtsd2si = convert(I32, 1, f2i(F64, false));
export const cvttsd2si = convert(I32, 1, f2i(F64, true));
export const cvtps2pi = convert(I32, 2, f2i(F32, false));
export const cvttps2pi = convert(I32, 2, f2i(F32, true));
export const cvtpd2pi = convert(I32, 2, f2i(F64, false));
export const cvttpd2pi = convert(I32, 2, f2i(F64, true));
