/**
 * Counts which reference checked what (oracle.ts), so the differential
 * test states it: forms and cases per layer, and why cases left layer 2.
 */
import { type Layer, LAYER_NAMES, type Plan } from "./oracle.ts";
import type { QemuReading } from "./qemu.ts";

/**
 * Forms, cases and sequences per layer, the reasons for layer 3, and the
 * qemu deviations the test accounted for.
 *
 * @example
 * const tally = new LayerTally();
 * tally.add(plan, qemuReading);
 * console.log(tally.report()); // "differential: layer 2 (real CPU, 64-bit harness): 897 forms, ..."
 */
export class LayerTally {
  private readonly forms = new Map<Layer, Set<string>>();
  private readonly cases = new Map<Layer, number>();
  private readonly sequences = new Map<Layer, number>();
  private readonly reasons = new Map<string, number>();
  private readonly deviations = new Map<string, number>();

  /** Counts a case; `qemu` is what the test made of qemu's outcome (layer 3). */
  add(plan: Plan, qemu?: QemuReading): void {
    const { case: c, layer } = plan;
    const forms = this.forms.get(layer) ?? new Set();
    if (c.form === "sequence") this.sequences.set(layer, (this.sequences.get(layer) ?? 0) + 1);
    else forms.add(c.form);
    this.forms.set(layer, forms);
    this.cases.set(layer, (this.cases.get(layer) ?? 0) + 1);
    if (plan.why) count(this.reasons, plan.why);
    for (const d of [...qemu?.deviations ?? [], ...qemu?.skip ? [`not compared: ${qemu.skip}`] : []]) count(this.deviations, d);
  }

  /**
   * The layers used, with the forms that had cases on each (a form can have
   * cases on layers 2 and 3: its 16-bit addressing ones, say), then the
   * reasons for layer 3 and what qemu got wrong.
   */
  report(): string {
    const layers = ([1, 2, 3] as const).filter((l) => this.cases.has(l));
    const on = (l: Layer) => this.forms.get(l) ?? new Set<string>();
    const both = [...on(2)].filter((f) => on(3).has(f)).length;
    const lines = [
      "differential: " + layers.map((l) =>
        `layer ${l} (${LAYER_NAMES[l]}): ${on(l).size} forms, ` +
        `${this.cases.get(l)} cases (${this.sequences.get(l) ?? 0} of them sequences)`
      ).join("; ") + (this.cases.has(3) ? `; ${on(3).size - both} forms only on layer 3, ${both} on both` : ""),
    ];
    if (this.reasons.size) lines.push(`differential: on layer 3 because: ${listed(this.reasons)}`);
    if (this.deviations.size) lines.push(`differential: qemu-i386 deviations accounted for: ${listed(this.deviations)}`);
    return lines.join("\n");
  }
}

function count(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}

function listed(m: Map<string, number>): string {
  return [...m].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} (${n})`).join("; ");
}
