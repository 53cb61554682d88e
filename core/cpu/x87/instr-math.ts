/**
 * FPREM, FPREM1, FRNDINT, FSCALE and FXTRACT: the exact "bit manipulation"
 * operations (their results are exact unless they underflow or overflow).
 *
 * @example
 * const run = fprem(true); // FPREM1
 */
import {
  BIAS,
  DENORMAL,
  INF,
  isNan,
  NORMAL,
  normalize,
  Num,
  Reg80,
  setIndefinite,
  setInf,
  setZero,
  unpackInt64,
  UNSUPPORTED,
  ZERO,
} from "./float80.ts";
import { propagateNaN } from "./basic.ts";
import { fromInteger, HUGE, IL, INEXACT, toInteger, UP } from "./convert.ts";
import { loadST } from "./instr-arith.ts";
import { EXT, round } from "./round.ts";
import type { Run, X87 } from "./x87.ts";
import {
  C0,
  C1,
  C2,
  C3,
  CC_MASK,
  DE,
  IE,
  PE,
  RC_ZERO,
  rcOf,
  ZE,
} from "./words.ts";

const A = new Num(), B = new Num(), R = new Reg80(), R2 = new Reg80();

/** Underflow check for instructions reading ST(0) and ST(1). */
function twoOperands(f: X87): boolean {
  if (!f.isEmpty(0) && !f.isEmpty(1)) {
    loadST(f, 0, A);
    loadST(f, 1, B);
    return true;
  }
  if (f.underflow()) f.setIndefinite(0);
  return false;
}

/**
 * R = the finite value n, re-rounded (a pseudo-denormal comes out in its
 * canonical form; a denormal signals underflow if UE is unmasked).
 */
function exact(n: Num, cw: number): number {
  if (n.cls !== ZERO) return round(R, n.s, n.e, n.h, n.l, 0, 64, 0, cw, EXT);
  setZero(R, n.s);
  return 0;
}

/**
 * Partial remainder. When the exponents differ by 64 or more, only part
 * of the reduction is done (C2 = 1, C0 = C1 = C3 = 0) and software loops;
 * otherwise the remainder is final (C2 = 0) and C0, C3, C1 get quotient
 * bits 2, 1, 0. The remainder is exact.
 */
export function fprem(nearest: boolean): Run {
  return (f) => {
    if (!twoOperands(f)) {
      f.sw &= ~C2;
      return;
    }
    let flags = 0;
    // NaNs and invalid operands leave C0 and C3 alone and clear C1 and C2.
    let cc = f.sw & (C0 | C3);
    if (A.cls === UNSUPPORTED || B.cls === UNSUPPORTED) {
      setIndefinite(R);
      flags = IE;
    } else if (isNan(A) || isNan(B)) flags = propagateNaN(R, A, B);
    else if (A.cls === INF || B.cls === ZERO) {
      setIndefinite(R);
      flags = IE;
    } else {
      flags = A.cls === DENORMAL || B.cls === DENORMAL ? DE : 0;
      if (A.cls === ZERO || B.cls === INF) {
        // Quotient 0.
        flags |= exact(A, f.cw);
        cc = 0;
      } else {
        const res = remainder(nearest, f.cw);
        flags |= res & ~CC_MASK;
        cc = res & CC_MASK;
      }
    }
    if (f.deliver(0, R, flags)) f.sw = (f.sw & ~CC_MASK) | cc;
    else f.sw &= ~C2;
  };
}

/**
 * A partial step (exponent difference d >= 64) leaves a difference of
 * 32 + d mod 32, as measured on the reference CPU (Intel documents "an
 * implementation-dependent number between 32 and 63").
 */
const PARTIAL_BITS = 32;

