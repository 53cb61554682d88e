/**
 * FADD, FSUB, FSUBR, FMUL, FDIV and FDIVR run by the region — with an
 * m64fp operand, ST(0) with ST(i) either way round, and the popping forms
 * — when the result needs nothing but rounding to nearest at the full
 * 64-bit precision: no exception pending, the control word's precision and
 * rounding fields at their defaults (those Linux starts programs with),
 * both operands normal numbers, and the result a normal number or an exact
 * zero. The significands are 64-bit integers (i64 locals). The exact sum,
 * difference or product is kept to 128 bits, with a sticky bit for what an
 * alignment shifts out; a quotient is made to 65 bits by restoring
 * division, with a sticky bit for its remainder. Either is rounded
 * ties-to-even: PE when inexact, C1 when rounded up, as the unit's
 * `binary` and `deliver` leave them (core/cpu/x87/basic.ts, x87.ts).
 * Zeros, denormals, infinities, NaNs, empty registers, another precision
 * or rounding mode, and results out of range call the unit.
 */
import { describeX87 } from "../x87/table.ts";
import { C1, PE } from "../x87/words.ts";
import { X87_WORD } from "../x87/x87.ts";
import { WASM_POOL } from "../../memory/memory.ts";
import { MemOp, Op } from "./encoder.ts";
import { Local, type WasmGen } from "./gen.ts";
import {
  empty,
  exponent,
  finish,
  noneSignalled,
  normal,
  physical,
  readWide,
  setWord,
  tag,
  taken,
  top,
  word,
  writeRegister,
} from "./x87-frame.ts";

/** The extended format's exponent bias. */
const BIAS = 16383;
/** The exponent bias of the extended format minus the double's. */
const REBIAS = BIAS - 1023;

/** The mnemonics run inline (the popping forms end in "p"). */
const OPERATIONS = new Set([
  "fadd", "faddp", "fsub", "fsubp", "fsubr", "fsubrp", "fmul", "fmulp", "fdiv", "fdivp", "fdivr", "fdivrp",
]);

/** Whether an x87 instruction is one of the arithmetic forms run inline (m64fp or registers). */
export function isInlineArithmetic(esc: number, modrm: number): boolean {
  const d = describeX87(esc, modrm);
  return d !== undefined && OPERATIONS.has(d.mnemonic) && (modrm >= 0xc0 || d.operands[0] === "m64fp");
}

/**
 * Emits the instruction's fast path (see the file's comment), leaving 1 if
 * it ran and 0 if the unit must. Locals: X the destination's register, Y
 * the source's; V and VAL the operands' sign/exponent words, W0 and W1
 * their significands; FRAME whether the operands allow the fast path; B
 * the result's sign, SP its exponent, W2 (and W3 below it) its
 * significand, ADDR the flags rounding raised; A and W3 temporaries.
 */
export function emitArithmetic(g: WasmGen): void {
  const code = g.code, i = g.i, { X, Y, V, VAL, FRAME, W1 } = Local;
  const d = describeX87(i.opcode, i.modrm)!;
  const op = d.mnemonic.replace(/p$/, "").slice(1);
  const pop = d.mnemonic.endsWith("p");
  const memory = d.operands[0] === "m64fp";
  const dest = memory ? 0 : Number(d.operands[0].slice(2));
  // The source: the double at EA, or a register.
  if (memory) {
    readDouble(g);
    code.localGet(VAL).i32Const(0x7fff).op(Op.i32_and).i32Const(REBIAS + 1).op(Op.i32_sub).i32Const(2046)
      .op(Op.i32_lt_u).localSet(FRAME);
  } else {
    physical(g, Number(d.operands[1].slice(2)));
    code.localSet(Y);
    readWide(g, Y, VAL, W1);
    normal(g, VAL, W1);
    empty(g, Y);
    code.op(Op.i32_eqz).op(Op.i32_and).localSet(FRAME);
  }
  physical(g, dest);
  code.localSet(X);
  readWide(g, X, V, Local.W0);
  // No exception pending, 64-bit precision and rounding to nearest, the destination full, both operands normal.
  code.localGet(FRAME);
  noneSignalled(g);
  code.op(Op.i32_and);
  word(g, X87_WORD.CW);
  code.i32Const(0xf00).op(Op.i32_and).i32Const(0x300).op(Op.i32_eq).op(Op.i32_and);
  empty(g, X);
  code.op(Op.i32_eqz).op(Op.i32_and);
  normal(g, V, Local.W0);
  code.op(Op.i32_and).localSet(FRAME);
  if (op === "mul") multiply(g);
  else if (op === "div" || op === "divr") divide(g, op === "divr");
  else {
    // a - b is a + (-b), b - a is (-a) + b.
    const negated = op === "sub" ? VAL : op === "subr" ? V : undefined;
    if (negated !== undefined) code.localGet(negated).i32Const(0x8000).op(Op.i32_xor).localSet(negated);
    add(g);
  }
  round(g);
  deliver(g, pop);
}


