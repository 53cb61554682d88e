/**
 * What Intel leaves undefined: the one table of masks the differential
 * test applies before comparing fx86 with the real CPU. Everything not
 * masked here must be bit-identical. References are to the Intel SDM
 * Vol. 2 instruction pages ("Flags Affected" sections unless noted).
 * fx86's own choices for these cases are documented in docs/cpu.md.
 */
import { mnemonicOf } from "../../core/cpu/isa/decoder.ts";
import type { Instr } from "../../core/cpu/isa/instr.ts";
import { specSize } from "../../core/cpu/isa/operands.ts";
import { DATA_BASE, DATA_SIZE } from "./program.ts";

export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
const ALL = CF | PF | AF | ZF | SF | OF;

export interface Undefined {
  /** EFLAGS bits. */
  flags: number;
  /** Bits of each of EAX..EDI. */
  regs: number[];
  /** Offsets in the data pages. */
  mem: Set<number>;
}

/** What the instruction reads, for the conditions below. */
export interface Inputs {
  /** True when the instruction faulted. */
  faulted: boolean;
  /** EAX..EDI before the instruction. */
  regs: number[];
  /** The data pages before the instruction. */
  data: Uint8Array;
  /** Linear address of the memory operand, if any. */
  ea?: number;
}

function regValue(x: Inputs, n: number, size: number): number {
  if (size === 8 && n >= 4) return (x.regs[n - 4] >>> 8) & 0xff;
  return size === 32 ? x.regs[n] : x.regs[n] & ((1 << size) - 1);
}

function memValue(x: Inputs, size: number): number {
  const off = x.ea! - DATA_BASE;
  let v = 0;
  for (let k = size / 8 - 1; k >= 0; k--) v = (v << 8) | (x.data[off + k] ?? 0);
  return v;
}

/** The value operand `k` has before the instruction. */
function operand(i: Instr, x: Inputs, k: number): number {
  const spec = i.def.operands[k];
  const size = specSize(spec, i.opsize);
  switch (spec) {
    case "1":
      return 1;
    case "CL":
      return regValue(x, 1, 8);
    case "Ib": // the count of a shift (the only immediate these instructions have)
      return i.imm & 0xff;
    case "Gb": case "Gw": case "Gv":
      return regValue(x, i.reg, size);
    default:
      return i.mod === 3 ? regValue(x, i.rm, size) : memValue(x, size);
  }
}

/** Marks the destination (operand 0: a register's low bits or the memory bytes) undefined. */
function destination(i: Instr, x: Inputs, u: Undefined): void {
  const size = specSize(i.def.operands[0], i.opsize);
  if (i.mod !== 3) {
    for (let k = 0; k < size / 8; k++) u.mem.add(x.ea! - DATA_BASE + k);
  } else if (size === 8 && i.rm >= 4) u.regs[i.rm - 4] |= 0xff00;
  else u.regs[i.rm] |= size === 32 ? -1 : (1 << size) - 1;
}

type Rule = (i: Instr, x: Inputs, u: Undefined) => void;

/** SHL/SAL/SHR/SAR: AF for a non-zero count, OF unless the count is 1, CF of SHL/SHR when count >= size. */
const shift = (logical: boolean): Rule => (i, x, u) => {
  const count = operand(i, x, 1) & 31;
  if (count === 0) return;
  u.flags |= AF;
  if (count !== 1) u.flags |= OF;
  if (logical && count >= specSize(i.def.operands[0], i.opsize)) u.flags |= CF;
};

/** ROL/ROR/RCL/RCR: OF unless the masked count is 0 or 1. */
const rotate: Rule = (i, x, u) => {
  if ((operand(i, x, 1) & 31) > 1) u.flags |= OF;
};

/** SHLD/SHRD: AF for a non-zero count, OF above 1; result and flags when count > operand size. */
const doubleShift: Rule = (i, x, u) => {
  const count = operand(i, x, 2) & 31;
  if (count === 0) return;
  u.flags |= AF;
  if (count > 1) u.flags |= OF;
  if (count > specSize(i.def.operands[0], i.opsize)) {
    u.flags |= ALL;
    destination(i, x, u);
  }
};

