/**
 * Data transfer: FLD/FST/FSTP (memory and registers), FILD/FIST/FISTP,
 * FBLD/FBSTP, the constant loads, FXCH, FCMOVcc, FFREE(P), FINCSTP and
 * FDECSTP.
 *
 * @example
 * const run = store(M32FP, true); // fstp m32fp
 */
import {
  BIAS,
  DENORMAL,
  INF,
  isNan,
  Num,
  QNAN,
  Reg80,
  setIndefinite,
  SNAN,
  unpack64,
  UNSUPPORTED,
  ZERO,
} from "./float80.ts";
import {
  DH,
  DL,
  doubleNearest,
  HUGE,
  IH,
  IL,
  INEXACT,
  narrow,
  packDouble,
  packSingle,
  toBCD,
  toInteger,
  UP,
} from "./convert.ts";
import { loadST } from "./instr-arith.ts";
import {
  M16INT,
  M32FP,
  M32INT,
  M64FP,
  M64INT,
  M80BCD,
  M80FP,
  probeStore,
  readOperand,
} from "./operand.ts";
import { EXT, round } from "./round.ts";
import type { Run, X87 } from "./x87.ts";
import { C1, DE, IE, OE, PE, rcOf, UE } from "./words.ts";
import { cf, pf, zf } from "../flags.ts";
import type { Cpu } from "../state.ts";

const A = new Num(), R = new Reg80();
const bcd = new Uint8Array(10);

/**
 * Pushes R (or, on stack overflow with IE masked, the indefinite). Flags
 * are the conversion's: an unmasked IE suppresses the push, an unmasked
 * DE (denormal single or double) does not.
 */
function pushResult(f: X87, flags: number): void {
  if (!f.isEmpty(7)) {
    if (f.overflow()) {
      f.push();
      f.setIndefinite(0);
    }
    return;
  }
  if (!f.masked(flags & IE)) {
    f.setC1(0);
    f.raise(flags & IE);
    return;
  }
  f.push();
  f.set(0, R.se, R.hi, R.lo);
  f.setC1(0);
  f.raise(flags);
}

/** R = the value of n packed exactly (n comes from a narrower format). */
function packExact(n: Num): number {
  switch (n.cls) {
    case ZERO:
      R.se = n.s << 15;
      R.hi = R.lo = 0;
      return 0;
    case INF:
      R.se = (n.s << 15) | 0x7fff;
      R.hi = 0x80000000;
      R.lo = 0;
      return 0;
    case QNAN:
    case SNAN:
      R.se = (n.s << 15) | 0x7fff;
      R.hi = (n.h | 0x40000000) >>> 0;
      R.lo = n.l;
      return n.cls === SNAN ? IE : 0;
  }
  R.se = (n.s << 15) | n.e;
  R.hi = n.h;
  R.lo = n.l;
  return n.cls === DENORMAL ? DE : 0;
}

/** FLD/FILD/FBLD from memory. */
export function load(kind: number): Run {
  return (f, _c, m, ea) => {
    if (kind === M80FP) {
      // Copied as is: no conversion, so no exceptions even for SNaNs.
      R.lo = m.r32(ea) >>> 0;
      R.hi = m.r32((ea + 4) | 0) >>> 0;
      R.se = m.r16((ea + 8) | 0);
      pushResult(f, 0);
    } else if (kind === M64FP) {
      const lo = m.r32(ea) >>> 0, hi = m.r32((ea + 4) | 0) >>> 0;
      const e = (hi >>> 20) & 0x7ff;
      // A normal double onto a free register, the common case, widens without unpacking.
      if (e !== 0 && e !== 0x7ff && f.isEmpty(7)) {
        const se = ((hi >>> 31) << 15) | (e - 1023 + BIAS);
        f.push();
        f.set(0, se, (0x80000000 | ((hi & 0xfffff) << 11) | (lo >>> 21)) >>> 0, (lo << 11) >>> 0);
        f.setC1(0);
        f.raise(0);
        return;
      }
      unpack64(A, lo, hi);
      pushResult(f, packExact(A));
    } else {
      readOperand(m, ea, kind, A);
      pushResult(f, packExact(A));
    }
  };
}