/** The double at EA widened: VAL its sign and rebiased exponent, W1 its significand with the integer bit. */
function readDouble(g: WasmGen): void {
  const code = g.code, { A, B, VAL, W1 } = Local;
  g.poolAddress();
  code.localTee(VAL).mem(MemOp.i32_load, WASM_POOL, 0).localSet(A);
  code.localGet(VAL).mem(MemOp.i32_load, WASM_POOL + 4, 0).localSet(B);
  code.localGet(B).i32Const(31).op(Op.i32_shr_u).i32Const(15).op(Op.i32_shl)
    .localGet(B).i32Const(20).op(Op.i32_shr_u).i32Const(0x7ff).op(Op.i32_and).i32Const(REBIAS).op(Op.i32_add)
    .op(Op.i32_or).localSet(VAL);
  top(g);
  code.localGet(B).i32Const(0xfffff).op(Op.i32_and).op(Op.i64_extend_i32_u).i64Const(43).op(Op.i64_shl).op(Op.i64_or)
    .localGet(A).op(Op.i64_extend_i32_u).i64Const(11).op(Op.i64_shl).op(Op.i64_or).localSet(W1);
}




/**
 * The exact sum of (V, W0) and (VAL, W1) to 128 bits (W2, W3), normalised:
 * B its sign, SP its exponent (0, with W2 and W3 0, for an exact zero).
 */
function add(g: WasmGen): void {
  const code = g.code, { A, B, V, VAL, SP, W0, W1, W2, W3 } = Local;
  // The larger magnitude first: (V, W0).
  exponent(g, V);
  exponent(g, VAL);
  code.op(Op.i32_lt_u);
  exponent(g, V);
  exponent(g, VAL);
  code.op(Op.i32_eq).localGet(W0).localGet(W1).op(Op.i64_lt_u).op(Op.i32_and).op(Op.i32_or);
  g.if();
  code.localGet(V).localGet(VAL).localSet(V).localSet(VAL);
  code.localGet(W0).localGet(W1).localSet(W0).localSet(W1);
  g.end();
  // The smaller aligned: W2 its bits at the larger's, W3 those shifted out (a sticky 1 for what goes further).
  exponent(g, V);
  exponent(g, VAL);
  code.op(Op.i32_sub).localSet(A);
  code.localGet(W1).localGet(A).op(Op.i64_extend_i32_u).op(Op.i64_shr_u).i64Const(0)
    .localGet(A).i32Const(64).op(Op.i32_lt_u).op(Op.select).localSet(W2);
  // Up to 63: 0 for no shift, else the low bits moved to the top.
  code.localGet(W1).i64Const(64).localGet(A).op(Op.i64_extend_i32_u).op(Op.i64_sub).op(Op.i64_shl).i64Const(0)
    .localGet(A).op(Op.select);
  // 64: all of it; 65: all but its last bit, which stays as the sticky bit; more: the sticky bit alone.
  code.localGet(W1).localGet(W1).i64Const(1).op(Op.i64_shr_u).localGet(W1).i64Const(1).op(Op.i64_and).op(Op.i64_or)
    .i64Const(1).localGet(A).i32Const(65).op(Op.i32_eq).op(Op.select)
    .localGet(A).i32Const(64).op(Op.i32_eq).op(Op.select);
  code.localGet(A).i32Const(64).op(Op.i32_lt_u).op(Op.select);
  code.localSet(W3);
  exponent(g, V);
  code.localSet(SP);
  code.localGet(V).i32Const(15).op(Op.i32_shr_u).localSet(B);
  code.localGet(V).localGet(VAL).op(Op.i32_xor).i32Const(0x8000).op(Op.i32_and);
  g.if();
  subtractAligned(g);
  g.else();
  // A carry out of the high word: one bit right. It needs an alignment below 64, which leaves W3's last bit 0.
  code.localGet(W0).localGet(W2).op(Op.i64_add).localTee(W2).localGet(W0).op(Op.i64_lt_u);
  g.if();
  code.localGet(W3).i64Const(1).op(Op.i64_shr_u).localGet(W2).i64Const(63).op(Op.i64_shl).op(Op.i64_or).localSet(W3);
  code.localGet(W2).i64Const(1).op(Op.i64_shr_u);
  top(g);
  code.op(Op.i64_or).localSet(W2);
  code.localGet(SP).i32Const(1).op(Op.i32_add).localSet(SP);
  g.end();
  g.end();
}

