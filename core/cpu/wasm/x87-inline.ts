/**
 * x87 instructions run by the region itself, without calling the host's
 * x87 unit, in their common case: the data movement (FLD and FST/FSTP
 * m64fp, FILD, the register forms), FCHS and FABS, the control word
 * (FLDCW, FNSTCW), FNSTSW AX and the compares (x87-inline-compare.ts).
 * These are most of the x87 instructions of busybox awk's float loop and
 * of Lua's benchmark (docs/engine.md, "The x87 unit"). The x87 state lives
 * in the memory's scratch frame (x87-frame.ts), so a region reads and
 * writes it there; every case a fast path does not take — a pending
 * unmasked exception, a full or empty stack, a denormal, infinite or NaN
 * operand, another rounding mode, a result out of the double's normal
 * range — calls the unit as before. Each fast path leaves exactly the
 * state the unit leaves (core/cpu/x87: convert.ts doubleNearest,
 * instr-transfer.ts load, instr-arith.ts signOp, instr-env.ts).
 */
import { WASM_POOL } from "../../memory/memory.ts";
import type { Instr } from "../isa/instr.ts";
import { X87_HI, X87_LO, X87_SE, X87_WORD } from "../x87/x87.ts";
import { describeX87 } from "../x87/table.ts";
import { B as BUSY, C1, ES, EXC_MASK, PE } from "../x87/words.ts";
import { MemOp, Op } from "./encoder.ts";
import { Local, type WasmGen } from "./gen.ts";
import {
  clearC1,
  copyRegister,
  emitPush,
  empty,
  finish,
  noneSignalled,
  physical,
  setRegister,
  setWord,
  stackTopAndOperand,
  tag,
  taken,
  word,
  writeRegister,
  X87_SCRATCH,
} from "./x87-frame.ts";
import { emitCompare } from "./x87-inline-compare.ts";
import { emitArithmetic, isInlineArithmetic } from "./x87-inline-arith.ts";
import { emitStoreInteger } from "./x87-inline-fist.ts";

/** The exponent bias of the extended format minus the double's. */
const REBIAS = 16383 - 1023;
/** The extended format's exponent bias. */
const BIAS = 16383;

/**
 * The forms run inline when they can: FLD m64fp (DD /0), FST and FSTP
 * m64fp (DD /2, /3), FLD ST(i) (D9 C0+i), FXCH ST(i) (D9 C8+i), FST and
 * FSTP ST(i) (DD D0+i, D8+i), FLD1 and FLDZ (D9 E8, EE), FILD, FIST and
 * FISTP of each integer size (x87-inline-fist.ts), FCHS, FABS, FLDCW, FNSTCW, and the compares FCOM, FCOMP,
 * FUCOM, FUCOMP ST(i), FCOMPP, FUCOMPP, FTST, FCOMI, FUCOMI and their
 * popping forms (aliases included: the
 * unit runs them by their mnemonic too), and FADD, FSUB, FSUBR, FMUL
 * (x87-inline-arith.ts). FNSTSW AX always is
 * ({@link isFnstswAx}).
 */
export type InlineX87 =
  | "fld" | "fst" | "fstp" | "fld sti" | "fxch" | "fst sti" | "fstp sti" | "fld1" | "fldz"
  | "fild m16int" | "fild m32int" | "fild m64int" | "fist m16int" | "fist m32int" | "fistp m16int" | "fistp m32int"
  | "fistp m64int" | "fchs" | "fabs" | "fldcw" | "fnstcw" | "compare" | "arithmetic";

/** The compares run inline, by mnemonic: how many times each pops. */
const COMPARES: Readonly<Record<string, number>> = {
  fcom: 0, fcomp: 1, fcompp: 2, fucom: 0, fucomp: 1, fucompp: 2, ftst: 0, fcomi: 0, fcomip: 1, fucomi: 0, fucomip: 1,
};

