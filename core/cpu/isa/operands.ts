/**
 * Operand specifications, in the notation of Intel's opcode map (SDM vol. 2,
 * appendix A), and what the decoder makes of them.
 *
 * Size letters: b = byte, w = word, d = dword, v = word or dword by operand
 * size, z = like v for immediates (never 64-bit here), p = far pointer,
 * q = quadword, a = BOUND pair, s = 6-byte descriptor-table pseudo-descriptor.
 */
export type OperandSpec =
  | "Eb" | "Ew" | "Ed" | "Ev" // ModRM r/m
  | "Rd" // ModRM r/m as a register whatever ModRM.mod says (MOV to/from CRn/DRn)
  | "Rv/Mw" // ModRM r/m: a v-sized register or a word in memory (SLDT, LAR, ...)
  | "Gb" | "Gw" | "Gv" // ModRM reg
  | "Cd" | "Dd" // control / debug register in ModRM reg
  | "Sw" // segment register in ModRM reg
  | "M" | "Mq" | "Mp" | "Ma" | "Ms" // memory-only ModRM r/m
  | "Ib" | "Iw" | "Iz" | "Ibs" // immediates (Ibs: sign-extended byte)
  | "Jb" | "Jz" // relative branch targets
  | "Ap" // far pointer immediate
  | "Ob" | "Ov" // moffs: absolute address
  | "Zb" | "Zv" // register in the low three opcode bits
  | "AL" | "CL" | "DX" | "eAX" // fixed registers
  | "ES" | "CS" | "SS" | "DS" | "FS" | "GS" // fixed segment registers
  | "1" // the constant 1 (shift by one)
  | "Xb" | "Xv" | "Yb" | "Yv" // string source DS:ESI / destination ES:EDI
  | VectorSpec;

/**
 * Operands of MMX/SSE instructions (core/cpu/sse). V/U/W name XMM
 * registers (ModRM.reg, ModRM.r/m register only, r/m register or memory),
 * P/N/Q the MMX registers the same way; the size letter is the memory
 * operand's: x = 128 bits, q = 64, d = 32, w = 16. Gd is a general
 * register in ModRM.reg, Ry/Mw a general register or a word in memory
 * (PINSRW), Mx/Md/Mb memory-only operands, Mz the 512-byte FXSAVE area.
 */
export type VectorSpec =
  | "Vx" | "Ux" | "Wx" | "Wq" | "Wd"
  | "Pq" | "Nq" | "Qq" | "Qd"
  | "Gd" | "Ry/Mw" | "Mx" | "Md" | "Mb" | "Mz";

/** Bytes a vector spec's operand holds (a register operand of W/Q specs still names a whole register). */
export const VECTOR_BYTES: Readonly<Record<VectorSpec, number>> = {
  Vx: 16, Ux: 16, Wx: 16, Wq: 8, Wd: 4, Pq: 8, Nq: 8, Qq: 8, Qd: 4, Gd: 4, "Ry/Mw": 2, Mx: 16, Md: 4, Mb: 1, Mz: 512,
};

/** True for the operand specs of MMX/SSE instructions. */
export function isVectorSpec(spec: OperandSpec): spec is VectorSpec {
  return spec in VECTOR_BYTES;
}

/** Operand size of a spec given the instruction's operand size (16 or 32). */
export function specSize(spec: OperandSpec, opsize: number): number {
  switch (spec) {
    case "Eb": case "Gb": case "Ib": case "Jb": case "Ob": case "Zb":
    case "AL": case "CL": case "Xb": case "Yb":
      return 8;
    case "Ew": case "Sw": case "Iw": case "DX": case "Rv/Mw":
    case "ES": case "CS": case "SS": case "DS": case "FS": case "GS":
      return 16;
    case "Ed": case "Rd": case "Cd": case "Dd": case "Gd":
      return 32;
    case "Ms":
      return 48;
    case "Mq":
      return 64;
    default:
      return isVectorSpec(spec) ? VECTOR_BYTES[spec] * 8 : opsize;
  }
}

const MODRM_SPECS: ReadonlySet<string> = new Set<OperandSpec>([
  "Eb", "Ew", "Ed", "Ev", "Rd", "Rv/Mw", "Gb", "Gw", "Gv", "Cd", "Dd", "Sw",
  "M", "Mq", "Mp", "Ma", "Ms",
  "Vx", "Ux", "Wx", "Wq", "Wd", "Pq", "Nq", "Qq", "Qd", "Gd", "Ry/Mw", "Mx", "Md", "Mb", "Mz",
]);

/** True if the spec is encoded in a ModRM byte. */
export function usesModrm(spec: OperandSpec): boolean {
  return MODRM_SPECS.has(spec);
}

/** Immediate bytes a spec consumes, given operand and address size. */
export function immediateBytes(
  spec: OperandSpec,
  opsize: number,
  adsize: number,
): number {
  switch (spec) {
    case "Ib": case "Ibs": case "Jb":
      return 1;
    case "Iw":
      return 2;
    case "Iz": case "Jz":
      return opsize / 8;
    case "Ob": case "Ov":
      return adsize / 8;
    case "Ap":
      return opsize / 8 + 2;
    default:
      return 0;
  }
}
