/**
 * One structural view of a decoded instruction, built either from iced-x86
 * (the independent oracle) or from fx86's decoder, so the two can be
 * compared field by field: length, mnemonic, and operands (registers,
 * memory base/index/scale/displacement/segment override/size, immediates,
 * branch targets, far pointers).
 *
 * Naming differences are normalised in ONE place, `ICED_TO_FX86` below.
 */
import {
  type Instruction,
  MemorySize,
  MemorySizeExt,
  Mnemonic,
  OpKind,
  Register,
} from "iced-x86";
import { mnemonicOf } from "../../core/cpu/isa/decoder.ts";
import { REG16, REG32, REG8, SEG } from "../../core/cpu/isa/disasm.ts";
import type { Instr } from "../../core/cpu/isa/instr.ts";
import { type OperandSpec, specSize } from "../../core/cpu/isa/operands.ts";

export type Operand =
  | { kind: "reg"; name: string }
  | {
    kind: "mem";
    base: string;
    index: string;
    scale: number;
    disp: number;
    /** Segment override prefix ("" if none); "es" for the fixed ES:EDI string operand. */
    seg: string;
    /** Bytes accessed; 0 when not compared (LEA, hint NOPs, descriptor tables). */
    size: number;
  }
  | { kind: "imm"; value: number; size: number }
  | { kind: "near"; target: number }
  | { kind: "far"; selector: number; offset: number };

export type MemoryOperand = Extract<Operand, { kind: "mem" }>;

export interface Normal {
  len: number;
  mnemonic: string;
  operands: Operand[];
  lock: boolean;
}

/**
 * iced-x86 mnemonics whose fx86 name differs. fx86 follows NASM for the
 * 16-bit forms of the size-suffixed mnemonics (PUSHAW, POPFW, IRETW), iced
 * follows Intel (PUSHA, POPF, IRET). The hint-NOP space and F3-prefixed
 * instructions an i686 runs as their unprefixed form are handled by
 * `i686Meaning` in iced_rules.ts, not here.
 */
export const ICED_TO_FX86: Record<string, string> = {
  pusha: "pushaw",
  popa: "popaw",
  pushf: "pushfw",
  popf: "popfw",
  iret: "iretw",
};

export function icedMnemonic(m: Mnemonic): string {
  const name = Mnemonic[m].toLowerCase();
  return ICED_TO_FX86[name] ?? name;
}

function icedReg(r: Register): string {
  return Register[r].toLowerCase();
}

function icedMemory(ins: Instruction, seg: string, size = true): Operand {
  const adsize = ins.memoryDisplSize === 2 ||
      [Register.BX, Register.BP, Register.SI, Register.DI].includes(ins.memoryBase) ||
      [Register.SI, Register.DI].includes(ins.memoryIndex)
    ? 16
    : 32;
  const disp = Number(BigInt.asUintN(adsize, ins.memoryDisplacement));
  const index = ins.memoryIndex === Register.None ? "" : icedReg(ins.memoryIndex);
  return {
    kind: "mem",
    base: ins.memoryBase === Register.None ? "" : icedReg(ins.memoryBase),
    index,
    scale: index ? ins.memoryIndexScale : 1,
    disp,
    seg,
    size: size && ins.memorySize !== MemorySize.Unknown ? MemorySizeExt.size(ins.memorySize) : 0,
  };
}

function prefixName(ins: Instruction): string {
  return ins.segmentPrefix === Register.None ? "" : icedReg(ins.segmentPrefix);
}

const IMM_SIZE: Partial<Record<OpKind, number>> = {
  [OpKind.Immediate8]: 8,
  [OpKind.Immediate8_2nd]: 8,
  [OpKind.Immediate16]: 16,
  [OpKind.Immediate32]: 32,
  [OpKind.Immediate8to16]: 16,
  [OpKind.Immediate8to32]: 32,
};

/** The operands of an iced instruction, in iced's order. */
export function icedOperands(ins: Instruction): Operand[] {
  const out: Operand[] = [];
  for (let k = 0; k < ins.opCount; k++) {
    const kind = ins.opKind(k);
    switch (kind) {
      case OpKind.Register:
        out.push({ kind: "reg", name: icedReg(ins.opRegister(k)) });
        break;
      case OpKind.NearBranch16:
      case OpKind.NearBranch32:
        out.push({ kind: "near", target: Number(ins.nearBranchTarget) >>> 0 });
        break;
      case OpKind.FarBranch16:
        out.push({ kind: "far", selector: ins.farBranchSelector, offset: ins.farBranch16 });
        break;
      case OpKind.FarBranch32:
        out.push({ kind: "far", selector: ins.farBranchSelector, offset: ins.farBranch32 >>> 0 });
        break;
      case OpKind.Memory:
        out.push(icedMemory(ins, prefixName(ins)));
        break;
      case OpKind.MemorySegSI:
      case OpKind.MemorySegESI:
      case OpKind.MemorySegDI:
      case OpKind.MemorySegEDI:
      case OpKind.MemoryESDI:
      case OpKind.MemoryESEDI: {
        const si = kind === OpKind.MemorySegSI || kind === OpKind.MemorySegESI;
        const wide = kind === OpKind.MemorySegESI || kind === OpKind.MemorySegEDI ||
          kind === OpKind.MemoryESEDI;
        out.push({
          kind: "mem",
          base: (wide ? "e" : "") + (si ? "si" : "di"),
          index: "",
          scale: 1,
          disp: 0,
          seg: si ? prefixName(ins) : "es",
          size: MemorySizeExt.size(ins.memorySize),
        });
        break;
      }
      default: {
        const size = IMM_SIZE[kind];
        if (size === undefined) throw new Error(`unexpected iced operand kind ${OpKind[kind]}`);
        const v = Number(BigInt.asUintN(size, ins.immediate(k)));
        out.push({ kind: "imm", value: v, size });
      }
    }
  }
  return out;
}