/** Which inline form an x87 instruction is, if any. */
export function inlineX87(i: Instr): InlineX87 | undefined {
  if (i.twoByte) return undefined;
  if (isInlineArithmetic(i.opcode, i.modrm)) return "arithmetic";
  if (i.mod !== 3) {
    if (i.opcode === 0xdd && i.opsize === 32) return (["fld", undefined, "fst", "fstp"] as const)[i.reg];
    const d = describeX87(i.opcode, i.modrm);
    if (d?.mnemonic === "fild" || d?.mnemonic === "fist" || d?.mnemonic === "fistp") {
      return `${d.mnemonic} ${d.operands[0]}` as InlineX87;
    }
    return d?.mnemonic === "fldcw" || d?.mnemonic === "fnstcw" ? d.mnemonic : undefined;
  }
  if (i.opcode === 0xd9) {
    if (i.reg === 0) return "fld sti";
    if (i.reg === 1) return "fxch";
    if (i.modrm === 0xe8) return "fld1";
    if (i.modrm === 0xee) return "fldz";
    if (i.modrm === 0xe0) return "fchs";
    if (i.modrm === 0xe1) return "fabs";
  }
  if (i.opcode === 0xdd && (i.reg === 2 || i.reg === 3)) return i.reg === 2 ? "fst sti" : "fstp sti";
  const d = describeX87(i.opcode, i.modrm);
  return d !== undefined && d.mnemonic in COMPARES ? "compare" : undefined;
}

/** FNSTSW AX (DF E0): neither waiting nor recorded as the last instruction, it needs nothing of the unit. */
export function isFnstswAx(i: Instr): boolean {
  return !i.twoByte && i.opcode === 0xdf && i.modrm === 0xe0;
}

/** FNSTSW AX: the status word with TOP into AX. */
export function emitFnstswAx(g: WasmGen): void {
  g.code.localGet(Local.REG).i32Const(~0xffff).op(Op.i32_and);
  word(g, X87_WORD.SW);
  g.code.i32Const(~0x3800).op(Op.i32_and);
  word(g, X87_WORD.TOP);
  g.code.i32Const(11).op(Op.i32_shl).op(Op.i32_or).op(Op.i32_or).localSet(Local.REG);
}

/**
 * Emits the inline form, leaving on the stack 1 if it ran and 0 if the
 * host must (nothing changed then). The memory operand's page is checked
 * (Local.FRAME holds its entry, WasmGen.requireFast) and at Local.EA.
 */
export function emitInlineX87(g: WasmGen, form: InlineX87): void {
  switch (form) {
    case "fld":
      return emitLoad(g);
    case "fst":
    case "fstp":
      return emitStore(g, form === "fstp");
    case "fld sti":
      return emitPush(g, (d) => copyRegister(g, () => physical(g, g.i.rm), d), { source: g.i.rm });
    case "fld1":
      return emitPush(g, (d) => setRegister(g, d, 0x3fff, 0x80000000 | 0, 0));
    case "fldz":
      return emitPush(g, (d) => setRegister(g, d, 0, 0, 0));
    case "fxch":
      return emitExchange(g);
    case "fst sti":
    case "fstp sti":
      return emitCopy(g, form === "fstp sti");
    case "fild m16int":
    case "fild m32int":
      return emitPush(g, (d) => loadInt32(g, d, form === "fild m16int" ? MemOp.i32_load16_s : MemOp.i32_load));
    case "fild m64int":
      return emitPush(g, (d) => loadInt64(g, d));
    case "fist m16int":
    case "fist m32int":
    case "fistp m16int":
    case "fistp m32int":
    case "fistp m64int":
      return emitStoreInteger(g, form.endsWith("16int") ? 16 : form.endsWith("32int") ? 32 : 64, form.startsWith("fistp"));
    case "fchs":
    case "fabs":
      return emitSign(g, form === "fabs");
    case "fldcw":
      return emitLoadControl(g);
    case "fnstcw":
      g.poolAddress();
      word(g, X87_WORD.CW);
      g.code.mem(MemOp.i32_store16, WASM_POOL, 0).i32Const(1);
      return;
    case "arithmetic":
      return emitArithmetic(g);
    case "compare": {
      const d = describeX87(g.i.opcode, g.i.modrm)!;
      const source = d.mnemonic === "ftst" ? undefined : d.operands.length === 0 ? 1 : g.i.rm;
      return emitCompare(g, source, COMPARES[d.mnemonic], d.mnemonic.includes("comi"));
    }
  }
}

