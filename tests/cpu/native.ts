/**
 * Assembles batches with NASM and runs them on the runners in native/:
 * runner.c, the i386 runner (on the CPU or under qemu-i386, whichever
 * command runs it), and runner64.c (native64.ts), which share the protocol
 * read and written here. Everything is built into tests/.build/cpu/;
 * missing tools fail with a message that says what to install.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Outcome } from "./outcome.ts";
import { batchSource, type Case, DATA_SIZE, type Placed, placements, stateBlock } from "./program.ts";

const here = dirname(fileURLToPath(import.meta.url));
export const buildDir = join(here, "..", ".build", "cpu");
/** The runners' C sources. */
export const nativeSources = join(here, "native");

/**
 * Runs a tool; throws with its error output if it fails.
 *
 * @example
 * tool("nasm", ["-v"], "asking NASM its version");
 */
export function tool(cmd: string, args: string[], what: string, input?: Uint8Array): Uint8Array {
  const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 30 });
  if (r.error || r.status !== 0) {
    throw new Error(
      `${what} failed (${cmd} ${args.join(" ")}): ${r.error?.message ?? ""}${r.stderr ?? ""}`,
    );
  }
  return r.stdout as Uint8Array;
}

/**
 * Throws one line saying what to install unless each command answers `--version`.
 *
 * @example
 * requireTools([["nasm", "nasm"]]);
 */
export function requireTools(tools: [cmd: string, pkg: string][]): void {
  for (const [cmd, pkg] of tools) {
    const r = spawnSync(cmd, ["--version"]);
    if (r.error || r.status !== 0) {
      throw new Error(`the differential CPU test needs ${cmd} (apt-get install ${pkg})`);
    }
  }
}

/** Builds the i386 runner; throws a clear error if gcc -m32 or nasm is missing. */
export function buildRunner(): string {
  mkdirSync(buildDir, { recursive: true });
  requireTools([["nasm", "nasm"], ["gcc", "gcc-multilib"]]);
  const out = join(buildDir, "runner");
  tool("gcc", [
    "-m32",
    "-static",
    "-O2",
    "-Wall",
    "-fno-stack-protector",
    join(nativeSources, "runner.c"),
    "-o",
    out,
  ], "building the native runner (needs gcc with 32-bit support: apt-get install gcc-multilib)");
  return out;
}

/**
 * Assembles NASM source into tests/.build/cpu/NAME.bin; returns the binary.
 *
 * @example
 * nasm("tiny", "bits 32\nnop\n"); // Uint8Array [0x90]
 */
export function nasm(name: string, source: string): Uint8Array {
  const src = join(buildDir, `${name}.asm`);
  const bin = join(buildDir, `${name}.bin`);
  writeFileSync(src, source);
  tool("nasm", ["-f", "bin", "-O0", "-w-number-overflow", src, "-o", bin], "assembling a test batch");
  return new Uint8Array(readFileSync(bin));
}

/** Assembles an i386 batch; returns the flat binary and where each case landed. */
export function assemble(name: string, cases: Case[]): { binary: Uint8Array; placed: Placed[] } {
  const binary = nasm(name, batchSource(cases));
  return { binary, placed: placements(binary, cases.length) };
}

/** A runner's view of the machine: LDT support and the selectors a case starts with. */
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

/** What a runner says before its records: magic, LDT, six selectors, then runner-specific words. */
export interface Header {
  host: Host;
  extra: number[];
}

function parseHeader(dv: DataView, magic: number, words: number): Header {
  if (dv.byteLength < 4 * words || dv.getUint32(0, true) !== magic) throw new Error("native runner: bad header");
  const w = (k: number) => dv.getUint32(4 * k, true);
  const host = { ldt: w(1) === 1, cs: w(2), ds: w(3), es: w(4), fs: w(5), gs: w(6), ss: w(7) };
  return { host, extra: Array.from({ length: words - 8 }, (_, k) => w(8 + k)) };
}

/** A runner program: the command that starts it and the header it writes. */
export interface Runner {
  command: string[];
  magic: number;
  headerWords: number;
}

/**
 * The i386 runner run by `command` (the runner itself, or qemu-i386 with it).
 *
 * @example
 * const runner = runner32(i386Command(buildRunner(), []));
 */
export function runner32(command: string[]): Runner {
  return { command, magic: 0xf86c0de0, headerWords: 8 };
}

/**
 * Asks a runner about the machine (runs no cases); `code` is any flat binary.
 *
 * @example
 * const { host } = probe(runner, "tests/.build/cpu/probe.bin");
 */
export function probe(runner: Runner, code: string): Header {
  const [cmd, ...args] = runner.command;
  const out = tool(cmd, [...args, code], "running the native runner", new Uint8Array(0));
  return parseHeader(new DataView(out.buffer, out.byteOffset, out.byteLength), runner.magic, runner.headerWords);
}

/**
 * Runs cases of the batch in tests/.build/cpu/NAME.bin, each from its
 * `placed` entry, and reads back one outcome per case.
 *
 * @example
 * const outcomes = runBatch(runner, "diff-0", cases, placed);
 */
export function runBatch(runner: Runner, name: string, cases: Case[], placed: Placed[]): Outcome[] {
  const [cmd, ...args] = runner.command;
  const out = tool(cmd, [...args, join(buildDir, `${name}.bin`)], "running the native runner", caseInput(cases, placed));
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  parseHeader(dv, runner.magic, runner.headerWords);
  const outcomes: Outcome[] = [];
  let p = 4 * runner.headerWords;
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
