/**
 * Exact budgets (docs/cpu.md, "Counting"): a run split into budgets of any
 * size ends in the same state as one straight run, each partial run
 * retires exactly its budget, and block mode stops in the same state as
 * single-step mode at every stop, including inside REP string loops.
 */
import { assert, test } from "../harness.ts";
import { machine, type Machine, snapshot, type Snapshot } from "./machine.ts";
import { CODE_BASE } from "./program.ts";
import { Rng } from "./rng.ts";
import { assembleWorkload, workloadSource } from "./workload.ts";

function finish(m: Machine): Snapshot {
  while (m.cpu.trap === 0) {
    const stop = m.engine.run(1_000_000);
    assert.equal(stop.fault, undefined, String(stop.fault));
  }
  return snapshot(m);
}

function same(a: Snapshot, b: Snapshot, what: string): void {
  assert.deepEqual({ ...a, memory: undefined }, { ...b, memory: undefined }, what);
  assert.ok(a.memory.every((v, k) => v === b.memory[k]), `${what}: memory differs`);
}

test("budgets: split runs equal straight runs; block mode equals single-step at every stop", () => {
  const rng = new Rng(0xb0d6e7);
  let stops = 0, instructions = 0, repStops = 0;
  for (let p = 0; p < 16; p++) {
    const code = assembleWorkload(`workload-${p}`, workloadSource(rng, 120 + rng.below(120)));
    const straight = finish(machine(code));
    instructions += straight.icount;
    const block = machine(code, false, 1), single = machine(code, true, 2);
    // Small budgets stop everywhere; large ones let whole blocks and REP runs go.
    const maxChunk = rng.pick([3, 40, 400]);
    while (block.cpu.trap === 0) {
      const budget = 1 + rng.below(maxChunk);
      const a = block.engine.run(budget), b = single.engine.run(budget);
      assert.equal(a.fault, undefined);
      assert.equal(a.retired, b.retired);
      if (block.cpu.trap === 0) assert.equal(a.retired, budget, "a run retires exactly its budget");
      const sa = snapshot(block);
      same(sa, snapshot(single), `program ${p}, stop ${stops}`);
      const at = code[sa.eip - CODE_BASE];
      if (at === 0xf3 || at === 0xf2) repStops++;
      stops++;
    }
    same(snapshot(block), straight, `program ${p}: split run vs straight run`);
  }
  console.log(`budgets: 16 programs, ${instructions} instructions, ${stops} stops compared (${repStops} at REP instructions)`);
});
