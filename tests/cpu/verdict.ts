/**
 * One case of the differential test judged: fx86's outcome against its
 * reference's (oracle.ts), after masking what Intel leaves undefined
 * (undefined.ts) and, on qemu-i386, what qemu is known to get wrong
 * (qemu.ts).
 */
import type { Instr } from "../../core/cpu/isa/instr.ts";
import { compareOutcomes, masksFor } from "./compare.ts";
import type { Reference } from "./oracle.ts";
import type { Outcome } from "./outcome.ts";
import type { Case, Placed } from "./program.ts";
import { type QemuReading, readQemu } from "./qemu.ts";
import type { Undefined } from "./undefined.ts";

export interface Verdict {
  /** The reference's outcome as compared. */
  outcome: Outcome;
  /** What undefined.ts masks for the case. */
  undefinedParts: Undefined;
  /** What qemu.ts made of a layer 3 outcome. */
  qemu?: QemuReading;
  /** The differences (empty when fx86 agrees). */
  problems: string[];
}

/**
 * Judges fx86's outcome `fx` for case `c` (at `placed` in the i386 batch;
 * `instr` is its instruction under test) against its reference's.
 *
 * @example
 * const { problems } = judge(c, placed[n], instructionAt(binary, placed[n]), refs[n], fx);
 */
export function judge(c: Case, placed: Placed, instr: Instr | undefined, ref: Reference, fx: Outcome): Verdict {
  const qemu = ref.layer === 3 ? readQemu(c, placed, instr, ref.outcome, fx) : undefined;
  const outcome = qemu?.outcome ?? ref.outcome;
  const u = masksFor(c, instr, outcome);
  const masks = qemu
    ? { flags: u.flags | qemu.flags, regs: u.regs.map((r, k) => r | qemu.regs[k]), mem: new Set([...u.mem, ...qemu.mem]) }
    : u;
  const problems = qemu?.skip ? [] : compareOutcomes(outcome, fx, masks, instr, qemu ? "qemu" : "native");
  return { outcome, undefinedParts: u, qemu, problems };
}
