/**
 * REP MOVS and REP STOS in regions: page-sized runs of elements at a time
 * (memory.copy, memory.fill or an element loop), charging one instruction
 * per element as the host's core/cpu/runtime/string.ts does, so that a
 * budget can stop between any two elements. What the fast path does not
 * cover (a page without a frame in the page table, an element crossing a
 * page, EFLAGS.DF set) leaves the region on the instruction, its progress
 * kept, and the host continues it.
 */
import { WASM_POOL, WASM_RI, WASM_SCRATCH, WASM_WI } from "../../memory/memory.ts";
import { MemOp, Op } from "./encoder.ts";
import { Local, scratchGet, Slot, type WasmGen } from "./gen.ts";

const { A, B, V, X, Y, REG, LEFT } = Local;
const EAX = REG, ECX = REG + 1, ESI = REG + 6, EDI = REG + 7;

/**
 * Emits a REP MOVS or REP STOS of `g.size`-bit elements (32-bit
 * addressing). The region charged the instruction once at its block's
 * start: with ECX = 0 that is the whole count; else the charge is given
 * back and every element is charged instead.
 */
export function repString(g: WasmGen, fn: "movs" | "stos"): void {
  const code = g.code, step = g.size >> 3, log = Math.log2(step);
  code.localGet(ECX).op(Op.i32_eqz);
  g.if();
  g.jumpTo(g.next);
  g.end();
  code.localGet(LEFT).i32Const(1).op(Op.i32_add).localSet(LEFT);
  g.loop();
  // The budget ends inside the instruction: say so to the host (EFLAGS.RF).
  code.localGet(LEFT).op(Op.i32_eqz);
  g.if();
  code.i32Const(WASM_SCRATCH + 4 * Slot.REP).i32Const(1).mem(MemOp.i32_store, 0, 2);
  g.leaveHere();
  g.end();
  scratchGet(code, Slot.DIR);
  code.i32Const(0).op(Op.i32_lt_s);
  leaveHereIf(g);
  // A = elements this round: ECX, the budget, and what fits in the pages.
  code.localGet(ECX).localGet(LEFT).localGet(ECX).localGet(LEFT).op(Op.i32_lt_u).op(Op.select).localSet(A);
  limitToPage(g, EDI, log);
  if (fn === "movs") limitToPage(g, ESI, log);
  code.localGet(A).op(Op.i32_eqz);
  leaveHereIf(g);
  // B = the destination in wasm memory, X = the source; V = bytes.
  poolAddress(g, EDI, WASM_WI, B);
  if (fn === "movs") poolAddress(g, ESI, WASM_RI, X);
  code.localGet(A).i32Const(log).op(Op.i32_shl).localSet(V);
  if (fn === "movs") copy(g, log);
  else fill(g, log);
  if (fn === "movs") code.localGet(ESI).localGet(V).op(Op.i32_add).localSet(ESI);
  code.localGet(EDI).localGet(V).op(Op.i32_add).localSet(EDI);
  code.localGet(ECX).localGet(A).op(Op.i32_sub).localSet(ECX);
  code.localGet(LEFT).localGet(A).op(Op.i32_sub).localSet(LEFT);
  code.localGet(ECX).op(Op.i32_eqz);
  g.if();
  g.jumpTo(g.next);
  g.end();
  g.br(0);
  g.end();
}

function leaveHereIf(g: WasmGen): void {
  g.if();
  g.leaveHere();
  g.end();
}

/** A = min(A, elements of 2^log bytes between the address in `reg` and its page's end). */
function limitToPage(g: WasmGen, reg: number, log: number): void {
  g.code.i32Const(4096).localGet(reg).i32Const(4095).op(Op.i32_and).op(Op.i32_sub).i32Const(log).op(Op.i32_shr_u)
    .localTee(Y).localGet(A).localGet(A).localGet(Y).op(Op.i32_gt_u).op(Op.select).localSet(A);
}

/** Local `out` = where the address in `reg` is in wasm memory, by the page table at `table`; leaves if none. */
function poolAddress(g: WasmGen, reg: number, table: number, out: number): void {
  // A byte's check is the page's alone: limitToPage keeps the whole run in the page.
  g.fastPage(reg, table, 8);
  g.code.op(Op.i32_eqz);
  leaveHereIf(g);
  g.poolAddress();
  g.code.i32Const(WASM_POOL).op(Op.i32_add).localSet(out);
}

/**
 * Copies V bytes from X to B. An overlap with the destination ahead of
 * the source makes each element read what an earlier one wrote (REP MOVSB
 * with EDI = ESI + 1 repeats a byte), which memory.copy (a memmove) would
 * not: those copy element by element.
 */
function copy(g: WasmGen, log: number): void {
  const code = g.code;
  code.localGet(B).localGet(X).op(Op.i32_gt_u).localGet(B).localGet(X).localGet(V).op(Op.i32_add).op(Op.i32_lt_u)
    .op(Op.i32_and);
  g.if();
  elementLoop(g, log, () => load(g, log, X));
  g.else();
  code.localGet(B).localGet(X).localGet(V).memoryCopy();
  g.end();
}

/** Stores the accumulator's low `8 << log` bits V / (1 << log) times from B. */
function fill(g: WasmGen, log: number): void {
  const code = g.code;
  if (log === 0) {
    code.localGet(B).localGet(EAX).localGet(V).memoryFill();
    return;
  }
  elementLoop(g, log, () => code.localGet(EAX));
}

/** For Y = 0, step, ... < V: stores the value `value` pushes (given Y) at B + Y. */
function elementLoop(g: WasmGen, log: number, value: () => void): void {
  const code = g.code;
  code.i32Const(0).localSet(Y);
  g.loop();
  code.localGet(B).localGet(Y).op(Op.i32_add);
  value();
  code.mem(log === 0 ? MemOp.i32_store8 : log === 1 ? MemOp.i32_store16 : MemOp.i32_store, 0, 0);
  code.localGet(Y).i32Const(1 << log).op(Op.i32_add).localTee(Y).localGet(V).op(Op.i32_lt_u).brIf(0);
  g.end();
}

function load(g: WasmGen, log: number, from: number): void {
  g.code.localGet(from).localGet(Y).op(Op.i32_add)
    .mem(log === 0 ? MemOp.i32_load8_u : log === 1 ? MemOp.i32_load16_u : MemOp.i32_load, 0, 0);
}
