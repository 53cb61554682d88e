/**
 * qemu-i386 (Debian's 7.2) as the differential test's layer 3, where it is
 * not the processor. Each deviation below showed up as a disagreement
 * between qemu and fx86 on a case whose form or encoding the real CPU
 * answers on layer 2 the way fx86 does (or whose answer the SDM defines,
 * where 64-bit mode cannot run it). The test accounts for each as narrowly
 * as it can, by the instruction and the outcome qemu gave, and reports how
 * often it did. Undefined results are masked by undefined.ts as for every
 * reference.
 */
import { mnemonicOf } from "../../core/cpu/isa/decoder.ts";
import { hasMemoryOperand, type Instr } from "../../core/cpu/isa/instr.ts";
import { CS } from "../../core/cpu/state.ts";
import { lockFaults } from "./long_mode.ts";
import type { Outcome } from "./outcome.ts";
import {
  type Case,
  caseInstructions,
  CODE_BASE,
  CTRL_BASE,
  DATA_BASE,
  DATA_SIZE,
  DATA_WRITABLE,
  initialData,
  type Placed,
} from "./program.ts";
import { AF, CF, OF, PF, SF, ZF } from "./undefined.ts";

/** What of qemu's outcome the test compares. */
export interface QemuReading {
  /** qemu's outcome, with what it reports wrongly undone where that is exact. */
  outcome: Outcome;
  /** EFLAGS bits, register bits and data-page offsets to mask on top of undefined.ts. */
  flags: number;
  regs: number[];
  mem: Set<number>;
  /** Set when nothing qemu gives can be compared: the (first) deviation that makes it so. */
  skip?: string;
  /** The deviations that applied (the test counts them). */
  deviations: string[];
}

/**
 * The case as qemu runs it: CMPXCHG8B without the flag-setting instruction
 * before it. qemu 7.2 builds CMPXCHG8B's EFLAGS from the previous
 * instruction's lazy flag operands instead of its flags (a garbage EFLAGS,
 * which aborts qemu when it reaches IOPL); layer 2 covers CMPXCHG8B after
 * lazy flags.
 *
 * @example
 * const runnable = forQemu(c); // c.preop dropped for CMPXCHG8B
 */
export function forQemu(c: Case): Case {
  const cmpxchg8b = caseInstructions(c).some((k) => mnemonicOf(k.instr) === "cmpxchg8b");
  return cmpxchg8b && c.preop.length ? { ...c, preop: [] } : c;
}

/** True if ENTER (with a nesting level) ends with a stack top outside the writable data pages. */
function enterFaultsAtTop(c: Case, i: Instr): boolean {
  const level = i.imm2 & 31, size = i.opsize / 8;
  const top = c.regs[4] - size * (level + 1) - (i.imm & 0xffff) - DATA_BASE;
  return level > 0 && (top < 0 || top + size > DATA_WRITABLE);
}

/** True if ARPL's memory destination already has an RPL at least the source's (nothing to write). */
function arplKeeps(c: Case, i: Instr): boolean {
  const dest = initialData(c)[c.ea! - DATA_BASE] & 3;
  return dest >= (c.regs[i.reg] & 3);
}

/** The first byte of [from, to) outside the writable data pages, if any. */
function firstUnwritable(from: number, to: number): number | undefined {
  for (let a = from; a !== to; a = (a + 1) >>> 0) if (a - DATA_BASE >>> 0 >= DATA_WRITABLE) return a;
  return undefined;
}

/**
 * Where PUSHA faults on the processor: it pushes EAX first, at the top, so
 * at the first byte that cannot be written of the highest slot that has one.
 */
function pushaFault(esp: number, size: number): number | undefined {
  for (let k = 1; k <= 8; k++) {
    const a = firstUnwritable((esp - k * size) >>> 0, (esp - (k - 1) * size) >>> 0);
    if (a !== undefined) return a;
  }
  return undefined;
}

/**
 * True for addresses away from the pages the test maps (code, data with an
 * unmapped page either side, control), where the i386 runner's own memory
 * lies under qemu (its heap from 0x40000000) and not on the processor.
 */
function runnerMemory(a: number): boolean {
  const near = (base: number, size: number) => (a - base) >>> 0 < size;
  return !near(CODE_BASE, 0x1000000) && !near(DATA_BASE - 0x1000, DATA_SIZE + 0x2000) && !near(CTRL_BASE, 0x1000);
}

/** True for 0F 18 (the PREFETCHh hint space) with a register operand: a NOP on the processor. */
function prefetchRegister(i: Instr): boolean {
  return i.twoByte && i.opcode === 0x18 && i.mod === 3;
}

/** True for TEST's F6/F7 /1 encoding, an alias of /0 on the processor. */
function testAlias(i: Instr): boolean {
  return !i.twoByte && (i.opcode === 0xf6 || i.opcode === 0xf7) && i.reg === 1;
}

/**
 * What the test compares of qemu's outcome for a case at `placed` in the
 * i386 batch: `instr` is the instruction under test as fx86 decodes it,
 * `fx` fx86's outcome (only to recognise a #GP or a fault address qemu
 * gives differently).
 *
 * @example
 * const r = readQemu(c, placed[n], instr, refs[n].outcome, fx);
 * if (!r.skip) compareOutcomes(r.outcome, fx, masks, instr, "qemu"); // masks: undefined.ts's and r's (verdict.ts)
 */
