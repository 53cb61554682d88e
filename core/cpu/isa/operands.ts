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
  | "Xb" | "Xv" | "Yb" | "Yv"; // string source DS:ESI / destination ES:EDI

/** Operand size of a spec given the instruction's operand size (16 or 32). */
export function specSize(spec: OperandSpec, opsize: number): number {
  switch (spec) {
    case "Eb": case "Gb": case "Ib": case "Jb": case "Ob": case "Zb":
    case "AL": case "CL": case "Xb": case "Yb":
      return 8;
    case "Ew": case "Sw": case "Iw": case "DX": case "Rv/Mw":
    case "ES": case "CS": case "SS": case "DS": case "FS": case "GS":
      return 16;
    case "Ed": case "Rd": case "Cd": case "Dd":
      return 32;
    case "Ms":
      return 48;
    case "Mq":
      return 64;
    default:
      return opsize;
  }
}

const MODRM_SPECS: ReadonlySet<string> = new Set<OperandSpec>([
  "Eb", "Ew", "Ed", "Ev", "Rd", "Rv/Mw", "Gb", "Gw", "Gv", "Cd", "Dd", "Sw",
  "M", "Mq", "Mp", "Ma", "Ms",
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