function regName(n: number, size: number): string {
  return size === 32 ? REG32[n] : size === 16 ? REG16[n] : REG8[n];
}

function mask(v: number, size: number): number {
  return size === 32 ? v >>> 0 : v & ((1 << size) - 1);
}

/** Memory-operand bytes of a spec, or 0 where fx86 does not define one. */
function memorySize(spec: OperandSpec, i: Instr): number {
  switch (spec) {
    case "M":
      return 0;
    case "Mp":
      return i.opsize / 8 + 2;
    case "Ma":
      return i.opsize / 4;
    case "Rv/Mw":
      return 2;
    default:
      return specSize(spec, i.opsize) / 8;
  }
}

/** The ModRM memory operand of an fx86 instruction (size 0: not compared). */
export function fx86Memory(i: Instr): MemoryOperand {
  return { ...modrmMemory(i, "M"), size: 0 };
}

function modrmMemory(i: Instr, spec: OperandSpec): MemoryOperand {
  const names = i.adsize === 16 ? REG16 : REG32;
  return {
    kind: "mem",
    base: i.base >= 0 ? names[i.base] : "",
    index: i.index >= 0 ? names[i.index] : "",
    scale: i.index >= 0 ? 1 << i.scale : 1,
    disp: mask(i.disp, i.adsize),
    seg: i.seg >= 0 ? SEG[i.seg] : "",
    size: memorySize(spec, i),
  };
}

/** The operands of an fx86 instruction, from its table row's operand specs. */
export function fx86Operands(i: Instr): Operand[] {
  let immIndex = 0;
  const imm = () => (immIndex++ === 0 ? i.imm : i.imm2);
  return i.def.operands.map((spec): Operand => {
    const size = specSize(spec, i.opsize);
    switch (spec) {
      case "Ib": case "Iw": case "Iz": case "Ibs":
        return { kind: "imm", value: mask(imm(), size), size };
      case "1":
        return { kind: "imm", value: 1, size: 8 };
      case "Jb": case "Jz": {
        const t = (i.addr + i.len + imm()) | 0;
        return { kind: "near", target: i.opsize === 16 ? t & 0xffff : t >>> 0 };
      }
      case "Ap":
        return { kind: "far", selector: i.imm2 & 0xffff, offset: mask(imm(), i.opsize) };
      case "Ob": case "Ov":
        return {
          kind: "mem",
          base: "",
          index: "",
          scale: 1,
          disp: mask(i.imm, i.adsize),
          seg: i.seg >= 0 ? SEG[i.seg] : "",
          size: size / 8,
        };
      case "Zb": case "Zv":
        return { kind: "reg", name: regName(i.opcode & 7, size) };
      case "Gb": case "Gw": case "Gv":
        return { kind: "reg", name: regName(i.reg, size) };
      case "Sw":
        return { kind: "reg", name: SEG[i.reg] };
      case "Cd":
        return { kind: "reg", name: `cr${i.reg}` };
      case "Dd":
        return { kind: "reg", name: `dr${i.reg}` };
      case "AL": case "eAX":
        return { kind: "reg", name: regName(0, size) };
      case "CL":
        return { kind: "reg", name: "cl" };
      case "DX":
        return { kind: "reg", name: "dx" };
      case "ES": case "CS": case "SS": case "DS": case "FS": case "GS":
        return { kind: "reg", name: spec.toLowerCase() };
      case "Xb": case "Xv": case "Yb": case "Yv": {
        const x = spec[0] === "X";
        return {
          kind: "mem",
          base: (i.adsize === 32 ? "e" : "") + (x ? "si" : "di"),
          index: "",
          scale: 1,
          disp: 0,
          seg: x ? (i.seg >= 0 ? SEG[i.seg] : "") : "es",
          size: size / 8,
        };
      }
      case "Rv/Mw":
        return i.mod === 3 ? { kind: "reg", name: regName(i.rm, i.opsize) } : modrmMemory(i, spec);
      case "Rd":
        return { kind: "reg", name: REG32[i.rm] };
      case "Vx":
        return { kind: "reg", name: `xmm${i.reg}` };
      case "Pq":
        return { kind: "reg", name: `mm${i.reg}` };
      case "Gd":
        return { kind: "reg", name: REG32[i.reg] };
      case "Ux": case "Wx": case "Wq": case "Wd":
        return i.mod === 3 ? { kind: "reg", name: `xmm${i.rm}` } : modrmMemory(i, spec);
      case "Nq": case "Qq": case "Qd":
        return i.mod === 3 ? { kind: "reg", name: `mm${i.rm}` } : modrmMemory(i, spec);
      case "Ry/Mw":
        return i.mod === 3 ? { kind: "reg", name: REG32[i.rm] } : modrmMemory(i, spec);
      default:
        return i.mod === 3 ? { kind: "reg", name: regName(i.rm, size) } : modrmMemory(i, spec);
    }
  });
}

export function fx86Normal(i: Instr): Normal {
  return { len: i.len, mnemonic: mnemonicOf(i), operands: fx86Operands(i), lock: i.lock };
}

/** Instructions whose DS:EDI operand iced lists and fx86's table leaves implicit. */
const IMPLICIT_EDI = new Set([Mnemonic.Maskmovq, Mnemonic.Maskmovdqu]);

export function icedNormal(ins: Instruction): Normal {
  const operands = icedOperands(ins);
  return {
    len: ins.length,
    mnemonic: icedMnemonic(ins.mnemonic),
    operands: IMPLICIT_EDI.has(ins.mnemonic) ? operands.slice(1) : operands,
    lock: ins.hasLockPrefix,
  };
}
