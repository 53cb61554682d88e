/**
 * F2XM1, FYL2X, FYL2XP1, FPATAN, FSIN, FCOS, FSINCOS and FPTAN.
 *
 * Results are computed to ~160 bits (elementary.ts) and rounded once in
 * the current rounding mode, so they are correctly rounded except in
 * vanishingly rare near-halfway cases; precision control does not apply.
 * Like the hardware, every nonzero result raises PE (even when exact) and
 * C1 tells whether it was rounded up. Behaviour measured on the reference
 * CPU and reproduced here (docs/x87.md): trigonometric arguments are
 * reduced modulo a 66-bit pi, |x| >= 2^63 sets C2 and leaves ST(0) alone,
 * F2XM1 returns its operand unchanged when |x| > 1, and FYL2XP1 returns x
 * when x <= -1.
 *
 * @example
 * // fsin: ST(0) = sin(ST(0))
 * fsin(fpu, cpu, mem, 0, 0, false);
 */
import {
  BIAS,
  DENORMAL,
  INF,
  isNan,
  NORMAL,
  Num,
  Reg80,
  setIndefinite,
  setInf,
  setZero,
  UNSUPPORTED,
  ZERO,
} from "./float80.ts";
import { propagateNaN } from "./basic.ts";
import {
  abs,
  type BF,
  bf,
  bitLength,
  cmp,
  div as bfDiv,
  fromInt,
  isNegative,
  mul,
  neg,
  scale,
} from "./bigfloat.ts";
import {
  atan2,
  exp2m1,
  log2,
  log2p1,
  PI,
  reduceTrig,
  sinCos,
} from "./elementary.ts";
import { loadST } from "./instr-arith.ts";
import { EXT, round } from "./round.ts";
import type { Run, X87 } from "./x87.ts";
import { C1, C2, DE, IE, PE, rcOf, UE, ZE } from "./words.ts";

const A = new Num(), B = new Num(), R = new Reg80(), R2 = new Reg80();

/** The exact value of a finite nonzero unpacked operand. */
function toBF(n: Num): BF {
  const m = (BigInt(n.h) << 32n) | BigInt(n.l);
  return bf(n.s ? -m : m, n.e - BIAS - 63);
}

/**
 * Rounds v (nonzero) into r; PE always, as the hardware does. `tail` says
 * on which side of v the true value lies when v itself is short enough to
 * be representable (a series whose next term vanished below the working
 * precision, like sin x = x - x^3/6 for tiny x): -1 toward zero, +1 away
 * from zero, 0 when v is exact.
 */
function finish(r: Reg80, v: BF, cw: number, tail = 0): number {
  const s = isNegative(v) ? 1 : 0;
  let mag = v.m < 0n ? -v.m : v.m;
  let n = bitLength(mag);
  let sticky = 0;
  if (n > 96) {
    const k = BigInt(n - 96);
    if (mag & ((1n << k) - 1n)) sticky = 1;
    mag >>= k;
  } else mag <<= BigInt(96 - n);
  if (!sticky && tail !== 0) {
    sticky = 1;
    if (tail < 0) {
      // Just below |v|: one less in the last place, and the rest sticky.
      mag -= 1n;
      if (mag >> 95n === 0n) {
        mag = (mag << 1n) | 1n;
        n--;
      }
    }
  }
  const h = Number(mag >> 64n), l = Number((mag >> 32n) & 0xffffffffn);
  const x = (Number(mag & 0xffffffffn) | sticky) >>> 0;
  const flags = round(r, s, v.e + n - 1 + BIAS, h, l, x, 64, rcOf(cw), cw, EXT);
  // Always "inexact", so a denormal result always underflows.
  return flags | PE | ((r.se & 0x7fff) === 0 ? UE : 0);
}

/** R = n re-rounded (pseudo-denormals canonical; denormals may signal UE). */
function same(r: Reg80, n: Num, cw: number): number {
  if (n.cls === ZERO) {
    setZero(r, n.s);
    return 0;
  }
  return round(r, n.s, n.e, n.h, n.l, 0, 64, rcOf(cw), cw, EXT);
}

function denormal(a: Num, b?: Num): number {
  return a.cls === DENORMAL || b?.cls === DENORMAL ? DE : 0;
}

/** A one-operand instruction on ST(0): `op` fills R and returns flags. */
function unary(op: (cw: number) => number): Run {
  return (f) => {
    if (f.isEmpty(0)) {
      if (f.underflow()) f.setIndefinite(0);
      return;
    }
    loadST(f, 0, A);
    f.deliver(0, R, op(f.cw));
  };
}

/** F2XM1: ST(0) = 2^ST(0) - 1 (|x| > 1: unchanged). */
export const f2xm1: Run = unary((cw) => {
  if (A.cls === UNSUPPORTED) {
    setIndefinite(R);
    return IE;
  }
  if (isNan(A)) return propagateNaN(R, A, A);
  if (A.cls === ZERO) {
    setZero(R, A.s);
    return 0;
  }
  if (A.cls === INF) {
    // 2^-inf - 1 = -1 exactly
    if (A.s) {
      R.se = 0xbfff;
      R.hi = 0x80000000;
      R.lo = 0;
    } else setInf(R, 0);
    return 0;
  }
  const x = toBF(A);
  const de = denormal(A);
  if (cmp(abs(x), fromInt(1)) > 0) return de | same(R, A, cw) | PE;
  return de | finish(R, exp2m1(x), cw);
});

