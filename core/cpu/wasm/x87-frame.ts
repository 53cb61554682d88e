/**
 * The x87 state as region code sees it: the unit's 128-byte state (X87,
 * core/cpu/x87/x87.ts) lives in the scratch frame of the memory whose CPU
 * runs regions, and these emitters read and write its words and registers
 * there, with the bookkeeping every inline x87 form shares (the status
 * word's exception summary, the last instruction and data pointers).
 * The forms themselves are in x87-inline.ts and the files beside it.
 */
import { WASM_SCRATCH } from "../../memory/memory.ts";
import type { Memory } from "../../memory/memory.ts";
import { USER_CS, USER_DS, type X87, X87_HI, X87_LO, X87_SE, X87_STATE_BYTES, X87_WORD } from "../x87/x87.ts";
import { B as BUSY, C1, ES } from "../x87/words.ts";
import { MemOp, Op } from "./encoder.ts";
import { Local, type WasmGen } from "./gen.ts";

/** Where the x87 state of a memory's region-running CPU lives: in the scratch frame, after the slots. */
export const X87_SCRATCH = WASM_SCRATCH + 1024;

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
export function word(g: WasmGen, w: number): void {
  g.code.i32Const(0).mem(MemOp.i32_load, X87_SCRATCH + 4 * w, 2);
}

/** Stores into the x87 word `w` the value `value` pushes. */
export function setWord(g: WasmGen, w: number, value: () => void): void {
  g.code.i32Const(0);
  value();
  g.code.mem(MemOp.i32_store, X87_SCRATCH + 4 * w, 2);
}

/** Pushes the physical register of ST(n): (TOP + n) & 7. */
export function physical(g: WasmGen, n: number): void {
  word(g, X87_WORD.TOP);
  g.code.i32Const(n).op(Op.i32_add).i32Const(7).op(Op.i32_and);
}

/** Pushes 1 if physical register `p` (a local) is empty. */
export function empty(g: WasmGen, p: number): void {
  word(g, X87_WORD.EMPTY);
  g.code.localGet(p).op(Op.i32_shr_u).i32Const(1).op(Op.i32_and);
}

/** Pushes 1 if no unmasked exception is pending (a waiting instruction would fault). */
export function noneSignalled(g: WasmGen): void {
  word(g, X87_WORD.SW);
  g.code.i32Const(ES).op(Op.i32_and).op(Op.i32_eqz);
}

/** Marks physical register `p` (a local) full (`full`) or empty. */
export function tag(g: WasmGen, p: number, full: boolean): void {
  const code = g.code;
  setWord(g, X87_WORD.EMPTY, () => {
    word(g, X87_WORD.EMPTY);
    code.i32Const(1).localGet(p).op(Op.i32_shl);
    if (full) code.i32Const(-1).op(Op.i32_xor).op(Op.i32_and);
    else code.op(Op.i32_or);
  });
}

/** Writes a constant value into physical register `d` (a local). */
export function setRegister(g: WasmGen, d: number, se: number, hi: number, lo: number): void {
  const code = g.code;
  writeRegister(g, d, () => code.i32Const(se), () => code.i32Const(hi), () => code.i32Const(lo));
}

/** Copies the physical register `from` pushes into physical register `d` (a local); uses Local.SP. */
export function copyRegister(g: WasmGen, from: () => void, d: number): void {
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
 * FLDZ, FILD, FLD m64fp): when the register below the stack is free and
 * no exception is pending (and ST(`source`) full, if given, and the
 * condition `when` pushes holds, if given), with C1 cleared and the
 * exception summary renewed as the unit's `pushResult` leaves them.
 * `write(d)` runs before TOP moves. Locals: X the register pushed onto,
 * Y the source's.
 */