/** (W2, W3) = (W0, 0) - (W2, W3), normalised (SP, B and W2 zero for an exact zero). Locals: A the shift. */
function subtractAligned(g: WasmGen): void {
  const code = g.code, { A, B, SP, W0, W2, W3 } = Local;
  code.localGet(W0).localGet(W2).op(Op.i64_sub).localGet(W3).i64Const(0).op(Op.i64_ne).op(Op.i64_extend_i32_u)
    .op(Op.i64_sub).localSet(W2);
  code.i64Const(0).localGet(W3).op(Op.i64_sub).localSet(W3);
  // The shift that brings the top bit to bit 63 of W2: 128 for a zero.
  code.localGet(W2).op(Op.i64_clz).op(Op.i32_wrap_i64)
    .localGet(W3).op(Op.i64_clz).op(Op.i32_wrap_i64).i32Const(64).op(Op.i32_add)
    .localGet(W2).i64Const(0).op(Op.i64_ne).op(Op.select).localTee(A).i32Const(128).op(Op.i32_eq);
  g.if();
  // An exact zero is +0 when rounding to nearest.
  code.i32Const(0).localSet(SP);
  code.i32Const(0).localSet(B);
  g.else();
  code.localGet(SP).localGet(A).op(Op.i32_sub).localSet(SP);
  code.localGet(A).i32Const(64).op(Op.i32_ge_u);
  g.if();
  code.localGet(W3).localGet(A).i32Const(64).op(Op.i32_sub).op(Op.i64_extend_i32_u).op(Op.i64_shl).localSet(W2);
  code.i64Const(0).localSet(W3);
  g.else();
  code.localGet(A);
  g.if();
  code.localGet(W2).localGet(A).op(Op.i64_extend_i32_u).op(Op.i64_shl)
    .localGet(W3).i64Const(64).localGet(A).op(Op.i64_extend_i32_u).op(Op.i64_sub).op(Op.i64_shr_u).op(Op.i64_or)
    .localSet(W2);
  code.localGet(W3).localGet(A).op(Op.i64_extend_i32_u).op(Op.i64_shl).localSet(W3);
  g.end();
  g.end();
  g.end();
}

/**
 * The exact product of (V, W0) and (VAL, W1) to 128 bits (W2, W3),
 * normalised: B its sign, SP its exponent.
 */
