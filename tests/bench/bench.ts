/**
 * The benchmark of issue 10 (point 1): fx86 against qemu-i386 running the
 * same i386 programs (Debian's busybox, and minigzip and lua built from
 * Debian sources), and against the amd64 builds of the same versions on
 * this CPU, measured in one run and reported as ratios (not a test:
 * nothing here asserts a time).
 *
 * Run: `deno task bench` (tests/prepare.sh, which installs qemu-user and
 * what the amd64 builds need, then this under Deno and Bun, then the other
 * benchmarks), or `npx deno run -A tests/bench/bench.ts`,
 * `npx bun tests/bench/bench.ts`. FX86_BENCH_SCALE multiplies the input
 * sizes (default 1; 0.1 for a quick run), FX86_BENCH_REPS sets the
 * repetitions (default 5).
 *
 * Each figure is CPU time (user + system), the median of the repetitions;
 * within a repetition the systems take turns, in an order rotated from one
 * repetition to the next (measure.ts). "fx86" is a fresh `fx86 exec --json`
 * process for every run, as a user starts it: the runtime's start-up,
 * loading the program, and compiling every hot region are all in its
 * figure, as qemu-i386's start-up and translation are in its own; the
 * headline ratios are fx86's. "fx86 warm" runs the guest again in the
 * benchmark's process, where the code its earlier runs compiled is reused
 * (the steady state, which long runs, repeated runs and sub-guests reach).
 * Under Bun the start-up row is also measured for the standalone executable
 * that scripts/compile.ts builds, as fx86 ships. Each row also says whether
 * every run of every system wrote the same stdout, and gives the guest's
 * instruction count, MIPS (that count over fx86's and over qemu's CPU time:
 * the same program on the same input), the largest maximum RSS of fx86's
 * and of qemu's processes (MiB), and the root hash of fx86's final
 * guest state (the process's and the warm runs'), which must be the same
 * in every run and under Deno and Bun.
 */
import { spawnSync } from "node:child_process";
import os from "node:os";
import { join } from "node:path";
import process from "node:process";
import { AMD64_BUSYBOX, amd64Build, busyboxVersion } from "./amd64.ts";
import { alternate, geometricMean, median } from "./measure.ts";
import { runOn, runtime, type System, SYSTEMS } from "./systems.ts";
import { I386_BUSYBOX, I386_LUA, I386_MINIGZIP, type Workload, workloads } from "./workloads.ts";
import { BUILD, REPO } from "../support/paths.ts";
import { applyJitHints } from "../../cli/jit-hints.ts";

/** A positive number from the environment variable `name`, else `fallback`. */
function setting(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!(value > 0)) throw new Error(`${name} must be a positive number, not "${process.env[name]}"`);
  return value;
}

/** One table row: medians per system and what fx86's guest did. */
interface Row {
  workload: Workload;
  /** Medians by system ("fx86 warm" is missing for start-up rows). */
  seconds: Partial<Record<System, number>> & Record<"fx86" | "qemu-i386" | "amd64", number>;
  /** Whether every run of every system wrote the same stdout. */
  identical: boolean;
  instructions: number;
  /** The final state roots of fx86's runs (one if the runs agree). */
  roots: Set<string>;
  /** The largest maximum RSS of any run, in bytes, by system run as a process. */
  rss: Partial<Record<System, number>>;
}

function measure(w: Workload, reps: number): Row {
  const outputs = new Set<string>(), roots = new Set<string>();
  const rss: Partial<Record<System, number>> = {};
  let instructions = 0;
  const systems = w.startUp ? SYSTEMS.filter((s) => s !== "fx86 warm") : SYSTEMS;
  const samples = alternate(systems, reps, (system) => {
    const run = runOn(system, w);
    outputs.add(run.stdout);
    if (run.maxRss !== undefined) rss[system] = Math.max(rss[system] ?? 0, run.maxRss);
    if (run.guest) {
      // The count is part of the state, so runs that disagree on it show as different roots.
      roots.add(run.guest.root);
      instructions = run.guest.instructions;
    }
    return run.seconds;
  });
  const seconds = Object.fromEntries(systems.map((s) => [s, median(samples.get(s)!)])) as Record<System, number>;
  return { workload: w, seconds, identical: outputs.size === 1, instructions, roots, rss };
}

const COLUMNS: [string, number][] = [
  ["workload", -24], ["fx86 s", 8], ["warm s", 8], ["qemu s", 8], ["amd64 s", 9], ["fx86/qemu", 11], ["warm/qemu", 11],
  ["fx86/amd64", 12], ["qemu/amd64", 12], ["instructions", 15], ["fx86 MIPS", 11], ["warm MIPS", 11], ["qemu MIPS", 11],
  ["fx86 MiB", 10], ["qemu MiB", 10], ["  output", -11],
];

