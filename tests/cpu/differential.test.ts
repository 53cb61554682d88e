/**
 * Differential test against the real processor: every row of the opcode
 * table that user code can run, in 16- and 32-bit operand sizes and in
 * register and memory forms, with random operands, flags and prefixes, run
 * natively (tests/cpu/native/runner.c) and under fx86 from the same
 * machine code. Registers, EFLAGS, segment registers, faults and the data
 * pages must agree except where undefined.ts says Intel leaves a result
 * undefined. fx86 runs each case in block mode, and every fourth one in
 * single-step mode as well, which must agree exactly.
 *
 * Rows that fault by design (privileged, far transfers, INT n) and the
 * ones with documented fx86 answers (CPUID, RDTSC) are tested in
 * fault_rows.test.ts and cpuid_rdtsc.test.ts instead.
 */
import { writeFileSync } from "node:fs";
import process from "node:process";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { compareOutcomes, describeCase, instructionAt, masksFor, sameOutcome } from "./compare.ts";
import { checkMasksAgainstIced, icedUndefined } from "./undefined_iced.ts";
import { mnemonicOf } from "../../core/cpu/isa/decoder.ts";
import { Fx86Machine } from "./fx86_run.ts";
import {
  formKey,
  generateCase,
  generateSequence,
  rowMnemonic,
  sequenceEnders,
  sequenceLeaders,
  type Variant,
} from "./generate.ts";
import { assemble, buildDir, buildRunner, type Host, probeHost, runNative } from "./native.ts";
import type { Case } from "./program.ts";
import { Rng } from "./rng.ts";
import { modes, type Row, tableRows } from "./rows.ts";

/**
 * Rows with fx86-defined answers instead of the host's (tested elsewhere),
 * and fx86's own instruction, which real processors do not have.
 */
const FX86_DEFINED = new Set(["cpuid", "rdtsc", "int", "fx86"]);

/** True for the rows this test runs on the real CPU. */
export function runsNatively(row: Row): boolean {
  return !row.def.fault && !FX86_DEFINED.has(rowMnemonic(row));
}

const SHIFTS = new Set(["rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar", "shld", "shrd"]);

function casesFor(v: Variant): number {
  const ops = v.row.def.operands;
  if (SHIFTS.has(rowMnemonic(v.row)) && (ops.at(-1) === "CL" || ops.at(-1) === "Ib")) return 56;
  return 24;
}

const BATCH = 2500;
/** Cases that run a few instructions in a row (lazy flags passed between them). */
const SEQUENCES = 6000;

test("differential: every table row against the real CPU", () => {
  const runner = buildRunner();
  const probe = join(buildDir, "probe.bin");
  writeFileSync(probe, new Uint8Array([0xcc]));
  const host: Host = probeHost(runner, probe);
  if (!host.ldt) console.warn("modify_ldt is unavailable: FS/GS-based and 16-bit addressing forms are skipped");

  // Fixed seed; FX86_CPU_SEED explores others (a failure found that way becomes a fix, not a new seed).
  const rng = new Rng(Number(process.env.FX86_CPU_SEED ?? 0xd1ff));
  const rows = tableRows().filter(runsNatively);
  const variants: Variant[] = rows.flatMap((row) =>
    ([32, 16] as const).flatMap((opsize) => modes(row).map((mode) => ({ row, opsize, mode })))
  );
  const cases: Case[] = [];
  for (const v of variants) {
    for (let k = 0; k < casesFor(v); k++) {
      let c: Case | undefined;
      for (let tries = 0; tries < 10 && !c; tries++) c = generateCase(rng, v, host, k);
      if (c) cases.push(c);
    }
  }
  const leaders = sequenceLeaders(rows), enders = sequenceEnders(rows);
  for (let k = 0; k < SEQUENCES; k++) {
    const c = generateSequence(rng, host, leaders, enders);
    if (c) cases.push(c);
  }

  const failures: string[] = [];
  const failingForms = new Map<string, number>();
  const forms = new Set<string>();
  let faults = 0, singleStepped = 0;
  /** Per form: the EFLAGS bits the mask table masked, and those iced-x86 calls undefined, over all cases. */
  const masked = new Map<string, { mnemonic: string; ours: number; iced: number }>();
  for (let start = 0, batch = 0; start < cases.length; start += BATCH, batch++) {
    const slice = cases.slice(start, start + BATCH);
    const { binary, placed } = assemble(`diff-${batch}`, slice);
    const native = runNative(runner, `diff-${batch}`, slice, placed);
    const block = new Fx86Machine(binary, host);
    const single = new Fx86Machine(binary, host, true);
    slice.forEach((c, n) => {
      forms.add(c.form);
      const fx = block.run(c, placed[n]);
      if (native[n].fault !== "ok") faults++;
      const instr = instructionAt(binary, placed[n]);
      const u = masksFor(c, instr, native[n]);
      if (native[n].fault === "ok" && c.form !== "sequence" && instr) {
        const seen = masked.get(c.form) ?? { mnemonic: mnemonicOf(instr), ours: 0, iced: 0 };
        seen.ours |= u.flags;
        seen.iced |= icedUndefined(binary.subarray(placed[n].instr, placed[n].next));
        masked.set(c.form, seen);
      }
      const problems = compareOutcomes(native[n], fx, u, instr);
      if (n % 4 === 0) {
        singleStepped++;
        if (!sameOutcome(fx, single.run(c, placed[n]))) problems.push("block and single-step modes disagree");
      }
      if (problems.length) {
        const seen = failingForms.get(c.form) ?? 0;
        failingForms.set(c.form, seen + 1);
        if (seen < 2 && failures.length < 150) {
          failures.push(`${describeCase(c, binary, placed[n])}\n    ${problems.join("\n    ")}`);
        }
      }
    });
  }
  forms.delete("sequence");
  const allForms = new Set(variants.map(formKey));
  console.log(
    `differential: ${rows.length} table rows, ${allForms.size} opcode forms (row x operand size x register/memory), ` +
      `${forms.size} exercised; ${cases.length} cases (${SEQUENCES} of them instruction sequences) ` +
      `run natively and under fx86 (${faults} faulting), ` +
      `${singleStepped} also single-stepped`,
  );
  if (failingForms.size) {
    console.log(`failing forms (${failingForms.size}): ${[...failingForms].map(([f, n]) => `${f} x${n}`).join("; ")}`);
  }
  assert.equal(forms.size, allForms.size, "every form must be exercised");
  assert.deepEqual(checkMasksAgainstIced(masked), [], "undefined.ts disagrees with iced-x86's undefined flags");
  assert.deepEqual(failures, [], "fx86 disagrees with the real CPU");
});