function multiply(g: WasmGen): void {
  const code = g.code, { B, V, VAL, SP, W0, W1, W2, W3 } = Local;
  const low = (w: number) => code.localGet(w).i32Const(-1).op(Op.i64_extend_i32_u).op(Op.i64_and);
  const high = (w: number) => code.localGet(w).i64Const(32).op(Op.i64_shr_u);
  const lowHalf = () => code.i32Const(-1).op(Op.i64_extend_i32_u).op(Op.i64_and);
  const highHalf = () => code.i64Const(32).op(Op.i64_shr_u);
  code.localGet(V).localGet(VAL).op(Op.i32_xor).i32Const(15).op(Op.i32_shr_u).i32Const(1).op(Op.i32_and).localSet(B);
  exponent(g, V);
  exponent(g, VAL);
  code.op(Op.i32_add).i32Const(BIAS - 1).op(Op.i32_sub).localSet(SP);
  // The two products of the middle column, each cut to the half `half` keeps, summed.
  const middle = (half: () => void) => {
    low(W0);
    high(W1);
    code.op(Op.i64_mul);
    half();
    high(W0);
    low(W1);
    code.op(Op.i64_mul);
    half();
    code.op(Op.i64_add);
  };
  // Four 32x32-bit products: W2 the lowest, W3 the middle column's sum with its carry.
  low(W0);
  low(W1);
  code.op(Op.i64_mul).localTee(W2);
  highHalf();
  middle(lowHalf);
  code.op(Op.i64_add).localSet(W3);
  // The high word, into W0 (the significands are not needed after it).
  high(W0);
  high(W1);
  code.op(Op.i64_mul);
  middle(highHalf);
  code.op(Op.i64_add).localGet(W3);
  highHalf();
  code.op(Op.i64_add).localSet(W0);
  code.localGet(W3).i64Const(32).op(Op.i64_shl).localGet(W2).i32Const(-1).op(Op.i64_extend_i32_u).op(Op.i64_and).op(Op.i64_or).localSet(W3);
  code.localGet(W0).localSet(W2);
  // The product of two significands of [1, 2) is in [1, 4): one bit left when below 2.
  code.localGet(W2).i64Const(0).op(Op.i64_ge_s);
  g.if();
  code.localGet(W2).i64Const(1).op(Op.i64_shl).localGet(W3).i64Const(63).op(Op.i64_shr_u).op(Op.i64_or).localSet(W2);
  code.localGet(W3).i64Const(1).op(Op.i64_shl).localSet(W3);
  code.localGet(SP).i32Const(1).op(Op.i32_sub).localSet(SP);
  g.end();
}

/**
 * The quotient of (V, W0) by (VAL, W1), or of (VAL, W1) by (V, W0) when
 * `reversed`, to 64 bits by restoring division, one bit a step: W2 the
 * quotient with its top bit set, W3 the round bit at its top and a sticky
 * 1 for a non-zero remainder, B its sign, SP its exponent. Locals: A the
 * steps left, W0 the partial remainder.
 */
function divide(g: WasmGen, reversed: boolean): void {
  const code = g.code, { A, B, V, VAL, SP, W0, W1, W2, W3 } = Local;
  if (reversed) {
    code.localGet(V).localGet(VAL).localSet(V).localSet(VAL);
    code.localGet(W0).localGet(W1).localSet(W0).localSet(W1);
  }
  code.localGet(V).localGet(VAL).op(Op.i32_xor).i32Const(15).op(Op.i32_shr_u).i32Const(1).op(Op.i32_and).localSet(B);
  exponent(g, V);
  exponent(g, VAL);
  code.op(Op.i32_sub).i32Const(BIAS).op(Op.i32_add).localSet(SP);
  // A dividend's significand at least the divisor's gives the quotient's integer bit; else the quotient is
  // below 1, one more step gives it, and the exponent is one lower.
  code.localGet(W0).localGet(W1).op(Op.i64_ge_u).localTee(A).op(Op.i64_extend_i32_u).localSet(W2);
  code.localGet(W0).localGet(W1).i64Const(0).localGet(A).op(Op.select).op(Op.i64_sub).localSet(W0);
  code.localGet(SP).localGet(A).op(Op.i32_add).i32Const(1).op(Op.i32_sub).localSet(SP);
  code.i32Const(64).localGet(A).op(Op.i32_sub).localSet(A);
  g.loop();
  quotientBit(g);
  code.localGet(W2).i64Const(1).op(Op.i64_shl).op(Op.i64_or).localSet(W2);
  code.localGet(A).i32Const(1).op(Op.i32_sub).localTee(A);
  g.code.brIf(0);
  g.end();
  // The round bit, then whether anything remains.
  quotientBit(g);
  code.i64Const(63).op(Op.i64_shl).localGet(W0).i64Const(0).op(Op.i64_ne).op(Op.i64_extend_i32_u).op(Op.i64_or)
    .localSet(W3);
}