/**
 * FILD m16int and m32int into physical register `d`: exact. Locals: A the
 * integer's magnitude, V its sign (0 or -1), VAL the shift that normalises it.
 */
function loadInt32(g: WasmGen, d: number, load: number): void {
  const code = g.code, { A, V, VAL } = Local;
  g.poolAddress();
  code.mem(load, WASM_POOL, 0).localTee(A).i32Const(31).op(Op.i32_shr_s).localTee(V);
  code.localGet(A).op(Op.i32_xor).localGet(V).op(Op.i32_sub).localTee(A).op(Op.i32_clz).localSet(VAL);
  writeRegister(
    g,
    d,
    () => integerExponent(g, 31, () => code.localGet(A).op(Op.i32_eqz)),
    () => code.localGet(A).localGet(VAL).op(Op.i32_shl),
    () => code.i32Const(0),
  );
}

/**
 * FILD m64int into physical register `d`: exact. Locals: A and B the
 * magnitude's low and high words, V the sign (0 or -1), VAL the shift that
 * normalises it.
 */
function loadInt64(g: WasmGen, d: number): void {
  const code = g.code, { A, B, V, VAL } = Local;
  g.poolAddress();
  code.localTee(VAL).mem(MemOp.i32_load, WASM_POOL, 0).localSet(A);
  code.localGet(VAL).mem(MemOp.i32_load, WASM_POOL + 4, 0).localTee(B).i32Const(31).op(Op.i32_shr_s).localSet(V);
  // The magnitude: the two's complement of a negative value, whose borrow reaches the high word unless its low word is 0.
  code.localGet(B).localGet(V).op(Op.i32_xor).localGet(V).op(Op.i32_sub)
    .localGet(V).i32Const(0).op(Op.i32_ne).localGet(A).i32Const(0).op(Op.i32_ne).op(Op.i32_and).op(Op.i32_sub)
    .localSet(B);
  code.localGet(A).localGet(V).op(Op.i32_xor).localGet(V).op(Op.i32_sub).localSet(A);
  code.localGet(A).op(Op.i32_clz).i32Const(32).op(Op.i32_add).localGet(B).op(Op.i32_clz)
    .localGet(B).op(Op.i32_eqz).op(Op.select).localSet(VAL);
  const shifted = (high: boolean) => {
    code.localGet(B).op(Op.i64_extend_i32_u).i64Const(32).op(Op.i64_shl).localGet(A).op(Op.i64_extend_i32_u)
      .op(Op.i64_or).localGet(VAL).op(Op.i64_extend_i32_u).op(Op.i64_shl);
    if (high) code.i64Const(32).op(Op.i64_shr_u);
    code.op(Op.i32_wrap_i64);
  };
  writeRegister(
    g,
    d,
    () => integerExponent(g, 63, () => code.localGet(A).localGet(B).op(Op.i32_or).op(Op.i32_eqz)),
    () => shifted(true),
    () => shifted(false),
  );
}

/**
 * Pushes the sign/exponent word of an integer whose top bit is `top`,
 * normalised by the shift in Local.VAL, with its sign in Local.V: +0's
 * when `isZero` pushes 1.
 */
function integerExponent(g: WasmGen, top: number, isZero: () => void): void {
  const code = g.code, { V, VAL } = Local;
  code.localGet(V).i32Const(0x8000).op(Op.i32_and).i32Const(BIAS + top).localGet(VAL).op(Op.i32_sub).op(Op.i32_or);
  code.i32Const(0);
  isZero();
  code.op(Op.i32_eqz).op(Op.select);
}

