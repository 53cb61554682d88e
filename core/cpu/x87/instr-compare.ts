/**
 * Comparisons and classification: FCOM/FCOMP/FCOMPP, FUCOM*, FICOM*,
 * FCOMI/FCOMIP/FUCOMI/FUCOMIP (to EFLAGS), FTST and FXAM.
 *
 * @example
 * const run = comparison(REG, true, 1, true); // fucomip st0, st(i)
 */
import { AF, CF, OF, PF, setEflags, SF, ZF } from "../flags.ts";
import {
  classify80,
  DENORMAL,
  INF,
  NORMAL,
  Num,
  QNAN,
  SNAN,
  ZERO,
} from "./float80.ts";
import { compare } from "./basic.ts";
import { loadST } from "./instr-arith.ts";
import { readOperand } from "./operand.ts";
import type { Run, X87 } from "./x87.ts";
import { C0, C1, C2, C3, CC_MASK, DE, IE } from "./words.ts";

const A = new Num(), B = new Num();

/** Source of a comparison: ST(i), ST(1) (FCOMPP/FUCOMPP) or a memory kind. */
export const REG = -1, ST1 = -2;

const UNORDERED = C3 | C2 | C0;

function setCC(f: X87, cc: number): void {
  f.sw = (f.sw & ~CC_MASK) | cc;
}

/** C3/C2/C0 as ZF/PF/CF, with OF, SF and AF cleared (C1 is left alone). */
function setFlags(c: Parameters<Run>[1], cc: number): void {
  const v = (cc & C3 ? ZF : 0) | (cc & C2 ? PF : 0) | (cc & C0 ? CF : 0);
  setEflags(c, v, ZF | PF | CF | OF | SF | AF);
}

/**
 * A comparison of ST(0) with its source, popping `pops` times. `quiet`:
 * unordered compare (only signaling NaNs are invalid). `eflags`: the
 * result goes to ZF/PF/CF instead of the condition codes.
 */
export function comparison(
  src: number,
  quiet: boolean,
  pops: number,
  eflags: boolean,
): Run {
  return (f, c, m, ea, i) => {
    if (src >= 0) readOperand(m, ea, src, B);
    const si = src === ST1 ? 1 : i;
    if (f.isEmpty(0) || (src < 0 && f.isEmpty(si))) {
      const masked = f.underflow();
      if (eflags) setFlags(c, UNORDERED);
      else setCC(f, UNORDERED);
      if (masked) { for (let k = 0; k < pops; k++) f.pop(); }
      return;
    }
    loadST(f, 0, A);
    if (src < 0) loadST(f, si, B);
    // The result is recorded even when an unmasked exception is raised.
    const res = compare(A, B, quiet);
    const exc = res & (IE | DE);
    if (eflags) setFlags(c, res & UNORDERED);
    else setCC(f, res & UNORDERED);
    f.raise(exc);
    if (!f.masked(exc)) return;
    for (let k = 0; k < pops; k++) f.pop();
  };
}

/** FTST: compares ST(0) with +0.0. */
export const ftst: Run = (f) => {
  if (f.isEmpty(0)) {
    f.underflow();
    setCC(f, UNORDERED);
    return;
  }
  loadST(f, 0, A);
  B.cls = ZERO;
  B.s = 0;
  const res = compare(A, B, false);
  setCC(f, res & UNORDERED);
  f.raise(res & (IE | DE));
};

/** FXAM: the class of ST(0) in C3/C2/C0 and its sign in C1. */
export const fxam: Run = (f) => {
  const p = f.phys(0);
  const se = f.se[p];
  let cc: number;
  if (f.isEmpty(0)) cc = C3 | C0;
  else {
    switch (classify80(se, f.hi[p], f.lo[p])) {
      case NORMAL:
        cc = C2;
        break;
      case INF:
        cc = C2 | C0;
        break;
      case ZERO:
        cc = C3;
        break;
      case DENORMAL:
        cc = C3 | C2;
        break;
      case QNAN:
      case SNAN:
        cc = C0;
        break;
      default:
        cc = 0;
    }
  }
  setCC(f, cc | (se & 0x8000 ? C1 : 0));
};