/**
 * A two-operand instruction: ST(1) = op(ST(0), ST(1)), then pop. `op`
 * fills R from A (ST(0)) and B (ST(1)) and returns flags.
 */
function binaryPop(op: (cw: number) => number): Run {
  return (f) => {
    if (f.isEmpty(0) || f.isEmpty(1)) {
      if (f.underflow()) {
        f.setIndefinite(1);
        f.pop();
      }
      return;
    }
    loadST(f, 0, A);
    loadST(f, 1, B);
    if (f.deliver(1, R, op(f.cw))) f.pop();
  };
}

/** y * L where L = log2(x) is given as a class and (finite) value. */
function times(
  cw: number,
  y: Num,
  lCls: number,
  lS: number,
  l: BF | undefined,
  de: number,
): number {
  if (lCls === INF) {
    if (y.cls === ZERO) {
      setIndefinite(R);
      return IE;
    }
    setInf(R, y.s ^ lS);
    return de;
  }
  if (lCls === ZERO) {
    if (y.cls === INF) {
      setIndefinite(R);
      return IE;
    }
    setZero(R, y.s ^ lS);
    return de;
  }
  if (y.cls === INF) {
    setInf(R, y.s ^ lS);
    return de;
  }
  if (y.cls === ZERO) {
    setZero(R, y.s ^ lS);
    return de;
  }
  return de | finish(R, mul(toBF(y), l!), cw);
}

function invalidOrNaN(): number {
  if (A.cls === UNSUPPORTED || B.cls === UNSUPPORTED) {
    setIndefinite(R);
    return IE;
  }
  return propagateNaN(R, A, B);
}

/** FYL2X: ST(1) = ST(1) * log2(ST(0)). */
export const fyl2x: Run = binaryPop((cw) => {
  if (A.cls === UNSUPPORTED || B.cls === UNSUPPORTED || isNan(A) || isNan(B)) {
    return invalidOrNaN();
  }
  if (A.s && A.cls !== ZERO) {
    setIndefinite(R);
    return IE;
  }
  const de = denormal(A, B);
  if (A.cls === ZERO) {
    // log2(0) = -infinity: a division by zero (which hides DE) for finite
    // nonzero y
    if (B.cls !== INF && B.cls !== ZERO) {
      setInf(R, B.s ^ 1);
      return ZE;
    }
    return times(cw, B, INF, 1, undefined, de);
  }
  if (A.cls === INF) return times(cw, B, INF, 0, undefined, de);
  const l = log2(toBF(A));
  if (l.m === 0n) return times(cw, B, ZERO, 0, undefined, de);
  return times(cw, B, 1, isNegative(l) ? 1 : 0, l, de);
});

/** FYL2XP1: ST(1) = ST(1) * log2(ST(0) + 1). */
export const fyl2xp1: Run = binaryPop((cw) => {
  if (A.cls === UNSUPPORTED || B.cls === UNSUPPORTED || isNan(A) || isNan(B)) {
    return invalidOrNaN();
  }
  const de = denormal(A, B);
  if (A.cls === ZERO) return times(cw, B, ZERO, A.s, undefined, de);
  if (A.cls === INF) {
    if (A.s) {
      setIndefinite(R);
      return IE;
    }
    return times(cw, B, INF, 0, undefined, de);
  }
  // Zero and infinite y follow the sign rules whatever x is; otherwise
  // x <= -1 (outside the documented domain) comes back unchanged.
  if (B.cls === ZERO || B.cls === INF) {
    return times(cw, B, 1, A.s, undefined, de);
  }
  const x = toBF(A);
  if (cmp(x, fromInt(-1)) <= 0) return de | same(R, A, cw) | PE;
  const l = log2p1(x);
  return times(cw, B, 1, isNegative(l) ? 1 : 0, l, de);
});

/** FPATAN: ST(1) = atan2(ST(1), ST(0)). */
export const fpatan: Run = binaryPop((cw) => {
  if (A.cls === UNSUPPORTED || B.cls === UNSUPPORTED || isNan(A) || isNan(B)) {
    return invalidOrNaN();
  }
  const de = denormal(A, B);
  // y = B, x = A
  if (B.cls === ZERO && !A.s) {
    // atan2(+-0, x) = +-0 for x = +0, positive or +infinity
    setZero(R, B.s);
    return de;
  }
  if (B.cls !== INF && A.cls === INF && !A.s) {
    setZero(R, B.s);
    return de;
  }
  let v: BF;
  if (B.cls === INF) {
    // pi/2, or pi/4 / 3pi/4 against an infinite x
    v = A.cls !== INF
      ? scale(PI, -1)
      : A.s
      ? mul(scale(PI, -2), fromInt(3))
      : scale(PI, -2);
    if (B.s) v = neg(v);
  } else if (A.cls === INF) v = B.s ? neg(PI) : PI; // x = -infinity
  else if (B.cls === ZERO) v = B.s ? neg(PI) : PI; // x negative or -0
  else if (A.cls === ZERO) v = B.s ? neg(scale(PI, -1)) : scale(PI, -1);
  else v = atan2(toBF(B), toBF(A));
  // |atan2(y, x)| < |y/x|, which matters when y/x is representable.
  return de | finish(R, v, cw, -1);
});

