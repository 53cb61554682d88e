/**
 * Operand specifications, in the notation of Intel's opcode map (SDM vol. 2,
 * appendix A), and what the decoder makes of them.
 *
 * Size letters: b = byte, w = word, d = dword, v = word or dword by operand
 * size, z = like v for immediates (never 64-bit here), p = far pointer,
 * q = quadword, a = BOUND pair.
 */
export type OperandSpec =
  | "Eb" | "Ew" | "Ed" | "Ev" // ModRM r/m
  | "Rd" // ModRM r/m, register form only
  | "Gb" | "Gw" | "Gv" // ModRM reg
  | "Sw" // segment register in ModRM reg
  | "M" | "Mq" | "Mp" | "Ma" // memory-only ModRM r/m
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
    case "Ew": case "Sw": case "Iw": case "DX":
    case "ES": case "CS": case "SS": case "DS": case "FS": case "GS":
      return 16;
    case "Ed": case "Rd":
      return 32;
    case "Mq":
      return 64;
    default:
      return opsize;
  }
}

/** True if the spec is encoded in a ModRM byte. */
export function usesModrm(spec: OperandSpec): boolean {
  return spec[0] === "E" || spec[0] === "G" || spec[0] === "M" ||
    spec === "Sw" || spec === "Rd";
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
