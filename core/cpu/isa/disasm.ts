import { describeX87 } from "../x87/x87.ts";
import { decode, type Fetch, mnemonicOf } from "./decoder.ts";
import { hasMemoryOperand, type Instr } from "./instr.ts";
import { type OperandSpec, specSize } from "./operands.ts";
import { DS, EBP, ESP, SS } from "../state.ts";

export const REG32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
export const REG16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"];
export const REG8 = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"];
export const SEG = ["es", "cs", "ss", "ds", "fs", "gs"];

const PTR: Record<number, string> = {
  8: "byte",
  16: "word",
  32: "dword",
  48: "fword",
  64: "qword",
  80: "tbyte",
  128: "xmmword",
};

const X87_MEMORY: Record<string, number> = {
  m16int: 16,
  m2byte: 16,
  m32fp: 32,
  m32int: 32,
  m64fp: 64,
  m64int: 64,
  m80fp: 80,
  m80bcd: 80,
};

function hex(v: number): string {
  return "0x" + (v >>> 0).toString(16);
}

function regName(n: number, size: number): string {
  return size === 32 ? REG32[n] : size === 16 ? REG16[n] : REG8[n];
}

/**
 * The memory operand `[base+index*scale+disp]` with its segment override
 * (`address` = true for LEA, which only computes the offset).
 */
function memory(i: Instr, size: number | undefined, address = false): string {
  const names = i.adsize === 16 ? REG16 : REG32;
  const parts: string[] = [];
  if (i.base >= 0) parts.push(names[i.base]);
  if (i.index >= 0) parts.push(names[i.index] + (i.scale ? `*${1 << i.scale}` : ""));
  let text = parts.join("+");
  if (i.disp !== 0 || parts.length === 0) {
    const d = i.adsize === 16 && parts.length ? (i.disp << 16) >> 16 : i.disp;
    if (parts.length === 0) text = hex(i.adsize === 16 ? d & 0xffff : d);
    else text += d < 0 ? `-${hex(-d)}` : `+${hex(d)}`;
  }
  const stackBased = i.base === ESP || i.base === EBP; // BP is 5 in 16-bit forms too
  const seg = address ? "" : override(i, stackBased ? SS : DS);
  const ptr = size !== undefined && PTR[size] ? `${PTR[size]} ptr ` : "";
  return `${ptr}${seg}[${text}]`;
}

/** "fs:" for a segment override, "" when there is none or it names the default segment. */
function override(i: Instr, defaultSeg: number): string {
  return i.seg >= 0 && i.seg !== defaultSeg ? `${SEG[i.seg]}:` : "";
}

/** A string instruction's DS:ESI (override allowed) or ES:EDI (fixed) operand. */
function stringOperand(i: Instr, reg: "esi" | "edi", size: number): string {
  const name = i.adsize === 16 ? reg.slice(1) : reg;
  const seg = reg === "edi" ? "" : override(i, DS);
  return `${PTR[size]} ptr ${seg}[${name}]`;
}

function operand(i: Instr, spec: OperandSpec, immIndex: number): string {
  const size = specSize(spec, i.opsize);
  const imm = immIndex === 0 ? i.imm : i.imm2;
  switch (spec) {
    case "Ib": case "Iw": case "Iz":
      return hex(size === 32 ? imm : imm & ((1 << size) - 1));
    case "Ibs":
      return hex(i.opsize === 16 ? imm & 0xffff : imm);
    case "Jb": case "Jz": {
      const t = (i.addr + i.len + i.imm) | 0;
      return hex(i.opsize === 16 ? t & 0xffff : t);
    }
    case "Ap":
      return `${hex(i.imm2 & 0xffff)}:${hex(i.imm)}`;
    case "Ob": case "Ov":
      return `${PTR[size]} ptr ${override(i, DS)}[${hex(i.imm)}]`;
    case "Zb": case "Zv":
      return regName(i.opcode & 7, size);
    case "Gb": case "Gw": case "Gv":
      return regName(i.reg, size);
    case "Sw":
      return SEG[i.reg];
    case "Cd":
      return `cr${i.reg}`;
    case "Dd":
      return `dr${i.reg}`;
    case "Rd":
      return REG32[i.rm];
    case "Rv/Mw":
      return hasMemoryOperand(i) ? memory(i, 16) : regName(i.rm, i.opsize);
    case "Xb": case "Xv":
      return stringOperand(i, "esi", size);
    case "Yb": case "Yv":
      return stringOperand(i, "edi", size);
    case "AL": case "eAX":
      return regName(0, size);
    case "CL":
      return "cl";
    case "DX":
      return "dx";
    case "1":
      return "1";
    case "ES": case "CS": case "SS": case "DS": case "FS": case "GS":
      return spec.toLowerCase();
    case "M":
      return memory(i, undefined, mnemonicOf(i) === "lea");
    case "Mp":
      return memory(i, i.opsize + 16);
    case "Ma":
      return memory(i, i.opsize * 2);
    case "Mq":
      return memory(i, 64);
    case "Ms":
      return memory(i, 48);
    case "Vx":
      return `xmm${i.reg}`;
    case "Pq":
      return `mm${i.reg}`;
    case "Gd":
      return REG32[i.reg];
    case "Ux": case "Wx": case "Wq": case "Wd":
      return hasMemoryOperand(i) ? memory(i, size) : `xmm${i.rm}`;
    case "Nq": case "Qq": case "Qd":
      return hasMemoryOperand(i) ? memory(i, size) : `mm${i.rm}`;
    case "Ry/Mw":
      return hasMemoryOperand(i) ? memory(i, 16) : REG32[i.rm];
    case "Mz":
      return memory(i, undefined);
    default:
      return hasMemoryOperand(i) ? memory(i, size) : regName(i.rm, size);
  }
}