/** |x| >= 2^63 is out of range: C2 = 1, C1 = 0 and nothing else happens. */
function outOfRange(f: X87): boolean {
  if (A.cls !== NORMAL || A.e - BIAS < 63) return false;
  f.sw = (f.sw | C2) & ~C1;
  return true;
}

function setOne(r: Reg80): void {
  r.se = 0x3fff;
  r.hi = 0x80000000;
  r.lo = 0;
}

/**
 * sin and cos of the finite nonzero ST(0) in A, reduced like the hardware
 * (elementary.ts reduceTrig), and the quadrant; the sign of x is applied
 * by the callers.
 */
function sinCosOfA(): [BF, BF, number] {
  const [k, r] = reduceTrig(
    (BigInt(A.h) << 32n) | BigInt(A.l),
    A.e - BIAS - 63,
  );
  const [s, c] = sinCos(r);
  switch (k) {
    case 0:
      return [s, c, k];
    case 1:
      return [c, neg(s), k];
    case 2:
      return [neg(s), neg(c), k];
    default:
      return [neg(c), s, k];
  }
}

/** A one-result trigonometric instruction: FSIN or FCOS. */
function sinOrCos(cos: boolean): Run {
  return (f) => {
    f.sw &= ~C2;
    if (f.isEmpty(0)) {
      if (f.underflow()) f.setIndefinite(0);
      return;
    }
    loadST(f, 0, A);
    if (outOfRange(f)) return;
    let flags = 0;
    if (A.cls === INF || A.cls === UNSUPPORTED) {
      setIndefinite(R);
      flags = IE;
    } else if (isNan(A)) flags = propagateNaN(R, A, A);
    else if (A.cls === ZERO) {
      if (cos) setOne(R);
      else setZero(R, A.s);
    } else {
      const [s, c] = sinCosOfA();
      const v = cos ? c : A.s ? neg(s) : s;
      // |sin| and |cos| of the reduced argument fall short of r and 1.
      flags = denormal(A) | finish(R, v, f.cw, -1);
    }
    f.deliver(0, R, flags);
  };
}

/** FSIN: ST(0) = sin(ST(0)). */
export const fsin: Run = sinOrCos(false);
/** FCOS: ST(0) = cos(ST(0)). */
export const fcos: Run = sinOrCos(true);

/**
 * The two-result trigonometric instructions: FPTAN (ST(0) = tan, then
 * push 1.0) and FSINCOS (ST(0) = sin, then push cos).
 */
function twoResults(tan: boolean): Run {
  return (f) => {
    f.sw &= ~C2;
    if (f.isEmpty(0) || !f.isEmpty(7)) {
      if (f.isEmpty(0) ? f.underflow() : f.overflow()) {
        f.setIndefinite(0);
        f.push();
        f.setIndefinite(0);
      }
      return;
    }
    loadST(f, 0, A);
    if (outOfRange(f)) return;
    let flags = 0;
    if (A.cls === INF || A.cls === UNSUPPORTED) {
      setIndefinite(R);
      setIndefinite(R2);
      flags = IE;
    } else if (isNan(A)) {
      flags = propagateNaN(R, A, A);
      R2.se = R.se;
      R2.hi = R.hi;
      R2.lo = R.lo;
    } else if (A.cls === ZERO) {
      setZero(R, A.s);
      setOne(R2);
    } else {
      const [s, c, k] = sinCosOfA();
      const de = denormal(A);
      if (tan) {
        // tan of the reduced argument exceeds it; the cotangent (odd
        // quadrants) falls short of its reciprocal.
        const t = bfDiv(s, c);
        flags = de | finish(R, A.s ? neg(t) : t, f.cw, k & 1 ? -1 : 1);
        setOne(R2);
      } else {
        flags = de | finish(R, A.s ? neg(s) : s, f.cw, -1);
        flags |= finish(R2, c, f.cw, -1) & ~C1;
      }
    }
    if (!f.masked(flags & (IE | DE))) {
      f.setC1(0);
      f.raise(flags & (IE | DE));
      return;
    }
    f.set(0, R.se, R.hi, R.lo);
    f.push();
    f.set(0, R2.se, R2.hi, R2.lo);
    f.setC1(flags & C1 ? 1 : 0);
    f.raise(flags);
  };
}

/** FPTAN: ST(0) = tan(ST(0)), then push 1.0. */
export const fptan: Run = twoResults(true);
/** FSINCOS: ST(0) = sin(ST(0)), then push the cosine. */
export const fsincos: Run = twoResults(false);
