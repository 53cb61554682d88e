/**
 * Which processor mode the x87 cases run in on the real CPU, and building
 * that mode's runner (tests/x87/native/) into tests/.build/. Both modes
 * exchange the same records (oracle.ts).
 *
 * - "i386": runner.c in 32-bit protected mode, where the kernel still runs
 *   i386 programs (layer 1 of tests/support/reference.ts);
 * - "x86-64": runner64.c in 64-bit mode (layer 2), everywhere else. The x87
 *   unit is the same in both modes; runner64.c encodes the instruction so
 *   the CPU records what it would in 32-bit mode. qemu-i386 is no oracle
 *   for x87: it gets status flags wrong (stack fault, denormal, C1, ...).
 *
 * @example
 * const harness = pickHarness();
 * const { layout, outcomes } = runNative(buildRunner(harness), cases);
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { BUILD } from "../support/guests.ts";
import { i386Runner } from "../support/reference.ts";

/** The processor mode the native runner executes the cases in. */
export type Harness = "i386" | "x86-64";

const native = join(dirname(fileURLToPath(import.meta.url)), "native");

/**
 * The 32-bit runner where this machine runs i386 programs on the CPU, the
 * 64-bit one otherwise (also when FX86_I386=qemu asks to behave as such a
 * machine).
 *
 * @example
 * if (pickHarness() === "x86-64") console.log("64-bit harness");
 */
export function pickHarness(): Harness {
  return i386Runner() === "native" ? "i386" : "x86-64";
}

/**
 * How the test names a harness in its report.
 *
 * @example
 * describeHarness("x86-64"); // "64-bit harness"
 */
export function describeHarness(h: Harness): string {
  return h === "i386" ? "32-bit runner" : "64-bit harness";
}

/**
 * Compiles the runner for `harness` and returns its path; throws one line
 * saying what to install when the toolchain is missing.
 *
 * @example
 * const runner = buildRunner("x86-64"); // tests/.build/x87-runner64
 */
export function buildRunner(harness: Harness): string {
  if (harness === "x86-64" && process.arch !== "x64") {
    throw new Error(
      `the x87 test needs an x86-64 host to run its cases on the CPU (this is ${process.arch})`,
    );
  }
  const [src, name, flags, install] = harness === "i386"
    ? ["runner.c", "x87-runner", ["-m32"], "gcc-multilib"]
    : ["runner64.c", "x87-runner64", [], "gcc libc6-dev"];
  mkdirSync(BUILD, { recursive: true });
  const out = join(BUILD, name);
  const r = spawnSync("gcc", [
    ...flags,
    "-static",
    "-O2",
    "-Wall",
    join(native, src),
    join(native, "driver.c"),
    "-o",
    out,
  ], {
    encoding: "utf8",
  });
  if (r.error) throw new Error(`gcc is missing: apt-get install ${install}`);
  if (r.status !== 0) {
    throw new Error(
      `cannot build the x87 oracle ${src} (apt-get install ${install}):\n${r.stderr}`,
    );
  }
  return out;
}
