/**
 * MMX/SSE/SSE2 against the real CPU: every SIMD row of the opcode table in
 * its register and memory forms, random operands and states (gen.ts), run
 * by the 64-bit harness on the processor (oracle.ts) and by fx86 under
 * several backends (fx86.ts), compared field by field (compare.ts).
 * `FX86_SSE_SEED=n` runs another seed, `FX86_SSE_CASES=n` n cases per form.
 */
import process from "node:process";
import { assert, test } from "../harness.ts";
import { type Row, simdRows } from "../cpu/rows.ts";
import { Rng } from "../x87/rng.ts";
import { difference } from "./compare.ts";
import { runFx86 } from "./fx86.ts";
import { rowCases, rowForms } from "./gen.ts";
import { buildRunner, type Case, runNative } from "./oracle.ts";

const SEED = Number(process.env.FX86_SSE_SEED ?? 0x55e2);
const PER_FORM = Number(process.env.FX86_SSE_CASES ?? 40);

test("MMX/SSE/SSE2: every form against the CPU (64-bit harness)", () => {
  const runner = buildRunner();
  const rng = new Rng(SEED);
  const rows: Row[] = simdRows();
  const cases: Case[] = [];
  let forms = 0;
  for (const row of rows) {
    for (const form of rowForms(row)) {
      forms++;
      cases.push(...rowCases(rng, row, form, PER_FORM));
    }
  }
  const native = runNative(runner, cases);
  const failures: string[] = [];
  const perRow = new Map<string, number>();
  const faults = native.filter((o) => o.signal !== 0).length;
  cases.forEach((c, n) => {
    // Every case single-stepped, through instruction templates and in a WebAssembly region (a host
    // call there: core/cpu/wasm/host.ts); every fourth also compiled.
    const backends = ["single", "templates", "regions"] as const;
    for (const backend of n % 4 === 0 ? [...backends, "compiled"] as const : backends) {
      const problem = difference(c, native[n], runFx86(c, backend));
      if (!problem) continue;
      // A few failures per row, so one broken row does not hide the others.
      const row = c.name.slice(0, c.name.indexOf(":"));
      const seen = perRow.get(row) ?? 0;
      perRow.set(row, seen + 1);
      if (seen < 2 && failures.length < 60) failures.push(`${c.name} (${backend}): ${problem}`);
    }
  });
  console.log(`${rows.length} rows, ${forms} forms, ${cases.length} cases (${faults} faulting on the CPU), seed ${SEED}`);
  assert.deepEqual(failures, [], "fx86 differs from the CPU");
});
