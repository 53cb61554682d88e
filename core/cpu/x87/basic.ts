/**
 * The basic arithmetic operations with IEEE/x87 special-operand rules:
 * unsupported encodings and NaNs, invalid combinations, division by zero,
 * infinities and zeros, then {@link arith.ts} for finite operands. Also
 * comparison. Every function writes its result to a Reg80 and returns the
 * exception flags (words.ts) it raises, plus C1 when it rounded up.
 *
 * @example
 * const r = new Reg80(), a = new Num(), b = new Num();
 * unpack80(a, 0x3fff, 0x80000000, 0);
 * unpack80(b, 0, 0, 0);
 * binary(r, DIV, a, b, 0x37f); // ZE, r = +infinity
 */
import {
  DENORMAL,
  EXP_MAX,
  INF,
  isNan,
  type Num,
  QNAN,
  type Reg80,
  setIndefinite,
  setInf,
  setZero,
  SNAN,
  UNSUPPORTED,
  ZERO,
} from "./float80.ts";
import {
  addFinite,
  divFinite,
  mulFinite,
  sqrtFinite,
  zeroSumSign,
} from "./arith.ts";
import { EXT, round } from "./round.ts";
import { C0, C2, C3, DE, IE, precisionBits, rcOf, ZE } from "./words.ts";

/** Binary operations; the R forms take their operands reversed. */
export const ADD = 0, SUB = 1, SUBR = 2, MUL = 3, DIV = 4, DIVR = 5;

/**
 * The x87 NaN rule for an operation with NaN operand(s): a signaling NaN
 * raises IE; the result is the quieted NaN operand, and of two NaNs the
 * quiet one, else the one with the larger significand, else the positive.
 */
export function propagateNaN(r: Reg80, a: Num, b: Num): number {
  const flags = a.cls === SNAN || b.cls === SNAN ? IE : 0;
  let n = a;
  if (!isNan(a)) n = b;
  else if (isNan(b)) {
    if (a.cls !== b.cls) n = a.cls === QNAN ? a : b;
    else if (
      b.h > a.h || (b.h === a.h && (b.l > a.l || (b.l === a.l && b.s < a.s)))
    ) {
      n = b;
    }
  }
  r.se = (n.s << 15) | EXP_MAX;
  r.hi = (n.h | 0x40000000) >>> 0;
  r.lo = n.l;
  return flags;
}

/** Rounds an unpacked finite nonzero value to the precision control. */
function roundNum(r: Reg80, s: number, n: Num, cw: number): number {
  return round(r, s, n.e, n.h, n.l, 0, precisionBits(cw), rcOf(cw), cw, EXT);
}

/** `a op b` (SUBR: b - a, DIVR: b / a). */
export function binary(
  r: Reg80,
  op: number,
  a: Num,
  b: Num,
  cw: number,
): number {
  if (a.cls === UNSUPPORTED || b.cls === UNSUPPORTED) {
    setIndefinite(r);
    return IE;
  }
  if (isNan(a) || isNan(b)) return propagateNaN(r, a, b);
  const de = a.cls === DENORMAL || b.cls === DENORMAL ? DE : 0;
  let x = a, y = b;
  if (op === SUBR || op === DIVR) {
    x = b;
    y = a;
  }
  if (op === ADD || op === SUB || op === SUBR) {
    const neg = op === ADD ? 0 : 1;
    const ys = y.s ^ neg;
    if (x.cls === INF || y.cls === INF) {
      if (x.cls === INF && y.cls === INF && x.s !== ys) {
        setIndefinite(r);
        return IE;
      }
      setInf(r, x.cls === INF ? x.s : ys);
      return de;
    }
    if (y.cls === ZERO) {
      if (x.cls === ZERO) {
        setZero(r, x.s === ys ? x.s : zeroSumSign(cw));
        return de;
      }
      return de | roundNum(r, x.s, x, cw);
    }
    if (x.cls === ZERO) return de | roundNum(r, ys, y, cw);
    return de | addFinite(r, x, y, neg, cw);
  }
  const s = x.s ^ y.s;
  if (op === MUL) {
    if (x.cls === INF || y.cls === INF) {
      if (x.cls === ZERO || y.cls === ZERO) {
        setIndefinite(r);
        return IE;
      }
      setInf(r, s);
      return de;
    }
    if (x.cls === ZERO || y.cls === ZERO) {
      setZero(r, s);
      return de;
    }
    return de | mulFinite(r, x, y, cw);
  }
  // DIV, DIVR
  if (x.cls === INF) {
    if (y.cls === INF) {
      setIndefinite(r);
      return IE;
    }
    setInf(r, s);
    return de;
  }
  if (y.cls === INF) {
    setZero(r, s);
    return de;
  }
  if (y.cls === ZERO) {
    if (x.cls === ZERO) {
      setIndefinite(r);
      return IE;
    }
    // Division by zero takes precedence over a denormal dividend.
    setInf(r, s);
    return ZE;
  }
  if (x.cls === ZERO) {
    setZero(r, s);
    return de;
  }
  return de | divFinite(r, x, y, cw);
}

/** FSQRT. */
export function sqrt(r: Reg80, a: Num, cw: number): number {
  if (a.cls === UNSUPPORTED) {
    setIndefinite(r);
    return IE;
  }
  if (isNan(a)) return propagateNaN(r, a, a);
  if (a.cls === ZERO) {
    setZero(r, a.s);
    return 0;
  }
  if (a.s) {
    setIndefinite(r);
    return IE;
  }
  const de = a.cls === DENORMAL ? DE : 0;
  if (a.cls === INF) {
    setInf(r, 0);
    return 0;
  }
  return de | sqrtFinite(r, a, cw);
}

/**
 * Compares a with b: returns the condition codes (C3 C2 C0 = 000 a > b,
 * 001 a < b, 100 equal, 111 unordered) ORed with IE/DE. `quiet` (FUCOM)
 * raises IE for signaling NaNs only.
 */
export function compare(a: Num, b: Num, quiet: boolean): number {
  if (a.cls === UNSUPPORTED || b.cls === UNSUPPORTED) return C3 | C2 | C0 | IE;
  if (isNan(a) || isNan(b)) {
    const ie = !quiet || a.cls === SNAN || b.cls === SNAN ? IE : 0;
    return C3 | C2 | C0 | ie;
  }
  const de = a.cls === DENORMAL || b.cls === DENORMAL ? DE : 0;
  const c = order(a, b);
  return de | (c === 0 ? C3 : c < 0 ? C0 : 0);
}

/** Sign of a - b for ordered operands. */
function order(a: Num, b: Num): number {
  if (a.cls === ZERO && b.cls === ZERO) return 0;
  if (a.cls === ZERO) return b.s ? 1 : -1;
  if (b.cls === ZERO) return a.s ? -1 : 1;
  if (a.s !== b.s) return a.s ? -1 : 1;
  const m = a.s ? -1 : 1;
  if (a.cls === INF || b.cls === INF) {
    if (a.cls === b.cls) return 0;
    return a.cls === INF ? m : -m;
  }
  if (a.e !== b.e) return a.e > b.e ? m : -m;
  if (a.h !== b.h) return a.h > b.h ? m : -m;
  if (a.l !== b.l) return a.l > b.l ? m : -m;
  return 0;
}
