/**
 * The ways the benchmark runs a workload: fx86 as a user starts it (a
 * fresh `fx86 exec` process: runtime start-up, loading and every
 * translation included), fx86 warm (the guest run again in the
 * benchmark's process, where the code it translated in earlier runs is
 * already compiled: the steady state of a long run, of repeated runs and of
 * sub-guests), qemu-i386 on the same i386 program, and the program's amd64
 * build on this CPU.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import process from "node:process";
import { DEFAULT_ENV } from "../../core/vm/guest.ts";
import { runFx86 } from "../support/guests.ts";
import { REPO } from "../support/paths.ts";
import { qemuI386 } from "../support/reference.ts";
import { scriptArgv } from "../store/support.ts";
import { childCpu, processCpu } from "./measure.ts";
import type { Workload } from "./workloads.ts";

export const SYSTEMS = ["fx86", "fx86 warm", "qemu-i386", "amd64"] as const;
export type System = (typeof SYSTEMS)[number];

/** One measured run: CPU seconds, output, and for fx86 what its guest did. */
export interface SystemRun {
  seconds: number;
  /** SHA-256 of what the program wrote to stdout (hex). */
  stdout: string;
  /** Maximum resident set size in bytes, for a system run as its own process. */
  maxRss?: number;
  /** fx86 only: guest instructions retired and the SHA-256 root of the final guest state. */
  guest?: { instructions: number; root: string };
}

export const runtime: "deno" | "bun" = "Bun" in globalThis ? "bun" : "deno";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

const images = new Map<string, Uint8Array>();

/**
 * The guest in this process, after one unmeasured run of it has compiled
 * its hot code (compiled modules are shared by every engine in a process);
 * the root is computed after the clock stops.
 */
function fx86Warm(w: Workload): SystemRun {
  if (!images.has(w.i386)) {
    images.set(w.i386, new Uint8Array(readFileSync(w.i386)));
    runFx86(images.get(w.i386)!, { argv: [basename(w.i386), ...w.args], stdin: w.stdin });
  }
  const image = images.get(w.i386)!;
  const [r, seconds] = processCpu(() => runFx86(image, { argv: [basename(w.i386), ...w.args], stdin: w.stdin }));
  if (r.status !== 0) throw new Error(`fx86 ${w.name}: ${JSON.stringify(r.stop)} ${new TextDecoder().decode(r.stderr)}`);
  return { seconds, stdout: sha256(r.stdout), guest: { instructions: r.guest.instructions, root: r.guest.toTree().hash } };
}

/**
 * `fx86 exec` under this benchmark's runtime (or the standalone
 * executable), as a user starts it. The guest's output goes to a file, as
 * qemu-i386's does; only a start-up row, whose output is empty, asks for
 * `--json` to learn the guest's instruction count and root (a throughput
 * row takes them from its warm runs: encoding megabytes of output as JSON
 * would be counted against fx86).
 */
function fx86Process(w: Workload): SystemRun {
  const args = [...(w.startUp ? ["exec", "--json"] : ["exec"]), w.i386, ...w.args];
  const [bin, argv] = w.binary ? [w.binary, args] : scriptArgv(runtime, join(REPO, "cli", "main.ts"), args);
  // The runtime needs the host's environment (its cache, HOME); the guest gets fx86's own.
  const env = Object.entries(process.env).map(([k, v]) => `${k}=${v}`);
  const r = childCpu([bin, ...argv], { env, stdin: w.stdin, cwd: REPO });
  if (r.status !== 0) throw new Error(`fx86 exec ${w.name}: exit status ${r.status}: ${r.stderr.trim()}`);
  if (!w.startUp) return { seconds: r.seconds, maxRss: r.maxRss, stdout: sha256(r.stdout) };
  const report = JSON.parse(new TextDecoder().decode(r.stdout));
  if (report.status !== "exited" || report.exit_code !== 0) throw new Error(`fx86 exec ${w.name}: ${report.status} ${report.stderr}`);
  return {
    seconds: r.seconds,
    maxRss: r.maxRss,
    stdout: report.stdout_sha256,
    guest: { instructions: report.instructions, root: report.root },
  };
}

/** A program run as a child process with fx86's default guest environment. */
function child(system: System, w: Workload, command: string[]): SystemRun {
  const r = childCpu(command, { env: DEFAULT_ENV, stdin: w.stdin });
  if (r.status !== 0) throw new Error(`${system} ${w.name}: exit status ${r.status}: ${r.stderr.trim()}`);
  return { seconds: r.seconds, maxRss: r.maxRss, stdout: sha256(r.stdout) };
}

/**
 * Runs a workload once on a system and measures its CPU time.
 *
 * @example
 * const [md5] = workloads(1);
 * runOn("qemu-i386", md5).seconds; // 0.07
 */
export function runOn(system: System, w: Workload): SystemRun {
  switch (system) {
    case "fx86":
      return fx86Process(w);
    case "fx86 warm":
      return fx86Warm(w);
    case "qemu-i386":
      return child(system, w, [qemuI386(), w.i386, ...w.args]);
    case "amd64":
      return child(system, w, [w.amd64, ...w.args]);
  }
}