/** FCHS and FABS of a full ST(0), no exception pending: the sign changed, C1 clear. Locals: X ST(0)'s register. */
function emitSign(g: WasmGen, abs: boolean): void {
  const code = g.code, { X } = Local;
  physical(g, 0);
  code.localSet(X);
  noneSignalled(g);
  empty(g, X);
  code.op(Op.i32_eqz).op(Op.i32_and);
  taken(g, () => {
    code.localGet(X).i32Const(1).op(Op.i32_shl).localTee(Local.A)
      .localGet(Local.A).mem(MemOp.i32_load16_u, X87_SCRATCH + X87_SE, 1);
    if (abs) code.i32Const(0x7fff).op(Op.i32_and);
    else code.i32Const(0x8000).op(Op.i32_xor);
    code.mem(MemOp.i32_store16, X87_SCRATCH + X87_SE, 1);
    finish(g, () => clearC1(g), { raise: false });
  });
}

/**
 * FLDCW with no exception pending (it is a waiting instruction): the
 * control word as stored (bit 6 set, bits 7 and 13..15 clear), and the
 * exception summary (ES and B) renewed for the new masks. Not recorded as
 * the last instruction. Locals: A the new control word.
 */
function emitLoadControl(g: WasmGen): void {
  const code = g.code, { A } = Local;
  noneSignalled(g);
  taken(g, () => {
    g.poolAddress();
    code.mem(MemOp.i32_load16_u, WASM_POOL, 0).i32Const(0x1f3f).op(Op.i32_and).i32Const(0x40).op(Op.i32_or).localSet(A);
    setWord(g, X87_WORD.CW, () => code.localGet(A));
    setWord(g, X87_WORD.SW, () => {
      word(g, X87_WORD.SW);
      code.i32Const(~(ES | BUSY)).op(Op.i32_and).i32Const(ES | BUSY).i32Const(0);
      word(g, X87_WORD.SW);
      code.localGet(A).i32Const(-1).op(Op.i32_xor).op(Op.i32_and).i32Const(EXC_MASK).op(Op.i32_and)
        .op(Op.select).op(Op.i32_or);
    });
  });
}

/** FXCH ST(i) of two full registers, no exception pending: swapped, C1 clear. Locals: X, Y the registers; VAL, ADDR, B ST(0)'s words. */
function emitExchange(g: WasmGen): void {
  const code = g.code, { X, Y, VAL, ADDR, B } = Local;
  stackTopAndOperand(g);
  empty(g, X);
  empty(g, Y);
  code.op(Op.i32_or).op(Op.i32_eqz).op(Op.i32_and);
  taken(g, () => {
    code.localGet(X).i32Const(1).op(Op.i32_shl).mem(MemOp.i32_load16_u, X87_SCRATCH + X87_SE, 1).localSet(VAL);
    code.localGet(X).i32Const(2).op(Op.i32_shl).mem(MemOp.i32_load, X87_SCRATCH + X87_HI, 2).localSet(ADDR);
    code.localGet(X).i32Const(2).op(Op.i32_shl).mem(MemOp.i32_load, X87_SCRATCH + X87_LO, 2).localSet(B);
    copyRegister(g, () => code.localGet(Y), X);
    code.localGet(Y).i32Const(1).op(Op.i32_shl).localGet(VAL).mem(MemOp.i32_store16, X87_SCRATCH + X87_SE, 1);
    code.localGet(Y).i32Const(2).op(Op.i32_shl).localGet(ADDR).mem(MemOp.i32_store, X87_SCRATCH + X87_HI, 2);
    code.localGet(Y).i32Const(2).op(Op.i32_shl).localGet(B).mem(MemOp.i32_store, X87_SCRATCH + X87_LO, 2);
    finish(g, () => clearC1(g), { raise: false });
  });
}