/** |A| rem |B| for finite nonzero operands into R; returns flags | codes. */
function remainder(nearest: boolean, cw: number): number {
  let d = A.e - B.e;
  let be = B.e;
  let partial = false;
  if (d >= 64) {
    // Reduce by B * 2^(d - n), truncating the quotient, whichever FPREM.
    const n = PARTIAL_BITS + (d % PARTIAL_BITS);
    be += d - n;
    d = n;
    partial = true;
  }
  const bh = B.h, bl = B.l;
  let s = A.s;
  // q: low 3 quotient bits are all that is reported.
  let q = 0;
  let t = 0, rh = A.h, rl = A.l;
  if (d < 0) {
    // |A| < |B|: quotient 0, except FPREM1 rounding up when |A| > |B|/2.
    if (nearest && d === -1 && (rh > bh || (rh === bh && rl > bl))) {
      // remainder = |B| - |A| at A's scale: b*2 - a, one bit below b.
      let nl = bl * 2 - rl;
      let nh = bh * 2 - rh;
      while (nl < 0) {
        nl += 0x100000000;
        nh--;
      }
      while (nl >= 0x100000000) {
        nl -= 0x100000000;
        nh++;
      }
      rh = nh;
      rl = nl;
      be = A.e;
      s ^= 1;
      q = 1;
    } else {
      be = A.e;
    }
  } else {
    for (let i = 0; i <= d; i++) {
      q = (q << 1) & 7;
      if (t !== 0 || rh > bh || (rh === bh && rl >= bl)) {
        let nl = rl - bl, borrow = 0;
        if (nl < 0) {
          nl += 0x100000000;
          borrow = 1;
        }
        rh = (rh - bh - borrow) >>> 0;
        rl = nl;
        q |= 1;
      }
      if (i < d) {
        t = rh >>> 31;
        rh = ((rh << 1) | (rl >>> 31)) >>> 0;
        rl = (rl << 1) >>> 0;
      }
    }
    if (nearest && !partial) {
      // Round the quotient to nearest-even: compare 2r with b.
      const r2h = rh * 2 + (rl >>> 31), r2l = (rl << 1) >>> 0;
      const cmp = r2h > bh
        ? 1
        : r2h < bh
        ? -1
        : r2l > bl
        ? 1
        : r2l < bl
        ? -1
        : 0;
      if (cmp > 0 || (cmp === 0 && (q & 1))) {
        let nl = bl - rl, borrow = 0;
        if (nl < 0) {
          nl += 0x100000000;
          borrow = 1;
        }
        rh = (bh - rh - borrow) >>> 0;
        rl = nl;
        s ^= 1;
        q = (q + 1) & 7;
      }
    }
  }
  const cc = partial
    ? C2
    : (q & 4 ? C0 : 0) | (q & 2 ? C3 : 0) | (q & 1 ? C1 : 0);
  if ((rh | rl) === 0) {
    setZero(R, A.s);
    return cc;
  }
  // Normalize r (scale: b's significand at exponent be) and round (exact
  // unless it underflows).
  A.s = s;
  A.h = rh;
  A.l = rl;
  A.e = be;
  A.cls = NORMAL;
  normalize(A);
  const flags = round(R, s, A.e, A.h, A.l, 0, 64, rcOf(cw), cw, EXT);
  return (flags & ~C1) | cc;
}

/** FRNDINT: rounds ST(0) to an integer in the current rounding mode. */
export const frndint: Run = (f) => {
  if (f.isEmpty(0)) {
    if (f.underflow()) f.setIndefinite(0);
    return;
  }
  loadST(f, 0, A);
  let flags = 0;
  if (A.cls === UNSUPPORTED) {
    setIndefinite(R);
    flags = IE;
  } else if (isNan(A)) flags = propagateNaN(R, A, A);
  else {
    if (A.cls === DENORMAL) flags = DE;
    // Zeros, infinities and values of 2^63 and more are integers already.
    const res = A.cls === INF ? HUGE : toInteger(A, rcOf(f.cw));
    if (res & HUGE || A.cls === ZERO) {
      const p = f.phys(0);
      R.se = f.se[p];
      R.hi = f.hi[p];
      R.lo = f.lo[p];
    } else {
      fromInteger(B, A.s);
      if (B.cls === ZERO) setZero(R, A.s);
      else {
        R.se = (A.s << 15) | B.e;
        R.hi = B.h;
        R.lo = B.l;
      }
      if (res & INEXACT) flags |= PE;
      if (res & UP) flags |= C1;
    }
  }
  f.deliver(0, R, flags);
};