export function readQemu(c: Case, placed: Placed, instr: Instr | undefined, qemu: Outcome, fx: Outcome): QemuReading {
  // The signal frame's trapno is always -1: the fault kind comes from the signal (compare.ts).
  const r: QemuReading = {
    outcome: { ...qemu, trapno: undefined },
    flags: 0,
    regs: new Array(8).fill(0),
    mem: new Set(),
    deviations: [],
  };
  const o = r.outcome;
  const code = caseInstructions(c).map((k) => ({ i: k.instr, addr: CODE_BASE + placed.instr + k.at }));
  const undefinedAt = (addr: number) => o.fault === "signal 4" && o.eip === addr;
  const locked = code.findIndex((k) => lockFaults(k.i));
  const faultedBefore = (n: number) => o.fault !== "ok" && code.slice(0, n).some((k) => k.addr === o.eip);
  if (locked >= 0 && !undefinedAt(code[locked].addr) && !faultedBefore(locked)) {
    r.skip ??= "LOCK where the processor raises #UD runs the instruction";
  }
  if (code.some((k) => prefetchRegister(k.i) && undefinedAt(k.addr))) {
    r.skip ??= "0F 18 (the PREFETCHh hint space) with a register operand raises #UD, where the processor runs a NOP";
  }
  if (code.some((k) => testAlias(k.i) && undefinedAt(k.addr))) {
    r.skip ??= "TEST F6/F7 /1 (an alias of /0 on the processor) raises #UD";
  }
  if (!instr) return r;
  const m = mnemonicOf(instr);
  const retired = o.fault === "ok" || o.eip !== instr.addr >>> 0;
  if (m === "ret" && instr.def.operands[0] === "Iw" && (instr.imm & 0x8000) && retired) {
    // RET imm16 adds the immediate sign-extended (it is unsigned): ESP comes out 64 KiB low.
    o.regs = o.regs.map((v, k) => (k === 4 ? (v + 0x10000) | 0 : v));
    r.deviations.push("RET imm16 >= 0x8000: ESP 64 KiB low (immediate sign-extended)");
  }
  if (instr.seg === CS && hasMemoryOperand(instr) && fx.fault === "general-protection" && !(o.fault === "signal 11" && o.addr === 0)) {
    r.skip ??= "no segment type checks: a write through CS runs instead of raising #GP";
  }
  if (m === "enter" && o.fault === "ok" && enterFaultsAtTop(c, instr)) {
    r.skip ??= "ENTER with a nesting level does not fault when its final stack top is not writable";
  }
  if (m === "arpl" && hasMemoryOperand(instr) && o.fault === "signal 11" && (o.addr - c.ea!) >>> 0 < 2 && arplKeeps(c, instr)) {
    r.skip ??= "ARPL writes its memory destination back even when the RPL needs no adjusting (the SDM: only to adjust it)";
  }
  const writeFault = c.ea === undefined ? undefined : Math.max(c.ea, DATA_BASE + DATA_WRITABLE);
  if (o.fault === "signal 11" && o.addr === DATA_BASE + DATA_SIZE && fx.fault === "page" && fx.addr === writeFault) {
    // A write to an operand that runs from the read-only page into the unmapped one faults at its first
    // read-only byte (layer 2 shows it for 32-bit addresses); qemu checks the access for reading first.
    o.addr = writeFault;
    r.deviations.push("write from the read-only page into the unmapped one: fault address of the unmapped page");
  }
  const esp = o.regs[4] >>> 0, slot = instr.opsize / 8;
  const pusha = m === "pushaw" || m === "pushad" ? pushaFault(esp, slot) : undefined;
  if (o.fault === "signal 11" && pusha !== undefined) {
    // PUSHA stores its lowest slot first: its page fault names the lowest unwritable slot, and it has written
    // none of the slots above, which the processor pushes before.
    o.addr = pusha;
    for (let k = 1; k <= 8 * slot; k++) r.mem.add((esp - k - DATA_BASE) >>> 0);
    r.deviations.push("PUSHA page fault: stores the lowest slot first (fault address, slots written)");
  }
  if ((m === "rcl" || m === "rcr" || m.startsWith("set")) && hasMemoryOperand(instr) && o.fault !== "ok") {
    // These read the lazy flags before their store: when the store faults, the signal frame holds flags
    // rebuilt from half-updated lazy state, where the processor changed nothing.
    r.flags |= CF | OF | SF | ZF | AF | PF;
    r.deviations.push("RCL/RCR/SETcc faulting on memory: EFLAGS in the signal frame rebuilt from half-updated lazy flags");
  }
  if ((m.startsWith("cmps") || m.startsWith("scas")) && instr.rep !== 0 && o.fault !== "ok") {
    // A fault in REPE/REPNE CMPS or SCAS leaves the flags of the last completed iteration, where the
    // processor restores EFLAGS to their value before the instruction (the SDM's REP page; layer 2 shows it).
    r.flags |= CF | OF | SF | ZF | AF | PF;
    r.deviations.push("REPE/REPNE CMPS/SCAS faulting: EFLAGS of the last iteration, not restored");
  }
  if (m === "bswap" && instr.opsize === 16) {
    // BSWAP r16 swaps all 32 bits; undefined.ts masks only the 16-bit result.
    r.regs[instr.opcode & 7] = -1;
    r.deviations.push("BSWAP r16: swaps the whole 32-bit register");
  }
  if (fx.fault === "page" && runnerMemory(fx.addr) && o.fault === "ok") {
    r.skip ??= "memory the test does not map is the runner's own under qemu (where fx86 page-faults)";
  }
  return r;
}
