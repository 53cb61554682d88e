/**
 * Checks fx86's disassembler (core/cpu/isa/disasm.ts) against iced-x86's
 * Intel formatter, configured to fx86's conventions (0x-prefixed lowercase
 * hex, memory sizes always shown, ", " between operands).
 */
import { Formatter, FormatterSyntax, type Instruction, MemorySizeOptions } from "iced-x86";
import { mnemonicOf } from "../../core/cpu/isa/decoder.ts";
import { ICED_TO_FX86 } from "./normal.ts";
import { disassemble } from "../../core/cpu/isa/disasm.ts";
import type { Instr } from "../../core/cpu/isa/instr.ts";

const formatter = new Formatter(FormatterSyntax.Intel);
formatter.spaceAfterOperandSeparator = true;
formatter.hexPrefix = "0x";
formatter.hexSuffix = "";
formatter.uppercaseHex = false;
formatter.memorySizeOptions = MemorySizeOptions.Always;
formatter.showBranchSize = false;
formatter.branchLeadingZeros = false;
formatter.leadingZeros = false;
formatter.displacementLeadingZeros = false;
formatter.smallHexNumbersInDecimal = false;
formatter.signedImmediateOperands = false;
formatter.signedMemoryDisplacements = true;
formatter.addLeadingZeroToHexNumbers = false;

/** Returns a description of the difference, or undefined if the texts agree. */
export function checkDisassembly(
  fx: Instr,
  bytes: Uint8Array,
  at: number,
  addr: number,
  ins: Instruction,
): string | undefined {
  let ours: string;
  try {
    ours = disassemble((a) => bytes[at + ((a - addr) >>> 0)], addr).text;
  } catch (e) {
    return `disassemble threw ${e}`;
  }
  // The hint-NOP space is compared structurally only: iced names what later CPUs made of it.
  if (fx.def.mnemonic === "nop" && fx.twoByte) return undefined;
  let theirs = normalise(formatter.format(ins));
  const stringForm = fx.def.operands.some((o) => o[0] === "X" || o[0] === "Y");
  if (stringForm) theirs = theirs.replace(/es:\[(e?di)\]/, "[$1]");
  if (!fx.def.string) theirs = theirs.replace(/^(rep|repe|repne) /, "");
  ours = ours.replace(/^imul (\w+), \1, /, "imul $1, ");
  if (ours === "xchg ax, ax") ours = "nop"; // iced prints 66 90 as xchg and 66 87 C0 as nop
  if (theirs === "xchg ax, ax") theirs = "nop";
  if (fx.def.operands.at(-1) === "1") ours = ours.replace(/, 1$/, ", 0x1");
  if (mnemonicOf(fx) === "sal") theirs = theirs.replace(/^shl/, "sal");
  if (fx.def.operands.includes("Rv/Mw") && fx.opsize === 32) {
    // widen register names outside the memory operand's brackets
    theirs = theirs.replace(/\[[^\]]*\]|\b(ax|cx|dx|bx|sp|bp|si|di)\b/g, (t) => t[0] === "[" ? t : "e" + t);
  }
  if (fx.def.mnemonic === "x87") {
    ours = dropStackTop(ours);
    theirs = dropStackTop(theirs.replace(/(fpuenv|fpustate)\d+ ptr /, ""));
    if (ours === `${theirs} st(1)`) theirs = ours;
  }
  return ours === theirs ? undefined : `fx86 "${ours}" iced "${theirs}"`;
}

/**
 * Where fx86's conventions differ from iced's formatter:
 * - fx86 writes the shift-by-one operand as "1" (compared as "0x1"), and
 *   SAL for the /6 alias of SHL, which iced formats as "shl";
 * - far pointers as NASM does, `jmp 0x23:0x1000`, where iced writes
 *   `jmp far 0x1000, 0x23`; `retf` for "ret far"; `xlatb` without its
 *   implicit [EBX+AL] operand; "nop" and "xchg ax, ax" are one spelling;
 * - no "data16"/"addr16" pseudo-prefixes (iced shows them where the
 *   operands do not reveal the size), and no `*1` scale on a SIB index;
 * - no HLE (xacquire/xrelease), MPX (bnd), CET (notrack) or branch hints,
 *   which an i686 ignores, and no "es:" on the fixed ES:EDI operand;
 * - `wait` for FWAIT, `call fword ptr [...]` without "far", the mnemonic
 *   map of normal.ts (pushaw for PUSHA...) and the i686 meaning of
 *   prefixed forms (bsf for TZCNT...); no REP on non-string instructions;
 * - `imul eax, eax, 5` where iced abbreviates to `imul eax, 5`;
 * - r32/m16 operands (MOV Sreg, ARPL, LLDT...) in register form are named
 *   by operand size, as iced's structured API does; its formatter shows
 *   the 16-bit name where only the low word is read;
 * - x87: the implicit ST(0) operand is left out on both sides, since
 *   core/cpu/x87 lists it only where Intel's syntax needs it; iced leaves
 *   out a default ST(1) and names environment operands (fpuenv28 ptr).
 */
function normalise(text: string): string {
  return text
    .replace(/^(xacquire |xrelease |bnd |notrack |data16 |addr16 |hint-taken |hint-not-taken )+/, "")
    .replace(/^\w+/, (m) => I686_NAMES[m] ?? ICED_TO_FX86[m] ?? m)
    .replace(/^(call|jmp) far (\S+), (\S+)$/, "$1 $3:$2")
    .replace(/^(call|jmp) far /, "$1 ")

    .replace(/^ret far\b/, "retf")
    .replace(/^xlat byte ptr .*$/, "xlatb")
    .replace(/\*1\b/, "");
}

const I686_NAMES: Record<string, string> = {
  fwait: "wait",
  pause: "nop",
  tzcnt: "bsf",
  lzcnt: "bsr",
  wbnoinvd: "wbinvd",
};

function dropStackTop(text: string): string {
  const [mnemonic, operands = ""] = text.split(/ (.*)/);
  const kept = operands.split(", ").filter((o) => o && o !== "st" && o !== "st(0)");
  return kept.length ? `${mnemonic} ${kept.join(", ")}` : mnemonic;
}