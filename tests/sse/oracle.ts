/**
 * The real CPU as the MMX/SSE oracle: the case and result records
 * exchanged with tests/sse/native/runner64.c (which documents them), and
 * building that runner. The cases run in a 64-bit process (the "64-bit
 * harness"): MMX, SSE and SSE2 compute the same there, and the encodings
 * the generator uses mean the same in both modes.
 *
 * @example
 * const outcomes = runNative(buildRunner(), cases);
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { BUILD } from "../support/guests.ts";

/** Where the runner (and fx86) put the instruction and the data bytes. */
export const CODE_ADDR = 0x20000000, DATA_ADDR = 0x30000000, MEM_LEN = 576;
/** The data bytes (room for an FXSAVE area and a little more) end the data page; the page after it is unmapped. */
export const MEM_ADDR = DATA_ADDR + 4096 - MEM_LEN;

/** One instruction and the state it starts from. */
export interface Case {
  /** The instruction's bytes (at most 16). */
  code: number[];
  /** 512-byte FXSAVE image: x87/MMX registers, MXCSR, XMM0..7. */
  fx: Uint8Array;
  /** EAX..EDI (ESP is not used). */
  gpr: number[];
  eflags: number;
  /** The MEM_LEN bytes at MEM_ADDR. */
  mem: Uint8Array;
  /** What the case tests, for messages. */
  name: string;
  /**
   * Ranges [from, to) of data bytes not compared: FXSAVE's XMM8..XMM15
   * slots, which 64-bit mode fills with the runner's registers and 32-bit
   * mode (fx86) with zeros, and the fields of its image that processors
   * fill differently (compare.ts).
   */
  ignore?: [number, number][];
  /** RCP/RSQRT: results are approximations whose exact bits differ between processors (compare.ts). */
  approximate?: boolean;
}

/** What the instruction left (or the signal it raised: 0 when it ran). */
export interface Outcome {
  signal: number;
  fx: Uint8Array;
  gpr: number[];
  eflags: number;
  mem: Uint8Array;
}

export const SIGILL = 4, SIGFPE = 8, SIGSEGV = 11;

const native = join(dirname(fileURLToPath(import.meta.url)), "native");
const CASE_BYTES = 16 + 512 + 32 + 4 + MEM_LEN;
const RESULT_BYTES = 4 + 512 + 32 + 4 + MEM_LEN;

/**
 * Compiles the runner; throws one line saying what to install when the
 * toolchain is missing.
 *
 * @example
 * const runner = buildRunner(); // tests/.build/sse-runner64
 */
export function buildRunner(): string {
  if (process.arch !== "x64") {
    throw new Error(`the SSE test needs an x86-64 host to run its cases on the CPU (this is ${process.arch})`);
  }
  mkdirSync(BUILD, { recursive: true });
  const out = join(BUILD, "sse-runner64");
  // Built under a temporary name: test runs in parallel (Deno and Bun, worktrees sharing tests/.build) must not see half a file.
  const tmp = `${out}.${process.pid}`;
  const r = spawnSync("gcc", ["-static", "-O2", "-Wall", join(native, "runner64.c"), "-o", tmp], { encoding: "utf8" });
  if (r.error) throw new Error("gcc is missing: apt-get install gcc libc6-dev");
  if (r.status !== 0) throw new Error(`cannot build the SSE oracle (apt-get install gcc libc6-dev):\n${r.stderr}`);
  renameSync(tmp, out);
  return out;
}

/** Runs `cases` on the real CPU. */
export function runNative(runner: string, cases: Case[]): Outcome[] {
  const input = new Uint8Array(cases.length * CASE_BYTES);
  const dv = new DataView(input.buffer);
  cases.forEach((c, n) => {
    const p = n * CASE_BYTES;
    input.fill(0x90, p, p + 16);
    input.set(c.code, p);
    input.set(c.fx, p + 16);
    c.gpr.forEach((v, k) => dv.setUint32(p + 528 + 4 * k, v >>> 0, true));
    dv.setUint32(p + 560, c.eflags >>> 0, true);
    input.set(c.mem, p + 564);
  });
  // Files, not pipes: the runner's output would fill a pipe before it has read its input.
  const inFile = join(BUILD, `sse-cases.${process.pid}.bin`), outFile = join(BUILD, `sse-results.${process.pid}.bin`);
  writeFileSync(inFile, input);
  const r = spawnSync(runner, [inFile, outFile], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error(`native SSE runner failed (status ${r.status}, signal ${r.signal}): ${r.error?.message ?? r.stderr}`);
  }
  const out = new Uint8Array(readFileSync(outFile));
  rmSync(inFile, { force: true });
  rmSync(outFile, { force: true });
  if (out.length !== cases.length * RESULT_BYTES) throw new Error("native SSE runner: short output");
  const ov = new DataView(out.buffer, out.byteOffset, out.length);
  return cases.map((_, n) => {
    const q = n * RESULT_BYTES;
    return {
      signal: ov.getUint32(q, true),
      fx: out.slice(q + 4, q + 516),
      gpr: Array.from({ length: 8 }, (_, k) => ov.getUint32(q + 516 + 4 * k, true)),
      eflags: ov.getUint32(q + 548, true),
      mem: out.slice(q + 552, q + 552 + MEM_LEN),
    };
  });
}
