/**
 * FLD m64fp and FST/FSTP m64fp run by the region itself, without calling
 * the host's x87 unit, in their common case: two thirds of the x87
 * instructions of busybox awk's float loop and over half of Lua's are
 * these (docs/engine.md, "The x87 unit"). The x87 state of the CPU whose
 * engine runs regions lives in its memory's scratch frame (X87_SCRATCH,
 * see {@link x87Resident}), so a region reads and writes it there; every
 * case the fast path does not take — a pending unmasked exception, a full
 * or empty stack, a denormal, infinite or NaN operand, another rounding
 * mode, a result out of the double's normal range — calls the unit as
 * before. The fast path leaves exactly the state the unit's own fast path
 * leaves (core/cpu/x87/convert.ts doubleNearest, instr-transfer.ts load).
 */
import { WASM_POOL, WASM_SCRATCH } from "../../memory/memory.ts";
import type { Memory } from "../../memory/memory.ts";
import type { Instr } from "../isa/instr.ts";
import { USER_CS, USER_DS, type X87, X87_HI, X87_LO, X87_SE, X87_STATE_BYTES, X87_WORD } from "../x87/x87.ts";
import { B as BUSY, C1, ES, PE } from "../x87/words.ts";
import { MemOp, Op } from "./encoder.ts";
import { Local, type WasmGen } from "./gen.ts";

/** Where the x87 state of a memory's region-running CPU lives: in the scratch frame, after the slots. */
export const X87_SCRATCH = WASM_SCRATCH + 1024;

/** The exponent bias of the extended format minus the double's. */
const REBIAS = 16383 - 1023;

/**
 * The forms run inline when they can: FLD m64fp (DD /0), FST and FSTP
 * m64fp (DD /2, /3), FLD ST(i) (D9 C0+i), FXCH ST(i) (D9 C8+i), FST and
 * FSTP ST(i) (DD D0+i, D8+i), FLD1 and FLDZ (D9 E8, EE). FNSTSW AX always
 * is ({@link isFnstswAx}).
 */
export type InlineX87 = "fld" | "fst" | "fstp" | "fld sti" | "fxch" | "fst sti" | "fstp sti" | "fld1" | "fldz";

/** Which inline form an x87 instruction is, if any. */
export function inlineX87(i: Instr): InlineX87 | undefined {
  if (i.twoByte) return undefined;
  if (i.mod !== 3) return i.opcode === 0xdd && i.opsize === 32 ? (["fld", undefined, "fst", "fstp"] as const)[i.reg] : undefined;
  if (i.opcode === 0xd9) return i.reg === 0 ? "fld sti" : i.reg === 1 ? "fxch" : i.modrm === 0xe8 ? "fld1" : i.modrm === 0xee ? "fldz" : undefined;
  if (i.opcode === 0xdd) return i.reg === 2 ? "fst sti" : i.reg === 3 ? "fstp sti" : undefined;
  return undefined;
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

/** Memories and the FPU whose state lives in their scratch frame. */
const residents = new WeakMap<Memory, X87>();
/** Each such FPU's memory. */
const homes = new WeakMap<X87, Memory>();

/**
 * Moves `fpu`'s state into the scratch frame of `m`'s wasm memory (an
 * FPU living there before moves out to a buffer of its own), and keeps it
 * there when the memory grows.
 *
 * @example
 * x87Resident(cpu.fpu, mem); // regions on mem now read cpu.fpu's state
 */
export function x87Resident(fpu: X87, m: Memory): void {
  const buffer = m.toWasm().buffer;
  if (fpu.livesAt(buffer, X87_SCRATCH)) return;
  const before = residents.get(m);
  if (before !== undefined && before !== fpu && homes.get(before) === m) {
    before.relocate(new ArrayBuffer(X87_STATE_BYTES), 0);
    homes.delete(before);
  }
  if (before === undefined) {
    m.onGrow((grown) => {
      const now = residents.get(m);
      if (now !== undefined && homes.get(now) === m) now.relocate(grown, X87_SCRATCH, true);
    });
  }
  fpu.relocate(buffer, X87_SCRATCH);
  residents.set(m, fpu);
  homes.set(fpu, m);
}

/** Pushes the x87 word `w` (X87_WORD). */
function word(g: WasmGen, w: number): void {
  g.code.i32Const(0).mem(MemOp.i32_load, X87_SCRATCH + 4 * w, 2);
}

/** Stores into the x87 word `w` the value `value` pushes. */
function setWord(g: WasmGen, w: number, value: () => void): void {
  g.code.i32Const(0);
  value();
  g.code.mem(MemOp.i32_store, X87_SCRATCH + 4 * w, 2);
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
      return emitPush(g, (d) => copyRegister(g, () => physical(g, g.i.rm), d), g.i.rm);
    case "fld1":
      return emitPush(g, (d) => setRegister(g, d, 0x3fff, 0x80000000 | 0, 0));
    case "fldz":
      return emitPush(g, (d) => setRegister(g, d, 0, 0, 0));
    case "fxch":
      return emitExchange(g);
    case "fst sti":
    case "fstp sti":
      return emitCopy(g, form === "fstp sti");
  }
}

