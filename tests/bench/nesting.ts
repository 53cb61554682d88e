/**
 * Nesting benchmark: the same workload at depth 0, 1, 2 and 3 (a guest
 * RUNning a guest RUNning a guest...), measured in one run and reported as
 * ratios to depth 0 (CPU time, median of interleaved runs: measure.ts).
 * Run with `deno task bench` or directly:
 * `deno run -A tests/bench/nesting.ts [rounds]`.
 */
import { FileSystem } from "../../core/linux/fs/filesystem.ts";
import { Guest } from "../../core/vm/guest.ts";
import { cProgram, image } from "../support/build.ts";
import { alternate, median, processCpu } from "./measure.ts";

const rounds = process.argv[2] ?? "100000000";
const nest = image(cProgram("tests/bench/nest.c", "nest"));
const runtime = "Bun" in globalThis ? "bun" : "deno";

function runAt(depth: number): { seconds: number; instructions: number; out: string } {
  const fs = new FileSystem();
  fs.writeFile("/bin/nest", nest, { mode: 0o755 });
  const g = Guest.fromElf({ program: nest, argv: ["nest", String(depth), rounds], fs });
  const [stop, seconds] = processCpu(() => g.run(Infinity));
  if (stop.status !== "exited" || stop.exitCode !== 0) {
    throw new Error(`depth ${depth}: ${JSON.stringify(stop)}\n${new TextDecoder().decode(g.linux.stdout)}`);
  }
  return { seconds, instructions: g.instructions, out: new TextDecoder().decode(g.linux.stdout).trim() };
}

const REPEATS = 3;
const DEPTHS = [0, 1, 2, 3];
console.log(`fx86 nesting benchmark (${runtime}), leaf workload: ${rounds} rounds; median CPU time of ${REPEATS} interleaved runs`);
runAt(0); // warm up the JIT
const results: ReturnType<typeof runAt>[] = [];
const times = alternate(DEPTHS, REPEATS, (d) => {
  results[d] = runAt(d);
  return results[d].seconds;
});
const base = median(times.get(0)!);
console.log("depth".padEnd(7) + "seconds".padStart(9) + "instructions".padStart(16) + "vs depth 0".padStart(12) + "  output");
for (const d of DEPTHS) {
  const t = median(times.get(d)!);
  console.log(
    String(d).padEnd(7) + t.toFixed(3).padStart(9) + results[d].instructions.toLocaleString("en").padStart(16) +
      `${((t / base - 1) * 100).toFixed(1)}%`.padStart(12) + "  " + results[d].out.split("\n").pop(),
  );
}
