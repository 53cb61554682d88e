/**
 * Time-travel benchmark: a run of about 10^9 instructions with a checkpoint
 * every 10^7, then `back(1)` and `goto` to the middle; reports how long each
 * takes. Then the history a debugging session keeps of a guest that
 * rewrites 64 MiB every million instructions, with and without the
 * session's limit. Run: `deno run -A tests/bench/timeline.ts` (or with bun).
 */
import { addedBytes } from "../../core/tree/mod.ts";
import { Guest } from "../../core/vm/guest.ts";
import { type Checkpoint, type CheckpointLimit, Timeline } from "../../core/vm/timeline.ts";
import { cProgram, image, nasmProgram } from "../support/build.ts";

const nest = image(cProgram("tests/bench/nest.c", "nest"));
const runtime = "Bun" in globalThis ? "bun" : "deno";
const t = new Timeline(Guest.fromElf({ program: nest, argv: ["nest", "0", "77000000"] }), { every: 10_000_000 });
let t0 = performance.now();
t.run(Infinity);
const runS = (performance.now() - t0) / 1000;
const total = t.position;
t0 = performance.now();
t.back(1);
const backMs = performance.now() - t0;
t0 = performance.now();
t.goto(Math.floor(total / 2));
const gotoMs = performance.now() - t0;
console.log(`fx86 timeline benchmark (${runtime})`);
console.log(`run: ${total.toLocaleString("en")} instructions in ${runS.toFixed(2)} s with ${t.checkpoints.length} checkpoints`);
console.log(`back 1 from the end: ${backMs.toFixed(0)} ms; goto the middle: ${gotoMs.toFixed(0)} ms`);

/** Bytes of guest content the checkpoints hold beyond the first (what each does not share with the one before). */
function held(cps: readonly Checkpoint[]): number {
  let total = 0;
  for (let i = 1; i < cps.length; i++) total += addedBytes(cps[i - 1].tree, cps[i].tree);
  return total;
}

const churn = image(nasmProgram("tests/bench/churn.asm", "churn"));
const SESSION_LIMIT: CheckpointLimit = { count: 256, bytes: 256 * 2 ** 20 };
// The limited run first: the unlimited one leaves gigabytes for the collector,
// which would slow whatever ran after it.
for (const [label, limit] of [["the session's limit (256 checkpoints, 256 MiB)", SESSION_LIMIT], ["no limit", undefined]] as const) {
  const h = new Timeline(Guest.fromElf({ program: churn, argv: ["churn"] }), { every: 1_000_000, limit });
  t0 = performance.now();
  h.run(50_000_000);
  const s = (performance.now() - t0) / 1000;
  t0 = performance.now();
  h.back(1);
  const back = performance.now() - t0;
  console.log(
    `churn 64 MiB, 50M instructions, checkpoint every 1M, ${label}: ${s.toFixed(2)} s, ` +
      `${h.checkpoints.length} checkpoints holding ${(held(h.checkpoints) / 2 ** 20).toFixed(0)} MiB; back 1: ${back.toFixed(0)} ms`,
  );
}
