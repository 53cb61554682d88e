/**
 * FCOM, FCOMP, FUCOM, FUCOMP ST(i), FCOMPP, FUCOMPP, FTST, and FCOMI,
 * FUCOMI and their popping forms, run by the region when both operands
 * are zeros or normal numbers: then the ordered and unordered compares
 * agree, no exception is possible, and the result is C3/C2/C0 with C1
 * clear — or, for FCOMI and FUCOMI, ZF/PF/CF with OF, SF and AF clear
 * and the status word's condition codes kept — as the unit's `comparison`
 * and `ftst` leave them (core/cpu/x87/instr-compare.ts). A NaN, an
 * infinity, a denormal, an unnormal or an empty register calls the unit.
 */
import { C0, C1, C2, C3 } from "../x87/words.ts";
import { CF, ZF } from "../state.ts";
import { X87_HI, X87_LO, X87_SE, X87_WORD } from "../x87/x87.ts";
import { MemOp, Op } from "./encoder.ts";
import { Local, scratchSet, Slot, type WasmGen } from "./gen.ts";
import { empty, finish, noneSignalled, physical, setWord, tag, taken, word, X87_SCRATCH } from "./x87-frame.ts";

/**
 * A compare of ST(0) with ST(`source`), or with +0 when `source` is
 * undefined (FTST), popping `pops` times, its result in the condition
 * codes or (`eflags`) in EFLAGS. Locals: X and Y the registers' physical
 * numbers; V, A, B ST(0)'s sign/exponent and significand words; VAL, SP,
 * ADDR the source's.
 */
export function emitCompare(g: WasmGen, source: number | undefined, pops: number, eflags: boolean): void {
  const code = g.code, { X, Y, V, A, B, VAL, SP, ADDR } = Local;
  physical(g, 0);
  code.localSet(X);
  readRegister(g, X, V, A, B);
  if (source !== undefined) {
    physical(g, source);
    code.localSet(Y);
    readRegister(g, Y, VAL, SP, ADDR);
  } else {
    for (const l of [VAL, SP, ADDR]) code.i32Const(0).localSet(l);
  }
  noneSignalled(g);
  empty(g, X);
  code.op(Op.i32_eqz).op(Op.i32_and);
  if (source !== undefined) {
    empty(g, Y);
    code.op(Op.i32_eqz).op(Op.i32_and);
  }
  ordinary(g, V, A, B);
  code.op(Op.i32_and);
  ordinary(g, VAL, SP, ADDR);
  code.op(Op.i32_and);
  taken(g, () => {
    // The result, as the condition codes or the flags: equal, ST(0) the smaller (stack: if equal, if smaller, neither).
    const result = (equalBit: number, smallerBit: number) => {
      code.i32Const(equalBit).i32Const(smallerBit).i32Const(0);
      less(g);
      code.op(Op.select);
      equal(g);
      code.op(Op.select);
    };
    if (eflags) {
      // All six arithmetic flags are replaced: they are explicit (FSZ 0) from here.
      scratchSet(code, Slot.FL, () => result(ZF, CF));
      code.i32Const(0).localSet(Local.FSZ);
      finish(g, () => word(g, X87_WORD.SW), { raise: true });
    } else {
      finish(g, () => {
        word(g, X87_WORD.SW);
        code.i32Const(~(C0 | C1 | C2 | C3)).op(Op.i32_and);
        result(C3, C0);
        code.op(Op.i32_or);
      }, { raise: true });
    }
    for (let k = 0; k < pops; k++) {
      // Pops from ST(0)'s register on: X, then X + 1.
      if (k > 0) code.localGet(X).i32Const(1).op(Op.i32_add).i32Const(7).op(Op.i32_and).localSet(X);
      tag(g, X, false);
    }
    if (pops > 0) {
      setWord(g, X87_WORD.TOP, () => code.localGet(X).i32Const(1).op(Op.i32_add).i32Const(7).op(Op.i32_and));
    }
  });
}