/** Pushes the physical register of ST(n): (TOP + n) & 7. */
function physical(g: WasmGen, n: number): void {
  word(g, X87_WORD.TOP);
  g.code.i32Const(n).op(Op.i32_add).i32Const(7).op(Op.i32_and);
}

/** Pushes 1 if physical register `p` (a local) is empty. */
function empty(g: WasmGen, p: number): void {
  word(g, X87_WORD.EMPTY);
  g.code.localGet(p).op(Op.i32_shr_u).i32Const(1).op(Op.i32_and);
}

/** Pushes 1 if no unmasked exception is pending (a waiting instruction would fault). */
function noneSignalled(g: WasmGen): void {
  word(g, X87_WORD.SW);
  g.code.i32Const(ES).op(Op.i32_and).op(Op.i32_eqz);
}

/** Marks physical register `p` (a local) full (`full`) or empty. */
function tag(g: WasmGen, p: number, full: boolean): void {
  const code = g.code;
  setWord(g, X87_WORD.EMPTY, () => {
    word(g, X87_WORD.EMPTY);
    code.i32Const(1).localGet(p).op(Op.i32_shl);
    if (full) code.i32Const(-1).op(Op.i32_xor).op(Op.i32_and);
    else code.op(Op.i32_or);
  });
}

/** Writes a value into physical register `d` (a local). */
function setRegister(g: WasmGen, d: number, se: number, hi: number, lo: number): void {
  const code = g.code;
  code.localGet(d).i32Const(1).op(Op.i32_shl).i32Const(se).mem(MemOp.i32_store16, X87_SCRATCH + X87_SE, 1);
  code.localGet(d).i32Const(2).op(Op.i32_shl).i32Const(hi).mem(MemOp.i32_store, X87_SCRATCH + X87_HI, 2);
  code.localGet(d).i32Const(2).op(Op.i32_shl).i32Const(lo).mem(MemOp.i32_store, X87_SCRATCH + X87_LO, 2);
}

/** Copies the physical register `from` pushes into physical register `d` (a local); uses Local.SP. */
function copyRegister(g: WasmGen, from: () => void, d: number): void {
  const code = g.code, { SP } = Local;
  from();
  code.localSet(SP);
  code.localGet(d).i32Const(1).op(Op.i32_shl)
    .localGet(SP).i32Const(1).op(Op.i32_shl).mem(MemOp.i32_load16_u, X87_SCRATCH + X87_SE, 1)
    .mem(MemOp.i32_store16, X87_SCRATCH + X87_SE, 1);
  for (const limbs of [X87_HI, X87_LO]) {
    code.localGet(d).i32Const(2).op(Op.i32_shl)
      .localGet(SP).i32Const(2).op(Op.i32_shl).mem(MemOp.i32_load, X87_SCRATCH + limbs, 2)
      .mem(MemOp.i32_store, X87_SCRATCH + limbs, 2);
  }
}

/**
 * A push of the value `write` puts in the new ST(0) (FLD ST(i), FLD1,
 * FLDZ): when the register below the stack is free and no exception is
 * pending (and ST(`source`) full, if given), with C1 cleared and the
 * exception summary renewed as the unit's `pushResult` leaves them.
 * `write(d)` runs before TOP moves. Locals: X the register pushed onto,
 * Y the source's.
 */
function emitPush(g: WasmGen, write: (d: number) => void, source?: number): void {
  const code = g.code, { X } = Local;
  physical(g, 7);
  code.localSet(X);
  noneSignalled(g);
  empty(g, X);
  code.op(Op.i32_and);
  if (source !== undefined) {
    physical(g, source);
    code.localSet(Local.Y);
    empty(g, Local.Y);
    code.op(Op.i32_eqz).op(Op.i32_and);
  }
  taken(g, () => {
    write(X);
    tag(g, X, true);
    setWord(g, X87_WORD.TOP, () => code.localGet(X));
    finish(g, () => clearC1(g), { raise: true });
  });
}

/** Pushes the status word with C1 clear. */
function clearC1(g: WasmGen): void {
  word(g, X87_WORD.SW);
  g.code.i32Const(~C1).op(Op.i32_and);
}

