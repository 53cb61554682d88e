/**
 * Which i386 instructions the real CPU runs the same in 64-bit mode, where
 * the differential test's layer 2 runs them (program64.ts). Nearly all
 * forms with 8/16/32-bit operands do once a memory operand gets a 0x67
 * prefix (32-bit addressing); the rest go to qemu-i386 (layer 3), and
 * `obstacle` says why. Facts about 64-bit mode are from the SDM's opcode
 * map (Vol. 2, Appendix A: superscripts i64, d64, f64).
 */
import { mnemonicOf } from "../../core/cpu/isa/decoder.ts";
import { hasMemoryOperand, type Instr } from "../../core/cpu/isa/instr.ts";

/** What the 64-bit runner reported about the processor. */
export interface LongModeCpu {
  /** CPUID.80000001H:ECX bit 0: LAHF and SAHF are valid in 64-bit mode. */
  lahf64: boolean;
}

/** Why one-byte opcodes do something else in 64-bit mode (i64). */
const INVALID = "PUSH/POP ES, CS, SS, DS, BCD adjusts, PUSHA/POPA, the 82 alias, INTO, SALC and far CALL/JMP are invalid in 64-bit mode";
const NOT_IN_64_BIT = new Map<number, string>([
  ...[0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0x82, 0x9a, 0xce, 0xd4, 0xd5, 0xd6, 0xea]
    .map((op) => [op, INVALID] as const),
  ...Array.from({ length: 16 }, (_, k) => [0x40 + k, "one-byte INC/DEC are REX prefixes in 64-bit mode"] as const),
  [0x62, "BOUND is EVEX in 64-bit mode"],
  [0x63, "ARPL is MOVSXD in 64-bit mode"],
  [0xc4, "LES/LDS are VEX in 64-bit mode"],
  [0xc5, "LES/LDS are VEX in 64-bit mode"],
]);
/**
 * The EVEX and VEX escapes take the bytes after them into their encoding:
 * even with a faulting LOCK, 64-bit mode may first find that too long (#GP).
 */
const ESCAPES = new Set([0x62, 0xc4, 0xc5]);

/** Instructions with a stack operand: its size is 64 bits in 64-bit mode (d64, f64). */
const STACK = /^(push|pop|call|ret|enter|leave)/;

/** The instructions LOCK may prefix, when their destination is in memory (SDM Vol. 2, LOCK). */
const LOCKABLE = new Set([
  "add", "adc", "and", "btc", "btr", "bts", "cmpxchg", "cmpxchg8b", "dec", "inc", "neg", "not", "or", "sbb", "sub", "xor", "xadd", "xchg",
]);

/**
 * Why a form (a table row, here the one an instruction decodes to, at an
 * operand size) cannot run the same in 64-bit mode, or undefined.
 */
function formObstacle(form: Pick<Instr, "def" | "opcode" | "twoByte">, opsize: 16 | 32, cpu: LongModeCpu): string | undefined {
  const other = form.twoByte ? undefined : NOT_IN_64_BIT.get(form.opcode);
  if (other) return other;
  const m = typeof form.def.mnemonic === "string" ? form.def.mnemonic : form.def.mnemonic[1];
  const ops = form.def.operands;
  if (STACK.test(m)) return "the stack operand is 64 bits wide in 64-bit mode";
  if (m === "jmp" && ops[0] === "Ev") return "an indirect near JMP takes a 64-bit target in 64-bit mode";
  if (opsize === 16 && ops.some((s) => s === "Jb" || s === "Jz")) {
    return "0x66 on a near branch is ignored (Intel) or truncates RIP (AMD) in 64-bit mode";
  }
  if ((m === "lahf" || m === "sahf") && !cpu.lahf64) return "LAHF/SAHF are invalid in 64-bit mode on this CPU";
  return undefined;
}

/**
 * True if the instruction has a LOCK prefix the SDM does not allow on it:
 * it raises #UD, in 64-bit mode as well unless its opcode starts a VEX or
 * EVEX encoding there.
 *
 * @example
 * lockFaults({ ...decode((a) => [0x50][a], 0), lock: true }); // LOCK PUSH EAX: true
 */
export function lockFaults(i: Instr): boolean {
  const dest = i.def.operands[0] ?? "";
  return i.lock && !(LOCKABLE.has(mnemonicOf(i)) && hasMemoryOperand(i) && (dest[0] === "E" || dest[0] === "M"));
}

/**
 * Why a decoded i386 instruction cannot run the same in 64-bit mode: its
 * form's reason, or its encoding's. A LOCK that raises #UD makes any form
 * run the same.
 *
 * @example
 * obstacle(decode((a) => [0x67, 0x8b, 0x07][a], 0), cpu); // "16-bit addressing ..."
 */
export function obstacle(i: Instr, cpu: LongModeCpu): string | undefined {
  if (lockFaults(i) && (i.twoByte || !ESCAPES.has(i.opcode))) return undefined;
  return formObstacle(i, i.opsize, cpu) ?? (i.adsize === 16 ? "16-bit addressing does not exist in 64-bit mode" : undefined);
}

/** XLAT and LOOPcc address through [E]BX and count in [E]CX by address size, which their operands do not show. */
const IMPLICIT_ADDRESS = new Set(["xlatb", "loop", "loope", "loopne"]);

/**
 * True if the instruction's address size matters (a memory operand, a
 * string instruction, XLAT, LOOPcc, JECXZ): in 64-bit mode it needs a 0x67
 * prefix to keep 32-bit addresses and counts.
 *
 * @example
 * usesAddressSize(decode((a) => [0xa4][a], 0)); // MOVSB: true
 */
export function usesAddressSize(i: Instr): boolean {
  const ops = i.def.operands;
  return hasMemoryOperand(i) || i.def.namedByAddressSize === true || IMPLICIT_ADDRESS.has(mnemonicOf(i)) ||
    ops.some((s) => s[0] === "X" || s[0] === "Y" || s === "Ob" || s === "Ov");
}
