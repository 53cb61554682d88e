/**
 * How the benchmarks measure: CPU time (user + system) of a child process
 * or of work done in this process, systems taking turns within each
 * repetition, medians, geometric means.
 *
 * CPU time rather than wall time: other work on the machine (tests run on
 * the same cores) delays a run but adds little to its CPU time. It still
 * adds some (shared caches, frequency), so figures stay noisy on a busy
 * machine; alternating the systems spreads that noise over all of them.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { BUILD, REPO } from "../support/paths.ts";

/** One run of a program: its CPU time and what it wrote. */
export interface ChildRun {
  /** User + system CPU seconds of the child (and of children it waited for). */
  seconds: number;
  /** The child's maximum resident set size, in bytes. */
  maxRss: number;
  stdout: Uint8Array;
  stderr: string;
  /** Exit status, or null if a signal ended it. */
  status: number | null;
}

const SOURCE = join(REPO, "tests", "bench", "cputime.c");
const WRAPPER = join(BUILD, "cputime");

/** The cputime wrapper (tests/bench/cputime.c), compiled for this host when missing or stale. */
function wrapper(): string {
  if (existsSync(WRAPPER) && statSync(WRAPPER).mtimeMs >= statSync(SOURCE).mtimeMs) return WRAPPER;
  mkdirSync(BUILD, { recursive: true });
  try {
    execFileSync("gcc", ["-O2", "-o", WRAPPER, SOURCE], { stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { code?: string; stderr?: Uint8Array };
    if (err.code === "ENOENT") throw new Error("gcc is missing: apt-get install gcc (tests/prepare.sh installs it)");
    throw new Error(`gcc failed on ${SOURCE}: ${new TextDecoder().decode(err.stderr ?? new Uint8Array())}`);
  }
  return WRAPPER;
}

/**
 * A scratch directory on tmpfs where there is one, so the children's
 * input and output files cost no disk I/O.
 */
function scratch(): string {
  return mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "fx86-bench-"));
}

/**
 * Runs `command` (an absolute program path and its arguments) with exactly
 * `env` and `stdin` as its standard input, in `cwd` (default: a fresh
 * scratch directory), and returns the CPU time it used (wait4's rusage, microsecond resolution)
 * and its maximum RSS with its output.
 *
 * @example
 * const r = childCpu(["/bin/sh", "-c", "echo hi"], { env: ["PATH=/bin"] });
 * r.seconds; // 0.0004
 * new TextDecoder().decode(r.stdout); // "hi\n"
 */
export function childCpu(command: string[], opts: { env: string[]; stdin?: Uint8Array; cwd?: string }): ChildRun {
  const dir = scratch();
  try {
    const input = join(dir, "stdin"), output = join(dir, "stdout");
    writeFileSync(input, opts.stdin ?? new Uint8Array(0));
    const r = spawnSync(wrapper(), [input, output, String(opts.env.length), ...opts.env, ...command], {
      cwd: opts.cwd ?? dir,
      encoding: "utf8",
    });
    if (r.error) throw r.error;
    const report = r.stdout.trim().split(" ").map(Number);
    if (r.status !== 0 || report.length !== 4) throw new Error(`cputime ${command.join(" ")}: ${r.stderr.trim()}`);
    const [user, sys, wait, rssKiB] = report;
    const exited = (wait & 0x7f) === 0;
    return {
      seconds: (user + sys) / 1e6,
      maxRss: rssKiB * 1024,
      stdout: new Uint8Array(readFileSync(output)),
      stderr: r.stderr,
      status: exited ? (wait >> 8) & 0xff : null,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Calls `work` and returns its result with the CPU seconds this process
 * used meanwhile (process.cpuUsage, which Deno 2 and Bun both provide:
 * every thread of the process, so the JIT compiler and the garbage
 * collector count too, as qemu's threads count in its rusage).
 *
 * @example
 * const [sum, seconds] = processCpu(() => [1, 2, 3].reduce((a, b) => a + b));
 */
export function processCpu<T>(work: () => T): [T, number] {
  const before = process.cpuUsage();
  const result = work();
  const used = process.cpuUsage(before);
  return [result, (used.user + used.system) / 1e6];
}

/**
 * Measures each system `reps` times, the systems taking turns: repetition
 * r runs them all once, starting with system r mod n, so none is always
 * first (cold caches) or always after the same neighbour. `measure`
 * returns one sample (seconds, say); the result holds each system's
 * samples in the order taken.
 *
 * @example
 * const samples = alternate(["fx86", "qemu"], 3, (system) => time(system));
 * median(samples.get("fx86")!);
 */
export function alternate<S>(systems: readonly S[], reps: number, measure: (system: S, rep: number) => number): Map<S, number[]> {
  const samples = new Map(systems.map((s) => [s, [] as number[]]));
  for (let rep = 0; rep < reps; rep++) {
    for (let i = 0; i < systems.length; i++) {
      const system = systems[(rep + i) % systems.length];
      samples.get(system)!.push(measure(system, rep));
    }
  }
  return samples;
}

/**
 * The median (the mean of the two middle values of an even count).
 *
 * @example
 * median([3, 1, 2]); // 2
 * median([4, 1, 2, 3]); // 2.5
 */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error("median of nothing");
  const sorted = [...xs].sort((a, b) => a - b), mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The geometric mean: the mean of ratios that treats 2x faster and 2x
 * slower alike.
 *
 * @example
 * geometricMean([2, 8]); // 4
 */
export function geometricMean(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error("geometric mean of nothing");
  return Math.exp(xs.reduce((sum, x) => sum + Math.log(x), 0) / xs.length);
}
