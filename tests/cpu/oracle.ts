/**
 * What the differential test compares fx86 with, case by case, best
 * first (tests/support/reference.ts decides whether layer 1 exists):
 *
 * 1. the real CPU running the i386 batch (native/runner.c), where the
 *    kernel runs i386 programs: every case;
 * 2. otherwise the real CPU in a 64-bit process (native/runner64.c) for
 *    the cases program64.ts can translate: nearly all of them;
 * 3. and qemu-i386 running the i386 runner and batch for the rest (forms
 *    64-bit mode lacks or runs differently, 16-bit addressing...).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { i386Command, i386Runner } from "../support/reference.ts";
import { buildRunner64, runLayer2 } from "./native64.ts";
import { buildDir, buildRunner, type Host, probe, runBatch, runner32 } from "./native.ts";
import type { Outcome } from "./outcome.ts";
import type { Case, Placed } from "./program.ts";
import { translate, type Translation } from "./program64.ts";
import { forQemu } from "./qemu.ts";

export type Layer = 1 | 2 | 3;

/** Names of the layers, as the test reports them. */
export const LAYER_NAMES: Record<Layer, string> = {
  1: "real CPU, 32-bit",
  2: "real CPU, 64-bit harness",
  3: "qemu-i386",
};

/** Where a case runs, and the case as that reference runs it (fx86 runs the same). */
export interface Plan {
  case: Case;
  layer: Layer;
  /** The 64-bit code of a layer 2 case. */
  translation?: Translation;
  /** Why the case does not run on layer 2 (layer 3 only). */
  why?: string;
}

/** A reference's outcome for one case. */
export interface Reference {
  outcome: Outcome;
  layer: Layer;
  /** The selectors the case started with there: fx86 starts from the same. */
  host: Host;
}

export interface Oracle {
  /** The i386 runner's view of the machine, to generate cases with. */
  host: Host;
  /** Chooses the reference of each case; the cases to assemble and run are the plans'. */
  plan(cases: Case[]): Plan[];
  /**
   * Runs the planned cases of an assembled i386 batch
   * (tests/.build/cpu/NAME.bin, `placed` from its label table).
   */
  run(name: string, plans: Plan[], placed: Placed[]): Reference[];
}

/**
 * Builds the runners this machine needs and probes them. Throws one line
 * saying what to install when a tool (gcc, nasm, qemu-i386) is missing.
 *
 * @example
 * const oracle = buildOracle();
 * const plans = oracle.plan(cases);
 * const refs = oracle.run("diff-0", plans, assemble("diff-0", plans.map((p) => p.case)).placed);
 */
export function buildOracle(): Oracle {
  const probeCode = join(buildDir, "probe.bin");
  writeFileSync(probeCode, new Uint8Array([0xcc]));
  const r32 = runner32(i386Command(buildRunner(), []));
  const host = probe(r32, probeCode).host;
  if (i386Runner() === "native") {
    return {
      host,
      plan: (cases) => cases.map((c) => ({ case: c, layer: 1 })),
      run: (name, plans, placed) =>
        runBatch(r32, name, plans.map((p) => p.case), placed).map((outcome) => ({ outcome, layer: 1, host })),
    };
  }
  const r64 = buildRunner64(probeCode);
  // The generator plants the i386 runner's DS and SS selectors; they must mean the same in the 64-bit process.
  if (r64.host.ds !== host.ds || r64.host.ss !== host.ss) {
    throw new Error(`the 64-bit runner's data selectors (${r64.host.ds}, ${r64.host.ss}) differ from the i386 runner's`);
  }
  return {
    host,
    plan: (cases) =>
      cases.map((c) => {
        const t = c.ldtSeg && !r64.host.ldt ? "the 64-bit process has no LDT" : translate(c, r64.cpu);
        return typeof t === "string" ? { case: forQemu(c), layer: 3, why: t } : { case: c, layer: 2, translation: t };
      }),
    run(name, plans, placed) {
      const refs: Reference[] = new Array(plans.length);
      for (const layer of [2, 3] as const) {
        const on = plans.flatMap((p, n) => (p.layer === layer ? [n] : []));
        const cases = on.map((n) => plans[n].case), where = on.map((n) => placed[n]);
        const outcomes = layer === 2
          ? runLayer2(r64, `${name}-64`, cases, on.map((n) => plans[n].translation!), where, on)
          : runBatch(r32, name, cases, where);
        outcomes.forEach((outcome, k) => refs[on[k]] = { outcome, layer, host: layer === 2 ? r64.host : host });
      }
      return refs;
    },
  };
}
