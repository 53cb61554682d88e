/**
 * FIST and FISTP (m16int, m32int, m64int) run by the region when ST(0) is
 * a zero or a normal number whose integer fits the operand, rounded to
 * nearest or toward zero (the C conversion's mode), with no exception
 * pending: PE when inexact, C1 when the magnitude was rounded up, as the
 * unit's `storeInt` leaves them (core/cpu/x87/instr-transfer.ts). Every
 * other case — an empty register, an infinity, a NaN, a denormal, a value
 * out of range (the integer indefinite), rounding up or down — calls it.
 */
import { WASM_POOL } from "../../memory/memory.ts";
import { C1, PE } from "../x87/words.ts";
import { X87_WORD } from "../x87/x87.ts";
import { MemOp, Op } from "./encoder.ts";
import { Local, type WasmGen } from "./gen.ts";
import { empty, exponent, finish, noneSignalled, normal, physical, readWide, setWord, tag, taken, top, word } from "./x87-frame.ts";

/** The extended format's exponent bias. */
const BIAS = 16383;

/**
 * Emits the fast path of FIST/FISTP to an integer of `bits` bits, leaving 1
 * if it ran and 0 if the unit must. Locals: X ST(0)'s register, V its
 * sign/exponent, W0 its significand; A the shift that leaves the integer
 * part, W2 the integer's magnitude, W3 the bits shifted out; ADDR the flags
 * rounding raised; B the rounding control.
 */
export function emitStoreInteger(g: WasmGen, bits: 16 | 32 | 64, pop: boolean): void {
  const code = g.code, { A, ADDR, V, X, W0, W2, W3 } = Local;
  physical(g, 0);
  code.localSet(X);
  readWide(g, X, V, W0);
  // The shift: 63 - the unbiased exponent, 64 for a zero (whose significand is 0).
  code.i32Const(BIAS + 63);
  exponent(g, V);
  code.op(Op.i32_sub).i32Const(64);
  exponent(g, V);
  code.op(Op.select).localSet(A);
  code.localGet(W0).localGet(A).op(Op.i64_extend_i32_u).op(Op.i64_shr_u).i64Const(0)
    .localGet(A).i32Const(64).op(Op.i32_lt_u).op(Op.select).localSet(W2);
  code.localGet(W0).i64Const(64).localGet(A).op(Op.i64_extend_i32_u).op(Op.i64_sub).op(Op.i64_shl).localGet(W0)
    .localGet(A).i32Const(64).op(Op.i32_lt_u).op(Op.select).localSet(W3);
  // Rounding up the magnitude: to nearest, ties to even; never toward zero.
  code.localGet(W3);
  top(g);
  code.op(Op.i64_gt_u).localGet(W3);
  top(g);
  code.op(Op.i64_eq).localGet(W2).op(Op.i32_wrap_i64).i32Const(1).op(Op.i32_and).op(Op.i32_and).op(Op.i32_or);
  word(g, X87_WORD.CW);
  code.i32Const(0xc00).op(Op.i32_and).op(Op.i32_eqz).op(Op.i32_and).localTee(ADDR);
  code.op(Op.i64_extend_i32_u).localGet(W2).op(Op.i64_add).localSet(W2);
  code.localGet(ADDR).i32Const(C1).op(Op.i32_mul).localGet(W3).i64Const(0).op(Op.i64_ne).i32Const(PE).op(Op.i32_mul)
    .op(Op.i32_or).localSet(ADDR);
  // Taken: no exception pending, ST(0) full, rounding to nearest or toward zero, a zero or a normal number
  // whose integer fits: a shift of at least 64 - bits + 1 (below 2^(bits - 1) before rounding), and after
  // rounding below 2^(bits - 1), or equal to it when negative.
  noneSignalled(g);
  empty(g, X);
  code.op(Op.i32_eqz).op(Op.i32_and);
  word(g, X87_WORD.CW);
  code.i32Const(0xc00).op(Op.i32_and).localTee(Local.B).op(Op.i32_eqz).localGet(Local.B).i32Const(0xc00).op(Op.i32_eq)
    .op(Op.i32_or).op(Op.i32_and);
  normal(g, V, W0);
  exponent(g, V);
  code.op(Op.i32_eqz).localGet(W0).op(Op.i64_eqz).op(Op.i32_and).op(Op.i32_or).op(Op.i32_and);
  code.localGet(A).i32Const(65 - bits).op(Op.i32_ge_u).localGet(A).i32Const(64).op(Op.i32_le_u).op(Op.i32_and)
    .op(Op.i32_and);
  code.localGet(W2).i64Const(1).i64Const(bits - 1).op(Op.i64_shl).op(Op.i64_lt_u)
    .localGet(W2).i64Const(1).i64Const(bits - 1).op(Op.i64_shl).op(Op.i64_eq).localGet(V).i32Const(15).op(Op.i32_shr_u)
    .op(Op.i32_and).op(Op.i32_or).op(Op.i32_and);
  taken(g, () => {
    // The two's complement of a negative magnitude.
    code.i64Const(0).localGet(W2).op(Op.i64_sub).localGet(W2).localGet(V).i32Const(15).op(Op.i32_shr_u).op(Op.select)
      .localSet(W2);
    g.poolAddress();
    code.localTee(A).localGet(W2).op(Op.i32_wrap_i64);
    if (bits === 16) code.mem(MemOp.i32_store16, WASM_POOL, 0);
    else code.mem(MemOp.i32_store, WASM_POOL, 0);
    if (bits === 64) {
      code.localGet(A).localGet(W2).i64Const(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64).mem(MemOp.i32_store, WASM_POOL + 4, 0);
    }
    finish(g, () => {
      word(g, X87_WORD.SW);
      code.i32Const(~C1).op(Op.i32_and).localGet(ADDR).op(Op.i32_or);
    }, { raise: true });
    if (pop) {
      tag(g, X, false);
      setWord(g, X87_WORD.TOP, () => code.localGet(X).i32Const(1).op(Op.i32_add).i32Const(7).op(Op.i32_and));
    }
  });
}