/** FST/FSTP ST(i) from a full ST(0), no exception pending: copied, C1 clear, then popped. Locals: X ST(0)'s register, Y ST(i)'s. */
function emitCopy(g: WasmGen, pop: boolean): void {
  const code = g.code, { X, Y } = Local;
  stackTopAndOperand(g);
  empty(g, X);
  code.op(Op.i32_eqz).op(Op.i32_and);
  taken(g, () => {
    copyRegister(g, () => code.localGet(X), Y);
    tag(g, Y, true);
    if (pop) {
      tag(g, X, false);
      setWord(g, X87_WORD.TOP, () => code.localGet(X).i32Const(1).op(Op.i32_add).i32Const(7).op(Op.i32_and));
    }
    finish(g, () => clearC1(g), { raise: false });
  });
}

/**
 * FLD m64fp of a zero or a normal double onto a free register, no
 * exception pending: widened exactly. Locals: A the double's low word, B
 * its high word, V its exponent field (read before the push's own).
 */
function emitLoad(g: WasmGen): void {
  const code = g.code, { A, B, V, SP } = Local;
  g.poolAddress();
  code.localTee(SP).mem(MemOp.i32_load, WASM_POOL, 0).localSet(A);
  code.localGet(SP).mem(MemOp.i32_load, WASM_POOL + 4, 0).localTee(B)
    .i32Const(20).op(Op.i32_shr_u).i32Const(0x7ff).op(Op.i32_and).localSet(V);
  const normal = () => code.localGet(V).i32Const(1).op(Op.i32_sub).i32Const(2046).op(Op.i32_lt_u);
  emitPush(g, (d) =>
    writeRegister(
      g,
      d,
      () => {
        code.localGet(B).i32Const(31).op(Op.i32_shr_u).i32Const(15).op(Op.i32_shl)
          .localGet(V).i32Const(REBIAS).i32Const(0);
        normal();
        code.op(Op.select).op(Op.i32_add).op(Op.i32_or);
      },
      () => {
        code.localGet(B).i32Const(0xfffff).op(Op.i32_and).i32Const(11).op(Op.i32_shl)
          .localGet(A).i32Const(21).op(Op.i32_shr_u).op(Op.i32_or).i32Const(0x80000000 | 0).i32Const(0);
        normal();
        code.op(Op.select).op(Op.i32_or);
      },
      () => code.localGet(A).i32Const(11).op(Op.i32_shl),
    ), {
    // A normal double (exponent field 1..2046) or a zero (every bit but the sign clear).
    when: () => {
      normal();
      code.localGet(B).i32Const(1).op(Op.i32_shl).localGet(A).op(Op.i32_or).op(Op.i32_eqz).op(Op.i32_or);
    },
  });
}

/**
 * FST/FSTP m64fp of a zero, or of a normal value whose double is normal,
 * rounded to nearest, from a full ST(0) with no exception pending. Locals:
 * X the physical register of ST(0), V its sign/exponent, A and B its
 * significand, Y the double's exponent, SP and VAL the double's low and
 * high words, ADDR the flags the store raises (PE, and C1 when it rounded
 * up).
 */
