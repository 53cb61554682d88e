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
import type { Vec } from "./vec.ts";
import { commit, getLane, laneCount, setLane } from "./lanes.ts";

type Binary = (f: Format, a: bigint, b: bigint, mxcsr: number) => Rounded;

/** The host operation of a `fast` lane: JavaScript's double arithmetic, correctly rounded to nearest in every engine. */
export type HostOp = "add" | "sub" | "mul" | "div" | "sqrt";

/** The smallest normal magnitudes. */
const MIN_NORMAL = { 32: 2 ** -126, 64: 2 ** -1022 };

function hostLane(op: HostOp, a: number, b: number): number {
  switch (op) {
    case "add": return a + b;
    case "sub": return a - b;
    case "mul": return a * b;
    case "div": return a / b;
    case "sqrt": return Math.sqrt(b);
  }
}

const scratch = new Float64Array(4);

/**
 * The common case without integer arithmetic: round to nearest, PE
 * already set and masked (so an inexact result changes nothing), operands
 * normal or zero, and every result a normal number (or an exact zero of
 * an addition, or of a zero operand). Then no flag changes and the host's
 * double result, correctly rounded in V8 and JavaScriptCore alike, is the
 * processor's; for singles, rounding that double to single is the
 * correctly rounded single (53 >= 2 * 24 + 2 bits, so the double rounding
 * is innocuous). Returns false, having changed nothing, otherwise.
 */
function fast(f: Format, n: number, op: HostOp, mxcsr: number, d: Vec, s: Vec): boolean {
  if ((mxcsr & 0x7020) !== 0x1020) return false; // RC = nearest, PM masked, PE set
  const min = MIN_NORMAL[f.bits as 32 | 64];
  const dv = f.bits === 32 ? d.f32 : d.f64, sv = f.bits === 32 ? s.f32 : s.f64;
  const usable = (x: number) => x === 0 || (Math.abs(x) >= min && Math.abs(x) !== Infinity);
  for (let k = 0; k < n; k++) {
    const a = dv[k], b = sv[k];
    if (!usable(b) || (op !== "sqrt" && !usable(a))) return false;
    let r = hostLane(op, a, b);
    if (f.bits === 32) r = Math.fround(r);
    const zeroOk = op === "add" || op === "sub" || (op === "sqrt" ? b === 0 : a === 0 || (op === "mul" && b === 0));
    if (!(Math.abs(r) > min && Math.abs(r) !== Infinity) && !(r === 0 && zeroOk && !(op === "div" && b === 0))) {
      return false;
    }
    scratch[k] = r;
  }
  for (let k = 0; k < n; k++) dv[k] = scratch[k];
  return true;
}

/** A two-operand operation over all lanes (`scalar`: lane 0 only), `host` naming its fast path. */
function binary(f: Format, scalar: boolean, fn: Binary, host?: HostOp): VecOp {
  return (c, d, s) => {
    const n = scalar ? 1 : laneCount(f);
    if (host !== undefined && fast(f, n, host, c.mxcsr, d, s)) return;
    const results: Rounded[] = [];
    for (let k = 0; k < n; k++) results.push(fn(f, getLane(f, d, k), getLane(f, s, k), c.mxcsr));
    commit(c, results, (k, bits) => setLane(f, d, k, bits));
  };
}

/** The four forms ps, pd, ss, sd of an operation. */
function forms(fn: Binary, host?: HostOp): [VecOp, VecOp, VecOp, VecOp] {
  return [binary(F32, false, fn, host), binary(F64, false, fn, host), binary(F32, true, fn, host), binary(F64, true, fn, host)];
}

export const [addps, addpd, addss, addsd] = forms(F.add, "add");
export const [subps, subpd, subss, subsd] = forms(F.sub, "sub");
export const [mulps, mulpd, mulss, mulsd] = forms(F.mul, "mul");
export const [divps, divpd, divss, divsd] = forms(F.div, "div");
export const [minps, minpd, minss, minsd] = forms((f, a, b, m) => F.minMax(f, a, b, m, false));
export const [maxps, maxpd, maxss, maxsd] = forms((f, a, b, m) => F.minMax(f, a, b, m, true));
export const [sqrtps, sqrtpd, sqrtss, sqrtsd] = forms((f, _a, b, m) => F.sqrt(f, b, m), "sqrt");

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
