/**
 * Brute force for the debugger tests: examples/debug/counter stepped one
 * instruction at a time from its first, watching memory or registers
 * change. Slow and obviously right, which is the point.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Guest, newGuestTree } from "../../core/vm/guest.ts";
import { SymbolTable } from "../../core/elf/symbols.ts";
import { REPO } from "../support/guests.ts";
import { peek } from "../../core/session/inspect.ts";

export const PROGRAM = join(REPO, "examples/debug/counter");
const image = readFileSync(PROGRAM);
export const syms = SymbolTable.fromElf(image);

/** Every step to the exit: the state before and after each instruction, through `visit(position after, guest, eip before)`. */
function stepAll(visit: (at: number, g: Guest, eip: number) => void): void {
  const g = Guest.fromTree(newGuestTree({ program: image, argv: ["counter"] }));
  for (;;) {
    const eip = g.cpu.eip >>> 0;
    if (g.run(1).status !== "budget") break;
    visit(g.instructions, g, eip);
  }
}

/**
 * Positions after which the `len` bytes at `at` differ from before, with
 * the address of the instruction that changed them.
 */
export function memoryChanges(at: number, len: number): { at: number; eip: number }[] {
  const out: { at: number; eip: number }[] = [];
  let before = "";
  stepAll((n, g, eip) => {
    const now = Array.from({ length: len }, (_, i) => peek(g.mem, at + i)).join(",");
    if (before !== "" && now !== before) out.push({ at: n, eip });
    before = now;
  });
  return out;
}

/** The same for a register, read by `read`. */
export function registerChanges(read: (g: Guest) => number): { at: number; eip: number }[] {
  const out: { at: number; eip: number }[] = [];
  let before: number | undefined;
  stepAll((n, g, eip) => {
    const now = read(g);
    if (before !== undefined && now !== before) out.push({ at: n, eip });
    before = now;
  });
  return out;
}
