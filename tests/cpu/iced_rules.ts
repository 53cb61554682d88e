/**
 * What fx86 must do with each instruction iced-x86 decodes, decided from
 * iced's CPUID feature list (not from fx86's own table):
 *
 * - "i686": the instruction belongs to fx86's integer set: fx86 must decode
 *   it with the same length, mnemonic and operands. The set is every
 *   instruction whose features are all in `I686_FEATURES`.
 * - "outside": SSE/MMX/3DNow!/AVX/VMX/SMM/AMD-only/post-P6 system
 *   instructions...: fx86 must raise undefined-opcode.
 * - "simd": an MMX, SSE or SSE2 instruction (features in `SIMD_FEATURES`,
 *   the rest in the i686 set): fx86 must decode it like iced.
 * - "x87": D8..DF escapes, owned by core/cpu/x87: fx86 must decode those
 *   an i686 FPU has (`x87OnI686`) once core/cpu/x87 describes them.
 * - "fx86": 0F 0A ib, reserved on every x86 and invalid to iced, is the
 *   Fx86 instruction (docs/abi.md): fx86 must decode it.
 * - "invalid": iced says the encoding is invalid: fx86 must raise
 *   undefined-opcode too.
 *
 * Justified exceptions, each with its reason, are in `EXCEPTIONS`.
 */
import { CpuidFeature, type Instruction, Mnemonic } from "iced-x86";

/** Features of the i686 integer set fx86 implements (privileged rows included: they decode, then fault). */
export const I686_FEATURES: ReadonlySet<CpuidFeature> = new Set([
  CpuidFeature.INTEL8086,
  CpuidFeature.INTEL186,
  CpuidFeature.INTEL286,
  CpuidFeature.INTEL386,
  CpuidFeature.INTEL486,
  CpuidFeature.CPUID,
  CpuidFeature.TSC, // RDTSC
  CpuidFeature.CX8, // CMPXCHG8B
  CpuidFeature.CMOV,
  CpuidFeature.MSR, // RDMSR/WRMSR: decoded, privileged
  CpuidFeature.SEP, // SYSENTER/SYSEXIT: decoded, privileged
  CpuidFeature.RDPMC, // privileged
  CpuidFeature.MULTIBYTENOP, // 0F 1F /0 NOP Ev
]);

/** The MMX/SSE/SSE2 features (with FXSAVE/FXRSTOR and CLFLUSH) fx86 decodes (docs/sse.md). */
export const SIMD_FEATURES: ReadonlySet<CpuidFeature> = new Set([
  CpuidFeature.MMX,
  CpuidFeature.SSE,
  CpuidFeature.SSE2,
  CpuidFeature.FXSR,
  CpuidFeature.CLFSH,
]);

/** Features of x87 instructions an i686 FPU has (FCMOVcc lists CMOV as well). */
export const X87_FEATURES: ReadonlySet<CpuidFeature> = new Set([
  CpuidFeature.FPU,
  CpuidFeature.FPU287,
  CpuidFeature.FPU387,
  CpuidFeature.CMOV,
]);

/**
 * Prefix-selected meanings that an i686 does not have: on an i686 the
 * prefix is ignored and the instruction is the unprefixed one, which fx86
 * implements. GCC emits `rep bsf` (F3 0F BC) on purpose for exactly this
 * reason, and spin loops use PAUSE (F3 90).
 */
export const I686_MEANING: Partial<Record<Mnemonic, string>> = {
  [Mnemonic.Pause]: "nop", // F3 90
  [Mnemonic.Tzcnt]: "bsf", // F3 0F BC
  [Mnemonic.Lzcnt]: "bsr", // F3 0F BD
  [Mnemonic.Wbnoinvd]: "wbinvd", // F3 0F 09 (privileged either way)
};

/** Instructions iced accepts with i686 features that fx86 leaves undefined, and why. */
export const EXCEPTIONS: Partial<Record<Mnemonic, string>> = {
  [Mnemonic.Ud0]: "UD0 exists to raise #UD",
  [Mnemonic.Ud1]: "UD1 exists to raise #UD",
  [Mnemonic.Ud2]: "UD2 exists to raise #UD",
};

export type Rule =
  | "fx86"
  | "i686"
  | "outside"
  | "x87"
  | "simd"
  | "invalid"
  | "hint-nop"
  | "undefined-by-choice";

const LEGACY_PREFIXES = new Set([0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65]);

/** How many legacy prefix bytes start the instruction at `at`. */
export function opcodeOffset(bytes: Uint8Array, at: number): number {
  let p = at;
  while (p < bytes.length && LEGACY_PREFIXES.has(bytes[p]) && p - at < 14) p++;
  return p - at;
}

/** The opcode bytes after the legacy prefixes: [first, second]. */
export function opcodeBytes(bytes: Uint8Array, at: number): [number, number] {
  const p = at + opcodeOffset(bytes, at);
  return [bytes[p], bytes[p + 1]];
}

/**
 * Decides what fx86 must do with an instruction iced decoded from `bytes`
 * at `at`.
 *
 * The hint-NOP space 0F 18..0F 1F (PREFETCHh, ENDBR32, RDSSPD, CLDEMOTE,
 * MPX BND* and iced's "reserved NOP"s) was reserved as NOP on P6 so later
 * features could live there: fx86 runs all of it as NOP Ev, whatever
 * later CPUs made of it ("hint-nop": compared by length and memory
 * operand). 0F 0D, which iced also calls a reserved NOP in register form,
 * is not in the P6 NOP space: fx86 leaves it undefined
 * ("undefined-by-choice", like UD0/UD1/UD2).
 */
export function ruleFor(ins: Instruction, bytes: Uint8Array, at: number): Rule {
  const [b0, b1] = opcodeBytes(bytes, at);
  // 0F 0A is reserved (invalid to iced) on every x86; fx86's own instructions live there.
  if (b0 === 0x0f && b1 === 0x0a) return "fx86";
  if (ins.isInvalid) return "invalid";
  if (b0 === 0x0f && b1 >= 0x18 && b1 <= 0x1f) return "hint-nop";
  if (b0 === 0x0f && b1 === 0x0d) return "undefined-by-choice";
  if (b0 >= 0xd8 && b0 <= 0xdf) return "x87";
  if (EXCEPTIONS[ins.mnemonic]) return "undefined-by-choice";
  if (I686_MEANING[ins.mnemonic]) return "i686";
  const features = [...ins.cpuidFeatures()];
  if (features.every((f) => I686_FEATURES.has(f))) return "i686";
  const simd = features.some((f) => SIMD_FEATURES.has(f)) &&
    features.every((f) => I686_FEATURES.has(f) || SIMD_FEATURES.has(f));
  return simd ? "simd" : "outside";
}

/** For an x87 escape iced accepts: true if an i686 FPU has it. */
export function x87OnI686(ins: Instruction): boolean {
  return [...ins.cpuidFeatures()].every((f) => X87_FEATURES.has(f));
}
