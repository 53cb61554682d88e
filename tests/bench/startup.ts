/**
 * Start-up benchmark of the standalone binary: the wall time of running
 * the hello manifest with dist/fx86, `deno task fx86` and `bun cli/main.ts`
 * (median of 5, after one warm-up run each; the ways take turns, so a
 * busy moment of the machine does not fall on one of them: measure.ts),
 * and the binary's size. Wall time, not CPU time: what a user waits for.
 * Build the binary first: `deno task compile`.
 * Run: `deno run -A tests/bench/startup.ts` (or with bun).
 */
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../support/guests.ts";
import { alternate, median } from "./measure.ts";

const bin = (name: string) => join(REPO, "node_modules", ".bin", name);
const HELLO = "examples/hello/hello.yaml";
const ways: [string, string, string[]][] = [
  ["dist/fx86 run", join(REPO, "dist", "fx86"), ["run", HELLO]],
  ["deno task fx86 run", bin("deno"), ["task", "-q", "fx86", "run", HELLO]],
  ["bun cli/main.ts run", bin("bun"), ["cli/main.ts", "run", HELLO]],
];

/** Milliseconds one run takes; a failing run ends the benchmark. */
function time(cmd: string, args: string[]): number {
  const t0 = performance.now();
  // PATH leads with node_modules/.bin: deno's tasks call `env deno`.
  const r = spawnSync(cmd, args, { cwd: REPO, env: { ...process.env, PATH: `${bin("")}:${process.env.PATH}` } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const size = statSync(join(REPO, "dist", "fx86")).size;
console.log(`dist/fx86: ${(size / 2 ** 20).toFixed(1)} MiB (${size.toLocaleString("en")} bytes)`);
console.log(`wall time of running ${HELLO}, median of 5:`);
for (const [, cmd, args] of ways) time(cmd, args);
const times = alternate(ways, 5, ([, cmd, args]) => time(cmd, args));
for (const way of ways) console.log(`  ${way[0].padEnd(22)} ${median(times.get(way)!).toFixed(0).padStart(5)} ms`);
