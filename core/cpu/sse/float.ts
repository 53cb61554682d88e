/**
 * SSE/SSE2 floating-point arithmetic and comparisons as vector operations
 * (packed: every lane; scalar: lane 0, the other lanes of the destination
 * kept): ADD, SUB, MUL, DIV, MIN, MAX, SQRT, CMPcc, COMIS, UCOMIS.
 * Lanes are computed by arith.ts and committed by lanes.ts.
 *
 * @example
 * addpd(cpu, A, B, 0, 16, 0); // A = A + B, two doubles
 */
import * as F from "./arith.ts";
import { DAZ, DE, F32, F64, type Format, IE, QNAN, type Rounded, SNAN, unpack } from "./ieee.ts";
import type { VecOp } from "./integer.ts";
import { commit, getLane, laneCount, setLane } from "./lanes.ts";

type Binary = (f: Format, a: bigint, b: bigint, mxcsr: number) => Rounded;

/** A two-operand operation over all lanes (`scalar`: lane 0 only). */
function binary(f: Format, scalar: boolean, fn: Binary): VecOp {
  return (c, d, s) => {
    const n = scalar ? 1 : laneCount(f);
    const results: Rounded[] = [];
    for (let k = 0; k < n; k++) results.push(fn(f, getLane(f, d, k), getLane(f, s, k), c.mxcsr));
    commit(c, results, (k, bits) => setLane(f, d, k, bits));
  };
}

/** The four forms ps, pd, ss, sd of an operation. */
function forms(fn: Binary): [VecOp, VecOp, VecOp, VecOp] {
  return [binary(F32, false, fn), binary(F64, false, fn), binary(F32, true, fn), binary(F64, true, fn)];
}

export const [addps, addpd, addss, addsd] = forms(F.add);
export const [subps, subpd, subss, subsd] = forms(F.sub);
export const [mulps, mulpd, mulss, mulsd] = forms(F.mul);
export const [divps, divpd, divss, divsd] = forms(F.div);
export const [minps, minpd, minss, minsd] = forms((f, a, b, m) => F.minMax(f, a, b, m, false));
export const [maxps, maxpd, maxss, maxsd] = forms((f, a, b, m) => F.minMax(f, a, b, m, true));
export const [sqrtps, sqrtpd, sqrtss, sqrtsd] = forms((f, _a, b, m) => F.sqrt(f, b, m));

/** The denormal-operand flag of a comparison. */
function denormals(mxcsr: number, ...us: { denormal: boolean }[]): number {
  return !(mxcsr & DAZ) && us.some((u) => u.denormal) ? DE : 0;
}

/**
 * CMPcc predicate `imm & 7` (EQ, LT, LE, UNORD, NEQ, NLT, NLE, ORD): all
 * ones when true. SNaNs raise IE; the ordering predicates (LT, LE, NLT,
 * NLE) raise it for QNaNs too.
 */
function compareLane(f: Format, a: bigint, b: bigint, mxcsr: number, imm: number): Rounded {
  const x = unpack(f, a, mxcsr), y = unpack(f, b, mxcsr);
  const p = imm & 7;
  const unord = F.unordered(x, y);
  const signalling = p === 1 || p === 2 || p === 5 || p === 6;
  const flags = x.cls === SNAN || y.cls === SNAN || (unord && signalling) ? IE : unord ? 0 : denormals(mxcsr, x, y);
  const c = unord ? NaN : F.compareValues(x, y);
  const truth = [c === 0, c < 0, c <= 0, unord][p & 3];
  const result = p < 4 ? truth : !truth;
  return { bits: result ? (1n << BigInt(f.bits)) - 1n : 0n, flags };
}

function compare(f: Format, scalar: boolean): VecOp {
  return (c, d, s, imm) => {
    const n = scalar ? 1 : laneCount(f);
    const results: Rounded[] = [];
    for (let k = 0; k < n; k++) results.push(compareLane(f, getLane(f, d, k), getLane(f, s, k), c.mxcsr, imm));
    commit(c, results, (k, bits) => setLane(f, d, k, bits));
  };
}

export const cmpps = compare(F32, false), cmppd = compare(F64, false);
export const cmpss = compare(F32, true), cmpsd = compare(F64, true);

const CF = 0x1, PF = 0x4, ZF = 0x40;

/**
 * COMISS/COMISD (`ordered`: any NaN raises IE) and UCOMISS/UCOMISD (only
 * SNaNs do): ZF, PF, CF = 111 unordered, 000 greater, 001 less, 100
 * equal; OF, SF, AF cleared.
 */
function comis(f: Format, ordered: boolean): VecOp {
  return (c, d, s) => {
    const x = unpack(f, getLane(f, d, 0), c.mxcsr), y = unpack(f, getLane(f, s, 0), c.mxcsr);
    const unord = F.unordered(x, y);
    const invalid = x.cls === SNAN || y.cls === SNAN || (ordered && unord);
    const flags = invalid ? IE : unord ? 0 : denormals(c.mxcsr, x, y);
    const r = unord ? 0 : F.compareValues(x, y);
    commit(c, [{ bits: 0n, flags }], () => {
      c.fsz = 0;
      c.fl = unord ? ZF | PF | CF : r === 0 ? ZF : r < 0 ? CF : 0;
    });
  };
}

export const comiss = comis(F32, true), comisd = comis(F64, true);
export const ucomiss = comis(F32, false), ucomisd = comis(F64, false);

/**
 * RCPPS/RCPSS and RSQRTPS/RSQRTSS. The SDM fixes only the special cases
 * (±0 and denormals give ±∞, ∞ gives 0, a negative operand's square root
 * the indefinite NaN, tiny results are flushed to zero, no MXCSR flags)
 * and bounds the error of the rest by 1.5 × 2^-12; the exact values
 * differ between processors. fx86's choice: the correctly rounded single
 * (round to nearest), which is within that bound, flushed to zero when
 * tiny. tests/sse checks the specials bit for bit and the rest against
 * the bound.
 */
function approximation(root: boolean): (f: Format, a: bigint, b: bigint, mxcsr: number) => Rounded {
  return (f, _a, b) => {
    // Denormals count as zeros whatever DAZ says; nothing is flagged.
    const x = unpack(f, b, DAZ);
    const sign = BigInt(x.sign) << 31n;
    if (x.cls === QNAN || x.cls === SNAN) return { bits: b | 0x00400000n, flags: 0 };
    if (x.cls === 0) return { bits: sign | 0x7f800000n, flags: 0 };
    if (root && x.sign) return { bits: f.indefinite, flags: 0 };
    if (x.cls === 2) return { bits: sign, flags: 0 };
    const one = 0x3f800000n;
    const r = root
      ? F.div(f, one, F.sqrt(f, b, 0x1f80).bits, 0x1f80)
      : F.div(f, one, b, 0x1f80 | 0x8000);
    return { bits: r.bits, flags: 0 };
  };
}

export const [rcpps, , rcpss] = forms(approximation(false));
export const [rsqrtps, , rsqrtss] = forms(approximation(true));
