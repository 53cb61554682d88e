/**
 * Assembles batches with NASM and runs them on the real CPU through
 * native/runner.c. Everything is built into tests/.build/cpu/; missing
 * tools fail with a message that says what to install.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Outcome } from "./outcome.ts";
import { batchSource, type Case, DATA_SIZE, type Placed, placements, stateBlock } from "./program.ts";

const here = dirname(fileURLToPath(import.meta.url));
export const buildDir = join(here, "..", ".build", "cpu");

function tool(cmd: string, args: string[], what: string, input?: Uint8Array) {
  const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 30 });
  if (r.error || r.status !== 0) {
    throw new Error(
      `${what} failed (${cmd} ${args.join(" ")}): ${r.error?.message ?? ""}${r.stderr ?? ""}`,
    );
  }
  return r.stdout as Uint8Array;
}

/** Builds the native runner; throws a clear error if gcc -m32 or nasm is missing. */
export function buildRunner(): string {
  mkdirSync(buildDir, { recursive: true });
  for (const [cmd, pkg] of [["nasm", "nasm"], ["gcc", "gcc-multilib"]]) {
    const r = spawnSync(cmd, ["--version"]);
    if (r.error || r.status !== 0) {
      throw new Error(`the differential CPU test needs ${cmd} (apt-get install ${pkg})`);
    }
  }
  const out = join(buildDir, "runner");
  tool("gcc", [
    "-m32",
    "-static",
    "-O2",
    "-Wall",
    "-fno-stack-protector",
    join(here, "native", "runner.c"),
    "-o",
    out,
  ], "building the native runner (needs gcc with 32-bit support: apt-get install gcc-multilib)");
  return out;
}

/** Assembles a batch; returns the flat binary and where each case landed. */
export function assemble(name: string, cases: Case[]): { binary: Uint8Array; placed: Placed[] } {
  const src = join(buildDir, `${name}.asm`);
  const bin = join(buildDir, `${name}.bin`);
  writeFileSync(src, batchSource(cases));
  tool("nasm", ["-f", "bin", "-O0", "-w-number-overflow", src, "-o", bin], "assembling a test batch");
  const binary = new Uint8Array(readFileSync(bin));
  return { binary, placed: placements(binary, cases.length) };
}

/** The runner's view of the machine: LDT support and the host's selectors. */
export interface Host {
  ldt: boolean;
  /** CS DS ES FS GS SS as the runner found them. */
  cs: number;
  ds: number;
  es: number;
  fs: number;
  gs: number;
  ss: number;
}

function caseInput(cases: Case[], placed: Placed[]): Uint8Array {
  const words: number[] = [];
  cases.forEach((c, n) => {
    words.push(placed[n].entry, c.seed, ...stateBlock(c), c.patches.length);
    for (const p of c.patches) {
      words.push(p.offset, p.bytes.length);
      const padded = [...p.bytes, 0, 0, 0].slice(0, (p.bytes.length + 3) & ~3);
      for (let k = 0; k < padded.length; k += 4) {
        words.push(padded[k] | (padded[k + 1] << 8) | (padded[k + 2] << 16) | (padded[k + 3] << 24));
      }
    }
  });
  return new Uint8Array(Uint32Array.from(words.map((w) => w >>> 0)).buffer);
}

/** Asks the runner about the host (runs no cases). */
export function probeHost(runner: string, binary: string): Host {
  const out = tool(runner, [binary], "running the native runner", new Uint8Array(0));
  return parseHeader(new DataView(out.buffer, out.byteOffset, out.byteLength));
}

function parseHeader(dv: DataView): Host {
  if (dv.getUint32(0, true) !== 0xf86c0de0) throw new Error("native runner: bad header");
  const w = (k: number) => dv.getUint32(4 * k, true);
  return { ldt: w(1) === 1, cs: w(2), ds: w(3), es: w(4), fs: w(5), gs: w(6), ss: w(7) };
}

/** Runs a batch on the real CPU. */
export function runNative(runner: string, name: string, cases: Case[], placed: Placed[]): Outcome[] {
  const out = tool(runner, [join(buildDir, `${name}.bin`)], "running the native runner", caseInput(cases, placed));
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  parseHeader(dv);
  const outcomes: Outcome[] = [];
  let p = 32;
  for (let n = 0; n < cases.length; n++) {
    const w = (k: number) => dv.getUint32(p + 4 * k, true);
    const signal = w(0);
    const diff = new Map<number, number>();
    const count = w(20);
    for (let k = 0; k < count; k++) {
      const q = p + 84 + 4 * k;
      const offset = dv.getUint16(q, true);
      if (offset >= DATA_SIZE) throw new Error("native runner: bad diff");
      diff.set(offset, dv.getUint8(q + 2));
    }
    outcomes.push({
      fault: signal === 0 ? "ok" : `signal ${signal}`,
      trapno: signal === 0 ? undefined : w(1),
      addr: w(2),
      eip: w(3),
      path: w(4),
      regs: [5, 6, 7, 8, 9, 10, 11, 12].map((k) => w(k) | 0),
      eflags: w(13),
      sregs: [14, 15, 16, 17, 18, 19].map(w),
      diff,
    });
    p += 84 + 4 * count;
  }
  if (p !== out.length) throw new Error("native runner: output does not match the cases");
  return outcomes;
}