/** FLD ST(i). */
export const fldReg: Run = (f, _c, _m, _ea, i) => {
  if (f.isEmpty(i)) {
    if (f.underflow()) {
      f.push();
      f.setIndefinite(0);
    }
    return;
  }
  const p = f.phys(i);
  R.se = f.se[p];
  R.hi = f.hi[p];
  R.lo = f.lo[p];
  pushResult(f, 0);
};

/**
 * A constant: the value and the 32 bits that follow its 64-bit
 * significand, rounded in the current rounding mode (no PE, and precision
 * control does not apply).
 */
export function constant(se: number, hi: number, lo: number, x: number): Run {
  return (f) => {
    if (se === 0) {
      R.se = R.hi = R.lo = 0;
    } else round(R, 0, se, hi, lo, x, 64, rcOf(f.cw), f.cw, EXT);
    pushResult(f, 0);
  };
}

/** Writes the integer indefinite or IH:IL with sign s to an integer/BCD operand. */
function writeInt(
  m: Parameters<Run>[2],
  ea: number,
  kind: number,
  s: number,
  indef: boolean,
): void {
  if (kind === M80BCD) {
    if (indef) {
      bcd.fill(0);
      bcd[7] = 0xc0;
      bcd[8] = bcd[9] = 0xff;
    } else toBCD(bcd, s);
    m.write(ea, bcd);
    return;
  }
  let lo = indef ? 0 : IL, hi = indef ? 0x80000000 : IH;
  if (!indef && s) {
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  if (kind === M16INT) m.w16(ea, indef ? 0x8000 : lo);
  else if (kind === M32INT) m.w32(ea, indef ? 0x80000000 : lo);
  else {
    probeStore(m, ea, 8);
    m.w32(ea, lo);
    m.w32((ea + 4) | 0, hi);
  }
}

/** Largest magnitudes of the integer formats (negative limit is one more). */
function fits(kind: number, s: number): boolean {
  switch (kind) {
    case M16INT:
      return IH === 0 && IL <= 0x7fff + s;
    case M32INT:
      return IH === 0 && IL <= 0x7fffffff + s;
    case M64INT:
      return IH < 0x80000000 || (s === 1 && IH === 0x80000000 && IL === 0);
    default: // 18 BCD digits: at most 999999999999999999 = 0x0de0b6b3a763ffff
      return IH < 0x0de0b6b3 || (IH === 0x0de0b6b3 && IL <= 0xa763ffff);
  }
}

/**
 * FIST/FISTP/FBSTP. Like all stores, the memory is written before any
 * register or status change, so a page fault leaves the FPU as it was.
 */
export function storeInt(kind: number, pop: boolean): Run {
  return (f, _c, m, ea) => {
    const empty = f.isEmpty(0);
    let flags = 0, res = 0;
    if (empty) flags = IE;
    else {
      loadST(f, 0, A);
      if (A.cls === INF || isNan(A) || A.cls === UNSUPPORTED) flags = IE;
      else {
        // (A denormal source raises no DE here.)
        res = toInteger(A, rcOf(f.cw));
        if (res & HUGE || !fits(kind, A.s)) flags = IE;
        else if (res & INEXACT) flags = PE;
      }
    }
    if (!f.masked(flags & IE)) {
      if (empty) f.underflow();
      else {
        f.setC1(0);
        f.raise(IE);
      }
      return;
    }
    writeInt(m, ea, kind, A.s, (flags & IE) !== 0);
    if (empty) f.underflow();
    else {
      f.setC1(res & UP && !(flags & IE) ? 1 : 0);
      f.raise(flags);
    }
    if (pop) f.pop();
  };
}

/** FST/FSTP to memory (m32fp, m64fp, m80fp). */
export function store(kind: number, pop: boolean): Run {
  return (f, _c, m, ea) => {
    const empty = f.isEmpty(0), p = f.phys(0);
    // The common case of FST m64fp, packed straight from the register into DL/DH.
    const nearest = kind === M64FP && !empty ? doubleNearest(f.se[p], f.hi[p], f.lo[p], f.cw) : -1;
    let flags = 0;
    if (empty) {
      if (!(f.cw & IE)) {
        f.underflow();
        return;
      }
      setIndefinite(R);
    } else if (nearest >= 0) flags = nearest;
    else if (kind === M80FP) {
      R.se = f.se[p];
      R.hi = f.hi[p];
      R.lo = f.lo[p];
    } else {
      loadST(f, 0, A);
      flags = narrow(R, A, f.cw, kind === M64FP);
      if (!f.masked(flags & (IE | OE | UE))) {
        // Nothing is stored, so nothing is inexact either.
        f.setC1(0);
        f.raise(flags & (IE | OE | UE));
        return;
      }
    }
    if (kind === M32FP) m.w32(ea, packSingle(R));
    else if (kind === M64FP) {
      if (nearest < 0) packDouble(R);
      probeStore(m, ea, 8);
      m.w32(ea, DL);
      m.w32((ea + 4) | 0, DH);
    } else {
      probeStore(m, ea, 10);
      m.w32(ea, R.lo);
      m.w32((ea + 4) | 0, R.hi);
      m.w16((ea + 8) | 0, R.se);
    }
    if (empty) f.underflow();
    else {
      f.setC1(flags & C1 ? 1 : 0);
      f.raise(flags);
    }
    if (pop) f.pop();
  };
}

/**
 * The FSTP alias D9 D8+i: like FSTP ST(i), except that an empty ST(0) is
 * not a stack underflow; it is just popped.
 */
export const fstpnce: Run = (f, c, m, ea, i, o16) => {
  if (f.isEmpty(0)) {
    f.setC1(0);
    f.pop();
  } else fstpReg(f, c, m, ea, i, o16);
};

/** FST/FSTP ST(i): an exact copy. */
export function storeReg(pop: boolean): Run {
  return (f, _c, _m, _ea, i) => {
    if (f.isEmpty(0)) {
      if (f.underflow()) {
        f.setIndefinite(i);
        if (pop) f.pop();
      }
      return;
    }
    const p = f.phys(0);
    f.set(i, f.se[p], f.hi[p], f.lo[p]);
    f.setC1(0);
    if (pop) f.pop();
  };
}

const fstpReg = storeReg(true);

/** FXCH ST(i). Empty registers take the indefinite when IE is masked. */
export const fxch: Run = (f, _c, _m, _ea, i) => {
  if (f.isEmpty(0) || f.isEmpty(i)) {
    if (!f.underflow()) return;
    if (f.isEmpty(0)) f.setIndefinite(0);
    if (f.isEmpty(i)) f.setIndefinite(i);
  } else f.setC1(0);
  const p = f.phys(0), q = f.phys(i);
  const se = f.se[p], hi = f.hi[p], lo = f.lo[p];
  f.se[p] = f.se[q];
  f.hi[p] = f.hi[q];
  f.lo[p] = f.lo[q];
  f.se[q] = se;
  f.hi[q] = hi;
  f.lo[q] = lo;
};

/** FCMOVcc: `cond` reads EFLAGS through flags.ts. */
export function fcmov(cond: (c: Cpu) => boolean): Run {
  return (f, c, _m, _ea, i) => {
    if (f.isEmpty(0) || f.isEmpty(i)) {
      if (f.underflow()) f.setIndefinite(0);
      return;
    }
    if (!cond(c)) return;
    const q = f.phys(i);
    f.set(0, f.se[q], f.hi[q], f.lo[q]);
  };
}

/** The eight FCMOV conditions by ModRM.reg, for DA (b, e, be, u) and DB (negated). */
export const FCMOV_CONDITIONS: ((c: Cpu) => boolean)[] = [
  (c) => cf(c) === 1,
  (c) => zf(c) === 1,
  (c) => (cf(c) | zf(c)) === 1,
  (c) => pf(c) === 1,
];

/** FFREE (pop = FFREEP). */
export function ffree(pop: boolean): Run {
  return (f, _c, _m, _ea, i) => {
    f.empty |= 1 << f.phys(i);
    f.setC1(0);
    if (pop) f.pop();
  };
}

/** FINCSTP / FDECSTP: rotate TOP without changing tags. */
export function stepTop(delta: number): Run {
  return (f) => {
    f.top = (f.top + delta) & 7;
    f.setC1(0);
  };
}
