import type { Memory } from "../../memory/memory.ts";
import type { Instr } from "../isa/instr.ts";
import { hasMemoryOperand } from "../isa/instr.ts";
import { isRepString } from "../blocks.ts";
import { runtime } from "../runtime/mod.ts";
import type { Cpu } from "../state.ts";
import { Gen, plainSource } from "./gen.ts";

/**
 * A compiled run of instructions. Returns how many instructions retired
 * (and has added them to `c.icount`); `left` bounds REP iterations.
 * On a fault it charges the instructions retired before the faulting one,
 * points EIP at it and rethrows.
 */
export type BlockFn = (c: Cpu, r: Int32Array, m: Memory, left: number) => number;

/**
 * Generates the JavaScript for a straight-line run of instructions (a
 * REP string instruction must be alone) and compiles it.
 *
 * @example
 * const fn = compileBlock([decode(fetch, eip)]);
 * fn(cpu, cpu.r, mem, 1); // executes one instruction
 */
export function compileBlock(instrs: readonly Instr[]): BlockFn {
  const source = blockSource(instrs);
  let fn = compiled.get(source);
  if (fn === undefined) {
    if (compiled.size >= MAX_SHARED) compiled.clear();
    fn = new Function("L", `return ${source}`)(runtime) as BlockFn;
    compiled.set(source, fn);
  }
  return fn;
}

/**
 * Compiled blocks shared by every engine in the process, by source text
 * (which fixes the instructions and their addresses). Sub-guests running
 * the same program as their host, and guests restored from snapshots,
 * reuse code the JIT has already optimised instead of warming up again.
 */
const compiled = new Map<string, BlockFn>();
const MAX_SHARED = 200_000;

/**
 * The statements of one instruction, at position `k` of its block, with
 * the effective address of its memory operand in `ea`, and the numbers
 * from its encoding marked as parameters (see `param` in gen.ts;
 * `plainSource` makes it plain JavaScript).
 */
export function instructionSource(i: Instr, k: number): string {
  const g = new Gen(i, k);
  const ea = hasMemoryOperand(i) ? `const ea = ${g.linear()}; ` : "";
  return `{ ${ea}${i.def.emit(g)} }`;
}

/** The source of a block function (exposed for debugging and tests). */
export function blockSource(instrs: readonly Instr[]): string {
  const n = instrs.length;
  const lines: string[] = [];
  instrs.forEach((i, k) => {
    if (k > 0) lines.push(`k = ${k};`);
    lines.push(plainSource(instructionSource(i, k)));
    // A write into translated code ends the block: the next instruction may be the one written.
    if (k < n - 1) {
      lines.push(`if (m.codeWritten) { m.codeWritten = false; c.eip = ${(i.addr + i.len) | 0}; c.icount += ${k + 1}; return ${k + 1}; }`);
    }
  });
  const last = instrs[n - 1];
  const rep = isRepString(last);
  if (last.def.flow === "next" && !rep) {
    lines.push(`c.eip = ${(last.addr + last.len) | 0};`);
  }
  const count = rep ? "n" : String(n);
  // The addresses are part of the source, so equal source means equal behaviour.
  const addrs = instrs.map((i) => i.addr | 0).join(", ");
  return `function block(c, r, m, left) {
  let k = 0, n = 1, $i, $o;
  try {
    ${lines.join("\n    ")}
  } catch (e) { c.icount += k; c.eip = [${addrs}][k]; throw e; }
  c.icount += ${count};
  return ${count};
}`;
}
