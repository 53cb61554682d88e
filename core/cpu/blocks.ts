/**
 * Where a basic block ends: the one rule shared by the block compiler and
 * the region builder, so that both see the same blocks at the same
 * addresses (and therefore count and stop the same way).
 */
import { decode } from "./isa/decoder.ts";
import type { Instr } from "./isa/instr.ts";
import { PAGE_SHIFT } from "../memory/memory.ts";

/** True if the instruction is a string instruction with a REP prefix. */
export function isRepString(i: Instr): boolean {
  return i.def.string !== undefined && i.rep !== 0;
}

/**
 * Decodes the basic block at `eip`: straight-line code up to a control
 * transfer, at most `max` instructions, within the page it starts on, and
 * ending before any address for which `stopBefore` is true (a breakpoint).
 * A REP string instruction is always a block of its own, and so is any
 * instruction for which `alone` is true (the engine isolates those that
 * WebAssembly regions leave for, so that the code after them can be a
 * region again). An undecodable instruction ends the block before it;
 * alone, its decoding fault is thrown.
 *
 * @example
 * const instrs = decodeBlock((a) => mem.fetch8(a), cpu.eip, 64);
 */
export function decodeBlock(
  fetch: (addr: number) => number,
  eip: number,
  max: number,
  stopBefore?: (addr: number) => boolean,
  alone: (i: Instr) => boolean = isRepString,
): Instr[] {
  const instrs: Instr[] = [];
  const startPage = (eip >>> 0) >>> PAGE_SHIFT;
  let addr = eip;
  for (;;) {
    let i: Instr;
    try {
      i = decode(fetch, addr);
    } catch (e) {
      if (instrs.length === 0) throw e;
      break;
    }
    const single = alone(i);
    if (single && instrs.length > 0) break;
    instrs.push(i);
    addr = (addr + i.len) | 0;
    if (
      i.def.flow !== "next" || single || instrs.length >= max ||
      (addr >>> 0) >>> PAGE_SHIFT !== startPage || stopBefore?.(addr) === true
    ) break;
  }
  return instrs;
}

/** The address after a block's last instruction. */
export function blockEnd(instrs: readonly Instr[]): number {
  const last = instrs[instrs.length - 1];
  return (last.addr + last.len) | 0;
}

/**
 * Where a block's last instruction transfers control when its encoding
 * says so (a relative JMP, Jcc, LOOP or CALL), else undefined.
 *
 * @example
 * branchTarget(decodeBlock(fetch, 0x8048000, 64)); // e.g. 0x8048000 for a loop on itself
 */
export function branchTarget(instrs: readonly Instr[]): number | undefined {
  const last = instrs[instrs.length - 1];
  const spec = last.def.operands[0];
  if (last.def.flow === "next" || (spec !== "Jb" && spec !== "Jz")) return undefined;
  return (blockEnd(instrs) + last.imm) | 0;
}
