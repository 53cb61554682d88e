/**
 * FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR in all their forms (memory, integer
 * memory, register, popping), FSQRT, FCHS and FABS.
 *
 * @example
 * // the run function for "fsubrp st(i), st0" (DE E0+i)
 * const run = arithmetic(SUBR, REG_DEST, true);
 */
import type { Run, X87 } from "./x87.ts";
import { Num, Reg80, unpack80 } from "./float80.ts";
import { binary, sqrt } from "./basic.ts";
import { readOperand } from "./operand.ts";

const A = new Num(), B = new Num(), R = new Reg80();

/** Destination/source forms of the binary arithmetic instructions. */
export const REG_SRC = -1, // st0 = st0 op st(i)
  REG_DEST = -2; // st(i) = st(i) op st0
// A non-negative form is a memory operand kind (operand.ts): st0 = st0 op m.

/** Unpacks ST(i) into n. */
export function loadST(f: X87, i: number, n: Num): void {
  const p = f.phys(i);
  unpack80(n, f.se[p], f.hi[p], f.lo[p]);
}

/** The run function of one binary arithmetic instruction. */
export function arithmetic(op: number, form: number, pop: boolean): Run {
  return (f, _c, m, ea, i) => {
    let d = 0, s = i;
    if (form >= 0) readOperand(m, ea, form, B);
    else if (form === REG_DEST) {
      d = i;
      s = 0;
    }
    if (f.isEmpty(d) || (form < 0 && f.isEmpty(s))) {
      if (f.underflow()) {
        f.setIndefinite(d);
        if (pop) f.pop();
      }
      return;
    }
    loadST(f, d, A);
    if (form < 0) loadST(f, s, B);
    if (f.deliver(d, R, binary(R, op, A, B, f.cw)) && pop) f.pop();
  };
}

/** FSQRT: ST(0) = sqrt(ST(0)), rounded to the precision control. */
export function fsqrt(f: X87): void {
  if (f.isEmpty(0)) {
    if (f.underflow()) f.setIndefinite(0);
    return;
  }
  loadST(f, 0, A);
  f.deliver(0, R, sqrt(R, A, f.cw));
}

/** FCHS and FABS: sign changes only, no exceptions even for NaNs. */
export function signOp(abs: boolean): Run {
  return (f) => {
    if (f.isEmpty(0)) {
      if (f.underflow()) f.setIndefinite(0);
      return;
    }
    const p = f.phys(0);
    f.se[p] = abs ? f.se[p] & 0x7fff : f.se[p] ^ 0x8000;
    f.setC1(0);
  };
}