export function emitPush(
  g: WasmGen,
  write: (d: number) => void,
  { source, when }: { source?: number; when?: () => void } = {},
): void {
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
  if (when !== undefined) {
    when();
    code.op(Op.i32_and);
  }
  taken(g, () => {
    write(X);
    tag(g, X, true);
    setWord(g, X87_WORD.TOP, () => code.localGet(X));
    finish(g, () => clearC1(g), { raise: true });
  });
}

/** Writes into physical register `d` (a local) the words `se`, `hi` and `lo` push. */
export function writeRegister(g: WasmGen, d: number, se: () => void, hi: () => void, lo: () => void): void {
  const code = g.code;
  code.localGet(d).i32Const(1).op(Op.i32_shl);
  se();
  code.mem(MemOp.i32_store16, X87_SCRATCH + X87_SE, 1);
  code.localGet(d).i32Const(2).op(Op.i32_shl);
  hi();
  code.mem(MemOp.i32_store, X87_SCRATCH + X87_HI, 2);
  code.localGet(d).i32Const(2).op(Op.i32_shl);
  lo();
  code.mem(MemOp.i32_store, X87_SCRATCH + X87_LO, 2);
}

/** Pushes the status word with C1 clear. */
export function clearC1(g: WasmGen): void {
  word(g, X87_WORD.SW);
  g.code.i32Const(~C1).op(Op.i32_and);
}

/** Sets X to ST(0)'s physical register and Y to ST(i)'s, then pushes 1 if no exception is pending. */
export function stackTopAndOperand(g: WasmGen): void {
  physical(g, 0);
  g.code.localSet(Local.X);
  physical(g, g.i.rm);
  g.code.localSet(Local.Y);
  noneSignalled(g);
}

/**
 * Emits `body` under the condition on the stack and leaves 1 when it ran,
 * 0 when it did not (the host then runs the instruction).
 */
export function taken(g: WasmGen, body: () => void): void {
  g.ifI32();
  body();
  g.code.i32Const(1);
  g.else();
  g.code.i32Const(0);
  g.end();
}

/**
 * The bookkeeping every inline form ends with: the status word the value
 * `sw` pushes, with ES and B set if it holds an unmasked exception (the
 * unit's `raise`), and the last instruction and data pointers.
 */
export function finish(g: WasmGen, sw: () => void, { raise }: { raise: boolean }): void {
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

/** Reads physical register `p`'s sign/exponent word into `se` and its significand into the i64 local `sig`. */
export function readWide(g: WasmGen, p: number, se: number, sig: number): void {
  const code = g.code;
  code.localGet(p).i32Const(1).op(Op.i32_shl).mem(MemOp.i32_load16_u, X87_SCRATCH + X87_SE, 1).localSet(se);
  code.localGet(p).i32Const(2).op(Op.i32_shl).mem(MemOp.i32_load, X87_SCRATCH + X87_HI, 2)
    .op(Op.i64_extend_i32_u).i64Const(32).op(Op.i64_shl)
    .localGet(p).i32Const(2).op(Op.i32_shl).mem(MemOp.i32_load, X87_SCRATCH + X87_LO, 2).op(Op.i64_extend_i32_u)
    .op(Op.i64_or).localSet(sig);
}

/** Pushes the i64 with only bit 63 set. */
export function top(g: WasmGen): void {
  g.code.i64Const(1).i64Const(63).op(Op.i64_shl);
}

/** Pushes 1 if the value is a normal number: exponent 1..7FFE, integer bit set. */
export function normal(g: WasmGen, se: number, sig: number): void {
  g.code.localGet(se).i32Const(0x7fff).op(Op.i32_and).i32Const(1).op(Op.i32_sub).i32Const(0x7ffe).op(Op.i32_lt_u)
    .localGet(sig).i64Const(0).op(Op.i64_lt_s).op(Op.i32_and);
}

/** Pushes the exponent field of the sign/exponent word in local `se`. */
export function exponent(g: WasmGen, se: number): void {
  g.code.localGet(se).i32Const(0x7fff).op(Op.i32_and);
}