/** FSCALE: ST(0) * 2^trunc(ST(1)). */
export const fscale: Run = (f) => {
  if (!twoOperands(f)) return;
  let flags = 0;
  if (A.cls === UNSUPPORTED || B.cls === UNSUPPORTED) {
    setIndefinite(R);
    flags = IE;
  } else if (isNan(A) || isNan(B)) flags = propagateNaN(R, A, B);
  else {
    flags = A.cls === DENORMAL || B.cls === DENORMAL ? DE : 0;
    if (B.cls === INF) {
      if ((B.s === 0 && A.cls === ZERO) || (B.s === 1 && A.cls === INF)) {
        setIndefinite(R);
        flags = IE;
      } else if (B.s === 0 && A.cls !== ZERO) setInf(R, A.s);
      else if (B.s === 1 && A.cls !== INF) setZero(R, A.s);
    } else if (A.cls === INF) setInf(R, A.s);
    else if (A.cls === ZERO) setZero(R, A.s);
    else {
      // trunc(ST(1)), clamped far beyond any representable result.
      let n = 0;
      if (B.cls !== ZERO) {
        toInteger(B, RC_ZERO);
        n = B.e - BIAS > 20 ? 0x10000 : IL;
        if (B.s) n = -n;
      }
      flags |= round(R, A.s, A.e + n, A.h, A.l, 0, 64, rcOf(f.cw), f.cw, EXT);
    }
  }
  f.deliver(0, R, flags);
};

/** FXTRACT: ST(0) = significand, then push the exponent. */
export const fxtract: Run = (f) => {
  if (f.isEmpty(0)) {
    if (f.underflow()) {
      f.setIndefinite(0);
      f.push();
      f.setIndefinite(0);
    }
    return;
  }
  if (!f.isEmpty(7)) {
    if (f.overflow()) {
      f.setIndefinite(0);
      f.push();
      f.setIndefinite(0);
    }
    return;
  }
  loadST(f, 0, A);
  let flags = 0;
  if (A.cls === UNSUPPORTED) {
    setIndefinite(R);
    setIndefinite(R2);
    flags = IE;
  } else if (isNan(A)) {
    flags = propagateNaN(R, A, A);
    R2.se = R.se;
    R2.hi = R.hi;
    R2.lo = R.lo;
  } else if (A.cls === ZERO) {
    setInf(R2, 1);
    setZero(R, A.s);
    flags = ZE;
  } else if (A.cls === INF) {
    setInf(R2, 0);
    setInf(R, A.s);
  } else {
    if (A.cls === DENORMAL) flags = DE;
    // The unbiased exponent (of the normalized value) as an exact integer.
    const E = A.e - BIAS;
    unpackInt64(B, E, E >> 31);
    if (B.cls === ZERO) setZero(R2, 0);
    else {
      R2.se = (B.s << 15) | B.e;
      R2.hi = B.h;
      R2.lo = B.l;
    }
    R.se = (A.s << 15) | BIAS;
    R.hi = A.h;
    R.lo = A.l;
  }
  if (!f.masked(flags & (IE | DE | ZE))) {
    f.setC1(0);
    f.raise(flags & (IE | DE | ZE));
    return;
  }
  f.set(0, R2.se, R2.hi, R2.lo);
  f.push();
  f.set(0, R.se, R.hi, R.lo);
  f.setC1(0);
  f.raise(flags);
};