/** Cells padded to the columns (negative width: left-aligned). */
function line(cells: string[]): string {
  return cells.map((c, i) => {
    const width = COLUMNS[i][1];
    return width < 0 ? c.padEnd(-width) : c.padStart(width);
  }).join("");
}

/** A maximum RSS in MiB. */
const mib = (bytes: number | undefined) => bytes === undefined ? "-" : (bytes / 2 ** 20).toFixed(0);

function format(row: Row): string {
  const { fx86, "fx86 warm": warm, "qemu-i386": qemu, amd64 } = row.seconds;
  const n = row.instructions;
  // MIPS of a start-up would only measure the runtime's start-up.
  const mips = (s: number | undefined) => row.workload.startUp || s === undefined ? "-" : (n / s / 1e6).toFixed(0);
  return line([
    row.workload.name, fx86.toFixed(3), warm?.toFixed(3) ?? "-", qemu.toFixed(3), amd64.toFixed(4),
    `${(fx86 / qemu).toFixed(1)}x`, warm === undefined ? "-" : `${(warm / qemu).toFixed(1)}x`,
    `${(fx86 / amd64).toFixed(1)}x`, `${(qemu / amd64).toFixed(1)}x`, n.toLocaleString("en"), mips(fx86), mips(warm),
    mips(qemu), mib(row.rss.fx86), mib(row.rss["qemu-i386"]), `  ${row.identical ? "identical" : "DIFFERENT"}`,
  ]);
}

/** Builds the standalone executable (scripts/compile.ts) into tests/.build for the start-up row. */
function standaloneBinary(): string {
  const out = join(BUILD, "fx86-bench");
  const r = spawnSync(process.execPath, [join(REPO, "scripts", "compile.ts"), out], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`building the standalone executable failed: ${r.stderr || r.stdout}`);
  return out;
}

function main(): void {
  const scale = setting("FX86_BENCH_SCALE", 1), reps = setting("FX86_BENCH_REPS", 5);
  const version = runtime === "bun" ? process.versions.bun : process.versions.deno;
  const set = workloads(scale);
  // Under Bun, also the product as shipped: the standalone executable `bun build --compile` makes.
  if (runtime === "bun") {
    const startUp = set.find((w) => w.startUp)!;
    set.push({ ...startUp, name: "start-up: fx86 binary", binary: standaloneBinary() });
  }
  console.log(`fx86 benchmark under ${runtime} ${version}: CPU time (user + system), median of ${reps} runs, systems alternating`);
  console.log(`  fx86 and qemu-i386 run ${I386_BUSYBOX}: ${busyboxVersion(I386_BUSYBOX)}`);
  console.log(`  amd64 runs ${AMD64_BUSYBOX}: ${busyboxVersion(AMD64_BUSYBOX)}`);
  console.log(`  fx86 and qemu-i386 run ${I386_MINIGZIP} and ${I386_LUA}: zlib's and Lua's, built from Debian sources (examples/bin/README.md)`);
  console.log(`  amd64 runs ${amd64Build("minigzip")} and ${amd64Build("lua")}: the same sources, built by scripts/build-bench-guests.sh`);
  console.log(
    `  scale ${scale} (FX86_BENCH_SCALE), ${reps} repetitions (FX86_BENCH_REPS); load average at start ` +
      `${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} CPUs (other work on them makes figures noisy)`,
  );
  console.log(line(COLUMNS.map(([title]) => title)));
  const rows: Row[] = [];
  for (const w of set) {
    const row = measure(w, reps);
    rows.push(row);
    console.log(format(row));
  }
  console.log(`final state roots of fx86's guests (${runtime}):`);
  for (const row of rows) {
    const roots = row.roots.size === 1 ? [...row.roots][0] : `DIFFERENT in different runs: ${[...row.roots].join(" ")}`;
    console.log(`  ${row.workload.name.padEnd(24)} ${roots}`);
  }
  // Start-up has its own target (seconds, not a ratio), so the mean is over the throughput workloads.
  const throughput = rows.filter((r) => !r.workload.startUp);
  for (const system of ["fx86", "fx86 warm"] as const) {
    const ratios = throughput.map((r) => ({ name: r.workload.name, x: r.seconds[system]! / r.seconds["qemu-i386"] }));
    const worst = ratios.reduce((a, b) => (b.x > a.x ? b : a));
    console.log(
      `${system}/qemu-i386 CPU time under ${runtime}: geometric mean ${geometricMean(ratios.map((r) => r.x)).toFixed(1)}x over ` +
        `${ratios.length} workloads (start-up excluded), max ${worst.x.toFixed(1)}x (${worst.name})`,
    );
  }
}

try {
  // The warm runs happen in this process: tuned as `fx86 exec` is.
  await applyJitHints();
  main();
} catch (e) {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(1);
}