/** BSF/BSR: CF, OF, SF, AF, PF; the destination when the source is zero. */
const bitScan: Rule = (i, x, u) => {
  u.flags |= CF | OF | SF | AF | PF;
  if (operand(i, x, 1) === 0) {
    const size = specSize(i.def.operands[0], i.opsize);
    u.regs[i.reg] |= size === 32 ? -1 : (1 << size) - 1;
  }
};

const flags = (bits: number): Rule => (_i, _x, u) => {
  u.flags |= bits;
};

/**
 * The mask table. Keys are mnemonics as fx86 names them (32-bit names of
 * size pairs).
 */
const RULES: Record<string, Rule> = {
  // AND/OR/XOR/TEST: "The state of the AF flag is undefined."
  and: flags(AF),
  or: flags(AF),
  xor: flags(AF),
  test: flags(AF),
  // MUL/IMUL: "The SF, ZF, AF, and PF flags are undefined."
  mul: flags(SF | ZF | AF | PF),
  imul: flags(SF | ZF | AF | PF),
  // DIV/IDIV: "The CF, OF, SF, ZF, AF, and PF flags are undefined."
  div: flags(ALL),
  idiv: flags(ALL),
  // SAL/SAR/SHL/SHR: see `shift`.
  shl: shift(true),
  sal: shift(true),
  shr: shift(true),
  sar: shift(false),
  // RCL/RCR/ROL/ROR: "the OF flag is undefined" for masked counts above 1.
  rol: rotate,
  ror: rotate,
  rcl: rotate,
  rcr: rotate,
  // SHLD/SHRD: "If the count is greater than the operand size, the result is undefined"
  // and so are the flags; OF is undefined for shifts of more than 1 bit, AF always.
  shld: doubleShift,
  shrd: doubleShift,
  // BSF/BSR: "The CF, OF, SF, AF, and PF flags are undefined"; the destination is undefined for a zero source.
  bsf: bitScan,
  bsr: bitScan,
  // BT/BTS/BTR/BTC: "The OF, SF, AF, and PF flags are undefined."
  bt: flags(OF | SF | AF | PF),
  bts: flags(OF | SF | AF | PF),
  btr: flags(OF | SF | AF | PF),
  btc: flags(OF | SF | AF | PF),
  // AAA/AAS: "The OF, SF, ZF, and PF flags are undefined."
  aaa: flags(OF | SF | ZF | PF),
  aas: flags(OF | SF | ZF | PF),
  // DAA/DAS: "The OF flag is undefined."
  daa: flags(OF),
  das: flags(OF),
  // AAM/AAD: "The OF, AF, and CF flags are undefined."
  aam: flags(OF | AF | CF),
  aad: flags(OF | AF | CF),
  // BSWAP: "When the BSWAP instruction references a 16-bit register, the result is undefined."
  bswap: (i, _x, u) => {
    if (i.opsize === 16) u.regs[i.opcode & 7] |= 0xffff;
  },
  // ENTER with a nesting level faults "if a write using the final value of the stack pointer would
  // cause a page fault"; the SDM does not say whether the frame was pushed by then (this AMD
  // pushes it first): after such a fault the stack below ESP is not compared.
  enter: (i, x, u) => {
    if (!x.faulted) return;
    const top = x.regs[4] - DATA_BASE;
    for (let k = 1; k <= (i.opsize >> 3) * 33; k++) u.mem.add(top - k);
  },
  // PUSH Sreg with a 32-bit operand size: "either a zero-extended value is pushed on the stack
  // or the segment selector is written on the stack using a 16-bit move" (PUSH, Description).
  push: (i, x, u) => {
    if (i.opsize === 32 && ["ES", "CS", "SS", "DS", "FS", "GS"].includes(i.def.operands[0])) {
      const top = x.regs[4] - DATA_BASE;
      u.mem.add(top - 2);
      u.mem.add(top - 1);
    }
  },
};

/** The undefined parts of the state after `i` runs from `x`. */
export function undefinedParts(i: Instr, x: Inputs): Undefined {
  const u: Undefined = { flags: 0, regs: new Array(8).fill(0), mem: new Set() };
  RULES[mnemonicOf(i)]?.(i, x, u);
  for (const off of [...u.mem]) if (off < 0 || off >= DATA_SIZE) u.mem.delete(off);
  return u;
}

/** The mnemonics the table masks something for (the coverage report lists them). */
export const MASKED_MNEMONICS: readonly string[] = Object.keys(RULES);