/** Reads physical register `p`'s sign/exponent and significand words into locals `se`, `hi`, `lo`. */
function readRegister(g: WasmGen, p: number, se: number, hi: number, lo: number): void {
  const code = g.code;
  code.localGet(p).i32Const(1).op(Op.i32_shl).mem(MemOp.i32_load16_u, X87_SCRATCH + X87_SE, 1).localSet(se);
  code.localGet(p).i32Const(2).op(Op.i32_shl).mem(MemOp.i32_load, X87_SCRATCH + X87_HI, 2).localSet(hi);
  code.localGet(p).i32Const(2).op(Op.i32_shl).mem(MemOp.i32_load, X87_SCRATCH + X87_LO, 2).localSet(lo);
}

/** Pushes 1 if the value in the locals is a zero or a normal number (exponent 1..7FFE, integer bit set). */
function ordinary(g: WasmGen, se: number, hi: number, lo: number): void {
  const code = g.code;
  code.localGet(se).i32Const(0x7fff).op(Op.i32_and).i32Const(1).op(Op.i32_sub).i32Const(0x7ffe).op(Op.i32_lt_u)
    .localGet(hi).i32Const(31).op(Op.i32_shr_u).op(Op.i32_and);
  code.localGet(se).i32Const(0x7fff).op(Op.i32_and).localGet(hi).op(Op.i32_or).localGet(lo).op(Op.i32_or).op(Op.i32_eqz)
    .op(Op.i32_or);
}

/** Pushes 1 if both operands are zeros (of either sign). Ordinary values: a zero's exponent field is 0. */
function bothZero(g: WasmGen): void {
  const { V, VAL } = Local;
  g.code.localGet(V).localGet(VAL).op(Op.i32_or).i32Const(0x7fff).op(Op.i32_and).op(Op.i32_eqz);
}

/** Pushes 1 if the operands are equal: the same bits, or two zeros. */
function equal(g: WasmGen): void {
  const code = g.code, { V, A, B, VAL, SP, ADDR } = Local;
  code.localGet(V).localGet(VAL).op(Op.i32_eq).localGet(A).localGet(SP).op(Op.i32_eq).op(Op.i32_and)
    .localGet(B).localGet(ADDR).op(Op.i32_eq).op(Op.i32_and);
  bothZero(g);
  code.op(Op.i32_or);
}

/**
 * Pushes 1 if ST(0) is less than the source (ordinary values, not two
 * zeros): of different signs, when ST(0) is the negative one; of the same
 * sign, when its magnitude is smaller (positive) or larger (negative).
 */
function less(g: WasmGen): void {
  const code = g.code, { V, A, B, VAL, SP, ADDR } = Local;
  code.localGet(V).i32Const(15).op(Op.i32_shr_u);
  // Same sign: the magnitude order, reversed for negatives.
  magnitudeBelow(g, [VAL, SP, ADDR], [V, A, B]);
  magnitudeBelow(g, [V, A, B], [VAL, SP, ADDR]);
  code.localGet(V).i32Const(15).op(Op.i32_shr_u).op(Op.select);
  // Different signs: ST(0)'s sign.
  code.localGet(V).localGet(VAL).op(Op.i32_xor).i32Const(15).op(Op.i32_shr_u).op(Op.select);
  bothZero(g);
  code.op(Op.i32_eqz).op(Op.i32_and);
}

/** Pushes 1 if the magnitude in locals `x` (sign/exponent, high, low) is below that in `y`: (exponent, high, low) unsigned. */
function magnitudeBelow(g: WasmGen, [xse, xhi, xlo]: number[], [yse, yhi, ylo]: number[]): void {
  g.code.localGet(xse).i32Const(0x7fff).op(Op.i32_and).localGet(yse).i32Const(0x7fff).op(Op.i32_and).op(Op.i32_lt_u)
    .localGet(xse).localGet(yse).op(Op.i32_xor).i32Const(0x7fff).op(Op.i32_and).op(Op.i32_eqz)
    .localGet(xhi).localGet(yhi).op(Op.i32_lt_u)
    .localGet(xhi).localGet(yhi).op(Op.i32_eq).localGet(xlo).localGet(ylo).op(Op.i32_lt_u).op(Op.i32_and)
    .op(Op.i32_or).op(Op.i32_and).op(Op.i32_or);
}