/**
 * One step of the division: doubles the partial remainder W0 and takes
 * the divisor W1 from it when it fits (always when the doubling carried
 * out), pushing that quotient bit as an i64.
 */
function quotientBit(g: WasmGen): void {
  const code = g.code, { W0, W1, W3 } = Local;
  code.localGet(W0).i64Const(63).op(Op.i64_shr_u).localGet(W0).i64Const(1).op(Op.i64_shl).localTee(W0).localGet(W1)
    .op(Op.i64_ge_u).op(Op.i64_extend_i32_u).op(Op.i64_or).localSet(W3);
  code.localGet(W0).localGet(W1).i64Const(0).localGet(W3).op(Op.i32_wrap_i64).op(Op.select).op(Op.i64_sub).localSet(W0);
  code.localGet(W3);
}

/**
 * Rounds (W2, W3) to nearest, ties to even, into W2: ADDR gets PE if
 * anything was dropped and C1 if it rounded up; a carry out of the
 * significand makes it 1.0 with SP one higher.
 */
function round(g: WasmGen): void {
  const code = g.code, { A, ADDR, SP, W2, W3 } = Local;
  code.localGet(W3);
  top(g);
  code.op(Op.i64_gt_u).localGet(W3);
  top(g);
  code.op(Op.i64_eq).localGet(W2).op(Op.i32_wrap_i64).i32Const(1).op(Op.i32_and).op(Op.i32_and).op(Op.i32_or).localTee(A);
  code.i32Const(C1).op(Op.i32_mul).localGet(W3).i64Const(0).op(Op.i64_ne).i32Const(PE).op(Op.i32_mul).op(Op.i32_or)
    .localSet(ADDR);
  code.localGet(W2).localGet(A).op(Op.i64_extend_i32_u).op(Op.i64_add).localTee(W2).op(Op.i64_eqz).localGet(A)
    .op(Op.i32_and);
  g.if();
  top(g);
  code.localSet(W2);
  code.localGet(SP).i32Const(1).op(Op.i32_add).localSet(SP);
  g.end();
}

/**
 * Writes the result (B, SP, W2) into ST(dest) when FRAME holds and it is
 * a normal number or a zero, with C1 and PE from ADDR, then pops if
 * `pop`; else leaves 0 and changes nothing.
 */
function deliver(g: WasmGen, pop: boolean): void {
  const code = g.code, { ADDR, B, FRAME, SP, W2, X, Y } = Local;
  code.localGet(FRAME).localGet(SP).i32Const(1).op(Op.i32_sub).i32Const(0x7ffe).op(Op.i32_lt_u)
    .localGet(W2).op(Op.i64_eqz).op(Op.i32_or).op(Op.i32_and);
  taken(g, () => {
    writeRegister(
      g,
      X,
      () => code.localGet(B).i32Const(15).op(Op.i32_shl).localGet(SP).op(Op.i32_or),
      () => code.localGet(W2).i64Const(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64),
      () => code.localGet(W2).op(Op.i32_wrap_i64),
    );
    finish(g, () => {
      word(g, X87_WORD.SW);
      code.i32Const(~C1).op(Op.i32_and).localGet(ADDR).op(Op.i32_or);
    }, { raise: true });
    if (pop) {
      physical(g, 0);
      code.localSet(Y);
      tag(g, Y, false);
      setWord(g, X87_WORD.TOP, () => code.localGet(Y).i32Const(1).op(Op.i32_add).i32Const(7).op(Op.i32_and));
    }
  });
}