function emitStore(g: WasmGen, pop: boolean): void {
  const code = g.code, { A, B, V, X, Y, VAL, SP, ADDR } = Local;
  word(g, X87_WORD.TOP);
  code.localTee(X).i32Const(1).op(Op.i32_shl).mem(MemOp.i32_load16_u, X87_SCRATCH + X87_SE, 1).localSet(V);
  code.localGet(X).i32Const(2).op(Op.i32_shl).localTee(SP).mem(MemOp.i32_load, X87_SCRATCH + X87_HI, 2).localSet(A);
  code.localGet(SP).mem(MemOp.i32_load, X87_SCRATCH + X87_LO, 2).localSet(B);
  code.localGet(V).i32Const(0x7fff).op(Op.i32_and).i32Const(REBIAS).op(Op.i32_sub).localSet(Y);
  // The low word: the significand's bits 42..11.
  code.localGet(A).i32Const(21).op(Op.i32_shl).localGet(B).i32Const(11).op(Op.i32_shr_u).op(Op.i32_or).localSet(SP);
  // The high word: the sign, then the exponent and the significand's bits 62..43 (none for a zero).
  code.localGet(V).i32Const(15).op(Op.i32_shr_u).i32Const(31).op(Op.i32_shl);
  code.i32Const(0)
    .localGet(Y).i32Const(20).op(Op.i32_shl).localGet(A).i32Const(11).op(Op.i32_shr_u).i32Const(0xfffff).op(Op.i32_and)
    .op(Op.i32_or);
  isZero(g);
  code.op(Op.select).op(Op.i32_or).localSet(VAL);
  // Round to nearest, ties to even, on the 11 bits below the double's 53: PE if any is set, C1 if rounded up.
  code.localGet(B).i32Const(0x7ff).op(Op.i32_and).localTee(ADDR).i32Const(0x400).op(Op.i32_gt_u)
    .localGet(ADDR).i32Const(0x400).op(Op.i32_eq).localGet(B).i32Const(11).op(Op.i32_shr_u).op(Op.i32_and).op(Op.i32_or)
    .localSet(Y);
  code.localGet(ADDR).i32Const(0).op(Op.i32_ne).i32Const(PE).op(Op.i32_mul).localGet(Y).i32Const(C1).op(Op.i32_mul)
    .op(Op.i32_or).localSet(ADDR);
  // A carry out of the low word moves into the high one (and on into the exponent: a power of two).
  code.localGet(SP).localGet(Y).op(Op.i32_add).localTee(SP).op(Op.i32_eqz).localGet(Y).op(Op.i32_and)
    .localGet(VAL).op(Op.i32_add).localSet(VAL);
  // Taken: no exception pending, round to nearest, ST(0) full, a zero or a normal value whose double is
  // normal (exponent field 1..2046 before rounding, not 2047 after).
  word(g, X87_WORD.SW);
  code.i32Const(ES).op(Op.i32_and).op(Op.i32_eqz);
  word(g, X87_WORD.CW);
  code.i32Const(0xc00).op(Op.i32_and).op(Op.i32_eqz).op(Op.i32_and);
  word(g, X87_WORD.EMPTY);
  code.localGet(X).op(Op.i32_shr_u).i32Const(1).op(Op.i32_and).op(Op.i32_eqz).op(Op.i32_and);
  isZero(g);
  code.localGet(V).i32Const(0x7fff).op(Op.i32_and).i32Const(REBIAS + 1).op(Op.i32_sub).i32Const(2046).op(Op.i32_lt_u)
    .localGet(A).i32Const(31).op(Op.i32_shr_u).op(Op.i32_and)
    .localGet(VAL).i32Const(20).op(Op.i32_shr_u).i32Const(0x7ff).op(Op.i32_and).i32Const(0x7ff).op(Op.i32_ne)
    .op(Op.i32_and).op(Op.i32_or).op(Op.i32_and);
  taken(g, () => {
    g.poolAddress();
    code.localTee(Y).localGet(SP).mem(MemOp.i32_store, WASM_POOL, 0);
    code.localGet(Y).localGet(VAL).mem(MemOp.i32_store, WASM_POOL + 4, 0);
    if (pop) {
      setWord(g, X87_WORD.EMPTY, () => {
        word(g, X87_WORD.EMPTY);
        code.i32Const(1).localGet(X).op(Op.i32_shl).op(Op.i32_or);
      });
      setWord(g, X87_WORD.TOP, () => code.localGet(X).i32Const(1).op(Op.i32_add).i32Const(7).op(Op.i32_and));
    }
    finish(g, () => {
      word(g, X87_WORD.SW);
      code.i32Const(~C1).op(Op.i32_and).localGet(ADDR).op(Op.i32_or);
    }, { raise: true });
  });
}

/** Pushes 1 if ST(0) (V, A, B as emitStore loads them) is a zero. */
function isZero(g: WasmGen): void {
  const { A, B, V } = Local;
  g.code.localGet(V).i32Const(0x7fff).op(Op.i32_and).localGet(A).op(Op.i32_or).localGet(B).op(Op.i32_or).op(Op.i32_eqz);
}

