/**
 * Call frames by walking the frame-pointer chain: a heuristic, as gdb's
 * unwinder is without debug information. It assumes each function keeps
 * the usual i386 frame (`push ebp; mov ebp, esp`), so EBP points at the
 * caller's saved EBP with the return address above it; at a function's
 * first instruction (before `push ebp`) and right after it, the return
 * address is found from ESP instead (symbols say where functions start),
 * and likewise at a `ret`.
 * Code built without frame pointers (-fomit-frame-pointer, most of glibc)
 * gives wrong outer frames; the walk stops at `main`, at a null or
 * unmapped frame pointer, or when the chain does not go up the stack.
 */
import type { Guest } from "../vm/guest.ts";
import { EBP, ESP } from "../cpu/state.ts";
import type { SymbolTable } from "../elf/symbols.ts";
import { peek } from "./inspect.ts";

/** One frame: where it executes and where its return address is stored. */
export interface Frame {
  /** The instruction the frame is at (EIP for the innermost one, a return address for the others). */
  pc: number;
  /** The stack address holding this frame's return address (its caller's pc). */
  slot: number;
  /** `main+12`, or "" without symbols. */
  label: string;
}

/**
 * The 32-bit word at `addr`, or undefined if any byte is unmapped.
 *
 * @example
 * wordAt(guest, guest.cpu.r[ESP]); // the return address, at a function's entry
 */
export function wordAt(g: Guest, addr: number): number | undefined {
  let v = 0;
  for (let i = 3; i >= 0; i--) {
    const b = peek(g.mem, (addr + i) >>> 0);
    if (b === null) return undefined;
    v = v * 256 + b;
  }
  return v;
}

const PUSH_EBP = 0x55, RET = 0xc3, RET_IMM = 0xc2;

/**
 * The frames of guest `g`, innermost first (at most `max`).
 *
 * @example
 * frames(guest, symbols).map((f) => f.label); // ["add+6", "twice+18", "main+40"]
 */
export function frames(g: Guest, symbols: SymbolTable, max = 64): Frame[] {
  const out: Frame[] = [];
  let pc = g.cpu.eip >>> 0;
  const esp = g.cpu.r[ESP] >>> 0;
  let ebp = g.cpu.r[EBP] >>> 0;
  // The innermost frame may not have pushed EBP yet.
  const fn = symbols.containing(pc);
  let slot: number;
  const op = peek(g.mem, pc);
  // At a function's entry, or at its ret (after leave), ESP points at the return address.
  if ((fn && pc === fn.address) || op === RET || op === RET_IMM) slot = esp;
  else if (fn && pc === fn.address + 1 && peek(g.mem, fn.address) === PUSH_EBP) slot = (esp + 4) >>> 0;
  else {
    slot = (ebp + 4) >>> 0;
    ebp = wordAt(g, ebp) ?? 0;
  }
  for (;;) {
    const label = symbols.label(pc) ?? "";
    out.push({ pc, slot, label });
    if (out.length >= max || label === "main" || label.startsWith("main+")) break;
    const ret = wordAt(g, slot);
    if (ret === undefined || ret === 0 || ebp === 0 || ebp <= slot) break;
    const next = wordAt(g, ebp);
    if (next === undefined) break;
    pc = ret;
    slot = (ebp + 4) >>> 0;
    ebp = next;
  }
  return out;
}
