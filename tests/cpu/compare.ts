/**
 * Compares what the real CPU and fx86 left behind for one case, after
 * masking exactly what undefined.ts says Intel leaves undefined.
 */
import { GuestFault } from "../../core/fault.ts";
import { decode } from "../../core/cpu/isa/decoder.ts";
import { disassemble } from "../../core/cpu/isa/disasm.ts";
import type { Instr } from "../../core/cpu/isa/instr.ts";
import { type Outcome, VECTOR_KINDS } from "./outcome.ts";
import { type Case, CODE_BASE, initialData, type Placed } from "./program.ts";
import { type Undefined, undefinedParts } from "./undefined.ts";

const REGS = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
const SREGS = ["es", "cs", "ss", "ds", "fs", "gs"];
/** RF: set in the EFLAGS image the CPU saves for a fault; not guest-visible state. */
const RF = 0x10000;
/** Vectors the CPU reports after the instruction (traps): INTO. */
const TRAP_VECTORS = new Set([4]);

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
  const regs = c.regs.map((r, k) => `${REGS[k]}=${hex(r)}`).join(" ");
  return `[${c.form}] ${bytes}  ${text}\n    start: ${regs} eflags=${hex(c.eflags)}` +
    (c.preop.length ? ` preop: ${c.preop[1]}` : "") + (c.ea !== undefined ? ` ea=${hex(c.ea)}` : "");
}

/** What undefined.ts masks for a case. */
export function masksFor(c: Case, instr: Instr | undefined, native: Outcome): Undefined {
  if (!instr) return { flags: 0, regs: new Array(8).fill(0), mem: new Set() };
  return undefinedParts(instr, { faulted: native.fault !== "ok", regs: c.regs, data: initialData(c), ea: c.ea });
}

/** Differences between the native and fx86 outcomes (empty when they agree), after masking `u`. */
export function compareOutcomes(native: Outcome, fx: Outcome, u: Undefined, instr: Instr | undefined): string[] {
  const problems: string[] = [];
  if (native.fault === "ok") {
    if (fx.fault !== "ok") return [`native completed, fx86 faulted: ${fx.fault} at ${hex(fx.eip)} (addr ${hex(fx.addr)})`];
    if (native.path !== fx.path) problems.push(`path: native ${native.path} fx86 ${fx.path}`);
  } else {
    const kinds = VECTOR_KINDS[native.trapno!] ?? [];
    if (!kinds.includes(fx.fault)) {
      return [`native ${native.fault} vector ${native.trapno} at ${hex(native.eip)} (addr ${hex(native.addr)}), fx86 ${fx.fault} at ${hex(fx.eip)}`];
    }
    const expectEip = TRAP_VECTORS.has(native.trapno!) && instr ? (fx.eip + instr.len) >>> 0 : fx.eip;
    if (native.eip !== expectEip) problems.push(`fault eip: native ${hex(native.eip)} fx86 ${hex(fx.eip)}`);
    if (native.trapno === 14 && native.addr !== fx.addr) {
      problems.push(`fault address: native ${hex(native.addr)} fx86 ${hex(fx.addr)}`);
    }
  }
  for (let k = 0; k < 8; k++) {
    const m = ~u.regs[k];
    if ((native.regs[k] & m) !== (fx.regs[k] & m)) {
      problems.push(`${REGS[k]}: native ${hex(native.regs[k])} fx86 ${hex(fx.regs[k])}${u.regs[k] ? ` (mask ${hex(u.regs[k])})` : ""}`);
    }
  }
  const fm = ~(u.flags | (native.fault === "ok" ? 0 : RF));
  if ((native.eflags & fm) !== (fx.eflags & fm)) {
    problems.push(`eflags: native ${hex(native.eflags)} fx86 ${hex(fx.eflags)} (differ ${hex((native.eflags ^ fx.eflags) & fm)}, undefined ${hex(u.flags)})`);
  }
  for (let k = 0; k < 6; k++) {
    if (native.sregs[k] !== fx.sregs[k]) problems.push(`${SREGS[k]}: native ${hex(native.sregs[k])} fx86 ${hex(fx.sregs[k])}`);
  }
  const offsets = new Set([...native.diff.keys(), ...fx.diff.keys()]);
  const wrong: string[] = [];
  for (const off of [...offsets].sort((a, b) => a - b)) {
    if (u.mem.has(off)) continue;
    const a = native.diff.get(off), b = fx.diff.get(off);
    if (a !== b) wrong.push(`+${hex(off)}: native ${a === undefined ? "-" : hex(a)} fx86 ${b === undefined ? "-" : hex(b)}`);
  }
  if (wrong.length) problems.push(`memory: ${wrong.slice(0, 8).join(", ")}${wrong.length > 8 ? ` (${wrong.length} bytes)` : ""}`);
  return problems;
}

/** Block mode and single-step mode must agree exactly. */
export function sameOutcome(a: Outcome, b: Outcome): boolean {
  const plain = (o: Outcome) => JSON.stringify({ ...o, diff: [...o.diff] });
  return plain(a) === plain(b);
}
