/**
 * Time-travel benchmark: a run of about 10^9 instructions with a checkpoint
 * every 10^7, then `back(1)` and `goto` to the middle; reports how long each
 * takes. Run: `deno run -A tests/bench/timeline.ts` (or with bun).
 */
import { Guest } from "../../core/vm/guest.ts";
import { Timeline } from "../../core/vm/timeline.ts";
import { cProgram, image } from "../support/build.ts";

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
