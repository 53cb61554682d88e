/**
 * An independent check of undefined.ts: iced-x86 lists, per instruction,
 * the flags Intel documents as undefined (taking an immediate count into
 * account, not CL). Over all cases of a form, the flags the mask table
 * masked must cover iced's, and go beyond them only where the SDM makes
 * more undefined for some operands (`COUNT_DEPENDENT`).
 */
import { Decoder, DecoderOptions, RflagsBits } from "iced-x86";
import { AF, CF, OF, PF, SF, ZF } from "./undefined.ts";

const ICED_TO_EFLAGS: [RflagsBits, number][] = [
  [RflagsBits.OF, OF],
  [RflagsBits.SF, SF],
  [RflagsBits.ZF, ZF],
  [RflagsBits.AF, AF],
  [RflagsBits.CF, CF],
  [RflagsBits.PF, PF],
];

/** Flags the SDM leaves undefined only for some operands, beyond iced's per-opcode list. */
const COUNT_DEPENDENT: Record<string, number> = {
  shl: CF, // "undefined for SHL and SHR ... where the count is greater than or equal to the size"
  sal: CF,
  shr: CF,
  shld: CF | OF | SF | ZF | AF | PF, // count greater than the operand size
  shrd: CF | OF | SF | ZF | AF | PF,
};

export function icedUndefined(bytes: Uint8Array): number {
  const d = new Decoder(32, bytes, DecoderOptions.None);
  const ins = d.decode();
  let out = 0;
  for (const [bit, flag] of ICED_TO_EFLAGS) if (ins.rflagsUndefined & bit) out |= flag;
  ins.free();
  d.free();
  return out;
}

/**
 * Forms whose masks (`ours`, unioned over their cases) miss a flag iced
 * calls undefined for some case (`iced`), or mask one it never does.
 */
export function checkMasksAgainstIced(
  masked: Map<string, { mnemonic: string; ours: number; iced: number }>,
): string[] {
  const problems: string[] = [];
  for (const [form, { mnemonic, ours, iced }] of masked) {
    const allowed = iced | (COUNT_DEPENDENT[mnemonic] ?? 0);
    if ((iced & ~ours) !== 0 || (ours & ~allowed) !== 0) {
      problems.push(`${form}: masked 0x${ours.toString(16)}, iced-x86 says undefined 0x${iced.toString(16)}`);
    }
  }
  return problems;
}
