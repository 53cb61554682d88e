/**
 * Compares what the real CPU and fx86 left behind for one case, after
 * masking exactly what undefined.ts says Intel leaves undefined.
 */
import { GuestFault } from "../../core/fault.ts";
import { decode, mnemonicOf } from "../../core/cpu/isa/decoder.ts";
import { disassemble } from "../../core/cpu/isa/disasm.ts";
import type { Instr } from "../../core/cpu/isa/instr.ts";
import { type Outcome, VECTOR_KINDS } from "./outcome.ts";
import { type Case, CODE_BASE, initialData, type Placed, REGISTERS, SEGMENT_REGISTERS } from "./program.ts";
import { type Undefined, undefinedParts } from "./undefined.ts";

/** RF: set in the EFLAGS image the CPU saves for a fault; not guest-visible state. */
const RF = 0x10000;

function hex(v: number): string {
  return "0x" + (v >>> 0).toString(16);
}

/**
 * The instruction under test as assembled (the last one of a sequence),
 * read back from the binary; undefined if fx86 cannot decode it (a LOCK
 * where it is not allowed: the case checks that both sides raise #UD).
 */
export function instructionAt(binary: Uint8Array, placed: Placed): Instr | undefined {
  const fetch = (a: number) => binary[a - CODE_BASE];
  try {
    let i = decode(fetch, CODE_BASE + placed.instr);
    while (i.addr + i.len < CODE_BASE + placed.next) i = decode(fetch, i.addr + i.len);
    return i;
  } catch (e) {
    if (e instanceof GuestFault) return undefined;
    throw e;
  }
}

export function describeCase(c: Case, binary: Uint8Array, placed: Placed): string {
  const at = placed.instr;
  const bytes = Array.from(binary.subarray(at, placed.next), (b) => b.toString(16).padStart(2, "0")).join(" ");
  let text: string;
  try {
    text = disassemble((a) => binary[a - CODE_BASE], CODE_BASE + at).text;
  } catch (e) {
    text = String(e);
  }
  const regs = c.regs.map((r, k) => `${REGISTERS[k]}=${hex(r)}`).join(" ");
  return `[${c.form}] ${bytes}  ${text}\n    start: ${regs} eflags=${hex(c.eflags)}` +
    (c.preop.length ? ` preop: ${c.preop[1]}` : "") + (c.ea !== undefined ? ` ea=${hex(c.ea)}` : "");
}

/** What undefined.ts masks for a case. */
export function masksFor(c: Case, instr: Instr | undefined, native: Outcome): Undefined {
  if (!instr) return { flags: 0, regs: new Array(8).fill(0), mem: new Set() };
  return undefinedParts(instr, { faulted: native.fault !== "ok", regs: c.regs, data: initialData(c), ea: c.ea });
}

/**
 * Fault kinds by signal, for a reference that does not report the vector
 * (qemu-i386 leaves the signal frame's trapno at -1). SIGSEGV stands for
 * #PF (at the fault address) and #GP, #BR (address 0) alike.
 */
const SIGNAL_KINDS: Record<string, string[]> = {
  "signal 11": ["page", "general-protection", "bound"],
  "signal 4": ["undefined-opcode"],
  "signal 8": ["divide"],
  "signal 5": ["breakpoint"],
};
/** Instructions whose exception the processor reports after them (traps): INTO. */
const TRAPS = new Set(["into"]);

/**
 * Differences between a reference's outcome and fx86's (empty when they
 * agree), after masking `u`; `name` is the reference in messages.
 */
export function compareOutcomes(ref: Outcome, fx: Outcome, u: Undefined, instr: Instr | undefined, name = "native"): string[] {
  const problems: string[] = [];
  if (ref.fault === "ok") {
    if (fx.fault !== "ok") return [`${name} completed, fx86 faulted: ${fx.fault} at ${hex(fx.eip)} (addr ${hex(fx.addr)})`];
    if (ref.path !== fx.path) problems.push(`path: ${name} ${ref.path} fx86 ${fx.path}`);
  } else {
    const kinds = (ref.trapno !== undefined ? VECTOR_KINDS[ref.trapno] : SIGNAL_KINDS[ref.fault]) ?? [];
    if (!kinds.includes(fx.fault)) {
      return [`${name} ${ref.fault} vector ${ref.trapno ?? "?"} at ${hex(ref.eip)} (addr ${hex(ref.addr)}), fx86 ${fx.fault} at ${hex(fx.eip)}`];
    }
    const trap = instr !== undefined && TRAPS.has(mnemonicOf(instr));
    const expectEip = trap ? (fx.eip + instr.len) >>> 0 : fx.eip;
    if (ref.eip !== expectEip) problems.push(`fault eip: ${name} ${hex(ref.eip)} fx86 ${hex(fx.eip)}`);
    // Without a vector, SIGSEGV's address tells a page fault (its address) from #GP and #BR (0).
    const expectAddr = fx.fault === "page" ? fx.addr : ref.trapno === undefined && ref.fault === "signal 11" ? 0 : ref.addr;
    if (ref.addr !== expectAddr) problems.push(`fault address: ${name} ${hex(ref.addr)} fx86 ${hex(fx.addr)}`);
  }
  for (let k = 0; k < 8; k++) {
    const m = ~u.regs[k];
    if ((ref.regs[k] & m) !== (fx.regs[k] & m)) {
      problems.push(`${REGISTERS[k]}: ${name} ${hex(ref.regs[k])} fx86 ${hex(fx.regs[k])}${u.regs[k] ? ` (mask ${hex(u.regs[k])})` : ""}`);
    }
  }
  const fm = ~(u.flags | (ref.fault === "ok" ? 0 : RF));
  if ((ref.eflags & fm) !== (fx.eflags & fm)) {
    problems.push(`eflags: ${name} ${hex(ref.eflags)} fx86 ${hex(fx.eflags)} (differ ${hex((ref.eflags ^ fx.eflags) & fm)}, undefined ${hex(u.flags)})`);
  }
  for (let k = 0; k < 6; k++) {
    if (ref.sregs[k] !== fx.sregs[k]) problems.push(`${SEGMENT_REGISTERS[k]}: ${name} ${hex(ref.sregs[k])} fx86 ${hex(fx.sregs[k])}`);
  }
  const offsets = new Set([...ref.diff.keys(), ...fx.diff.keys()]);
  const wrong: string[] = [];
  for (const off of [...offsets].sort((a, b) => a - b)) {
    if (u.mem.has(off)) continue;
    const a = ref.diff.get(off), b = fx.diff.get(off);
    if (a !== b) wrong.push(`+${hex(off)}: ${name} ${a === undefined ? "-" : hex(a)} fx86 ${b === undefined ? "-" : hex(b)}`);
  }
  if (wrong.length) problems.push(`memory: ${wrong.slice(0, 8).join(", ")}${wrong.length > 8 ? ` (${wrong.length} bytes)` : ""}`);
  return problems;
}

/** Block mode and single-step mode must agree exactly. */
export function sameOutcome(a: Outcome, b: Outcome): boolean {
  const plain = (o: Outcome) => JSON.stringify({ ...o, diff: [...o.diff] });
  return plain(a) === plain(b);
}