const IMMEDIATE_SPECS = new Set(["Ib", "Iw", "Iz", "Ibs", "Jb", "Jz", "Ap", "Ob", "Ov"]);

const PREDICATES = ["eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord"];

/** CMPPS/CMPPD/CMPSS/CMPSD with a predicate below 8 print as their pseudo-op (CMPLTPS...), as assemblers write them. */
function comparePredicate(i: Instr): string | undefined {
  const m = mnemonicOf(i);
  const sse = i.def.operands[0] === "Vx"; // not the string instruction CMPSD
  return sse && /^cmp(ps|pd|ss|sd)$/.test(m) && (i.imm & 255) < 8 ? "cmp" + PREDICATES[i.imm & 255] + m.slice(3) : undefined;
}

/** The operands of a decoded instruction, formatted in Intel syntax. */
export function formatOperands(i: Instr): string[] {
  if (i.def.mnemonic === "x87") {
    const d = describeX87(i.opcode, i.modrm)!;
    return d.operands.map((o) =>
      o in X87_MEMORY || o.startsWith("m") ? memory(i, X87_MEMORY[o]) : o.replace(/^st(\d)$/, "st($1)")
    );
  }
  // String instructions show their memory operands, not the implied accumulator.
  const specs = i.def.string
    ? i.def.operands.filter((s) => s[0] === "X" || s[0] === "Y")
    : i.def.operands;
  let immIndex = 0;
  const out = specs.map((spec) => {
    const text = operand(i, spec, immIndex);
    if (IMMEDIATE_SPECS.has(spec) && spec !== "Ob" && spec !== "Ov") immIndex++;
    return text;
  });
  // MASKMOVQ/MASKMOVDQU store to DS:EDI; an override shows as a last operand (as iced-x86 writes it).
  const seg = mnemonicOf(i).startsWith("maskmov") ? override(i, DS) : "";
  if (seg) out.push(seg.slice(0, -1));
  return comparePredicate(i) ? out.slice(0, 2) : out;
}

/** The mnemonic of a decoded instruction, with any REP/LOCK prefix. */
export function formatMnemonic(i: Instr): string {
  const name = i.def.mnemonic === "x87" ? describeX87(i.opcode, i.modrm)!.mnemonic : comparePredicate(i) ?? mnemonicOf(i);
  let prefix = i.lock ? "lock " : "";
  if (i.def.string && i.rep) {
    prefix += i.rep === 0xf2 ? "repne " : i.def.string === "repcc" ? "repe " : "rep ";
  }
  return prefix + name;
}

/**
 * Formats one instruction in Intel syntax.
 *
 * @example
 * disassemble((a) => bytes[a], 0); // { text: "add eax, ebx", len: 2 } for 01 d8
 */
export function disassemble(fetch: Fetch, addr: number): { text: string; len: number } {
  const i = decode(fetch, addr);
  const ops = formatOperands(i);
  return { text: formatMnemonic(i) + (ops.length ? " " + ops.join(", ") : ""), len: i.len };
}
