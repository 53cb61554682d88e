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
import { Decoder, DecoderOptions, InstructionInfoFactory, MemorySizeExt, OpAccess, Register } from "iced-x86";

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

const READS = new Set([OpAccess.Read, OpAccess.CondRead, OpAccess.ReadWrite, OpAccess.ReadCondWrite]);
const WRITES = new Set([OpAccess.Write, OpAccess.CondWrite, OpAccess.ReadWrite, OpAccess.ReadCondWrite]);
const SEGMENTS = [Register.ES, Register.CS, Register.SS, Register.DS, Register.FS, Register.GS];

/** A 32-bit general register's value in `g`, by iced's register name (0 for none). */
function registerValue(g: Guest, r: Register): number {
  return r >= Register.EAX && r <= Register.EDI ? g.cpu.r[r - Register.EAX] : 0;
}

/**
 * Positions after which an instruction read (`read`) or read or wrote
 * (`access`) any of the `len` bytes at `at`, with the address of that
 * instruction (`eip`) and of the next (`next`), as iced-x86 lists each
 * instruction's memory operands (explicit and implicit: stack, string
 * operands) and their access — a reference nobody here wrote.
 */
export function memoryAccesses(at: number, len: number, which: "read" | "access"): { at: number; eip: number; next: number }[] {
  const out: { at: number; eip: number; next: number }[] = [];
  const g = Guest.fromTree(newGuestTree({ program: image, argv: ["counter"] }));
  const factory = new InstructionInfoFactory();
  for (;;) {
    const eip = g.cpu.eip >>> 0;
    const bytes: number[] = [];
    for (let i = 0; i < 15; i++) {
      const b = peek(g.mem, eip + i);
      if (b === null) break;
      bytes.push(b);
    }
    const decoder = new Decoder(32, new Uint8Array(bytes), DecoderOptions.None);
    const instr = decoder.decode();
    const info = factory.info(instr);
    let touched = false;
    for (const u of info.usedMemory()) {
      const seg = SEGMENTS.indexOf(u.segment);
      const addr = (registerValue(g, u.base) + registerValue(g, u.index) * u.scale + Number(u.displacement) +
        (seg >= 0 ? g.cpu.segBase[seg] : 0)) >>> 0;
      const size = MemorySizeExt.size(u.memorySize);
      const counts = READS.has(u.access) || (which === "access" && WRITES.has(u.access));
      if (counts && addr < at + len && at < addr + size) touched = true;
      u.free();
    }
    info.free();
    instr.free();
    decoder.free();
    if (g.run(1).status !== "budget") break;
    if (touched) out.push({ at: g.instructions, eip, next: g.cpu.eip >>> 0 });
  }
  factory.free();
  return out;
}