/** Sets X to ST(0)'s physical register and Y to ST(i)'s, then pushes 1 if no exception is pending. */
function stackTopAndOperand(g: WasmGen): void {
  physical(g, 0);
  g.code.localSet(Local.X);
  physical(g, g.i.rm);
  g.code.localSet(Local.Y);
  noneSignalled(g);
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
 * FLD m64fp of a normal double onto a free register, no exception pending:
 * widened exactly. Locals: A the double's low word, B its high word, V its
 * exponent field, X the physical register pushed onto, Y the status word.
 */
function emitLoad(g: WasmGen): void {
  const code = g.code, { A, B, V, X, Y, SP } = Local;
  g.poolAddress();
  code.localTee(SP).mem(MemOp.i32_load, WASM_POOL, 0).localSet(A);
  code.localGet(SP).mem(MemOp.i32_load, WASM_POOL + 4, 0).localTee(B)
    .i32Const(20).op(Op.i32_shr_u).i32Const(0x7ff).op(Op.i32_and).localSet(V);
  word(g, X87_WORD.TOP);
  code.i32Const(1).op(Op.i32_sub).i32Const(7).op(Op.i32_and).localSet(X);
  word(g, X87_WORD.SW);
  code.localSet(Y);
  // A normal double (exponent field 1..2046), onto a free register, with no exception pending.
  code.localGet(V).i32Const(1).op(Op.i32_sub).i32Const(2046).op(Op.i32_lt_u);
  word(g, X87_WORD.EMPTY);
  code.localGet(X).op(Op.i32_shr_u).i32Const(1).op(Op.i32_and).op(Op.i32_and);
  code.localGet(Y).i32Const(ES).op(Op.i32_and).op(Op.i32_eqz).op(Op.i32_and);
  taken(g, () => {
    code.localGet(X).i32Const(1).op(Op.i32_shl)
      .localGet(B).i32Const(31).op(Op.i32_shr_u).i32Const(15).op(Op.i32_shl)
      .localGet(V).i32Const(REBIAS).op(Op.i32_add).op(Op.i32_or)
      .mem(MemOp.i32_store16, X87_SCRATCH + X87_SE, 1);
    code.localGet(X).i32Const(2).op(Op.i32_shl).localTee(SP)
      .localGet(B).i32Const(0xfffff).op(Op.i32_and).i32Const(11).op(Op.i32_shl)
      .localGet(A).i32Const(21).op(Op.i32_shr_u).op(Op.i32_or).i32Const(0x80000000 | 0).op(Op.i32_or)
      .mem(MemOp.i32_store, X87_SCRATCH + X87_HI, 2);
    code.localGet(SP).localGet(A).i32Const(11).op(Op.i32_shl).mem(MemOp.i32_store, X87_SCRATCH + X87_LO, 2);
    setWord(g, X87_WORD.EMPTY, () => {
      word(g, X87_WORD.EMPTY);
      code.i32Const(1).localGet(X).op(Op.i32_shl).i32Const(-1).op(Op.i32_xor).op(Op.i32_and);
  });
  setWord(g, X87_WORD.TOP, () => code.localGet(X));
  finish(g, () => code.localGet(Y).i32Const(~C1).op(Op.i32_and), { raise: true });
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

/**
 * Emits `body` under the condition on the stack and leaves 1 when it ran,
 * 0 when it did not (the host then runs the instruction).
 */
function taken(g: WasmGen, body: () => void): void {
  g.ifI32();
  body();
  g.code.i32Const(1);
  g.else();
  g.code.i32Const(0);
  g.end();
}

/** Pushes 1 if ST(0) (V, A, B as emitStore loads them) is a zero. */
function isZero(g: WasmGen): void {
  const { A, B, V } = Local;
  g.code.localGet(V).i32Const(0x7fff).op(Op.i32_and).localGet(A).op(Op.i32_or).localGet(B).op(Op.i32_or).op(Op.i32_eqz);
}

/**
 * The bookkeeping every inline form ends with: the status word the value
 * `sw` pushes, with ES and B set if it holds an unmasked exception (the
 * unit's `raise`), and the last instruction and data pointers.
 */
function finish(g: WasmGen, sw: () => void, { raise }: { raise: boolean }): void {
  const code = g.code, i = g.i;
  setWord(g, X87_WORD.SW, () => {
    sw();
    if (!raise) return;
    code.localTee(Local.Y).i32Const(ES | BUSY).i32Const(0).localGet(Local.Y);
    word(g, X87_WORD.CW);
    code.i32Const(-1).op(Op.i32_xor).op(Op.i32_and).i32Const(0x3f).op(Op.i32_and).op(Op.select).op(Op.i32_or);
  });
  setWord(g, X87_WORD.FIP, () => code.i32Const(i.addr | 0));
  setWord(g, X87_WORD.FCS, () => code.i32Const(USER_CS));
  setWord(g, X87_WORD.FOP, () => code.i32Const(((i.opcode & 7) << 8) | i.modrm));
  if (i.mod === 3) return;
  setWord(g, X87_WORD.FDP, () => code.localGet(Local.EA));
  setWord(g, X87_WORD.FDS, () => code.i32Const(USER_DS));
}
