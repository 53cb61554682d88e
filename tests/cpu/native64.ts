/**
 * Layer 2 of the differential test: the real CPU running translated cases
 * in a 64-bit process (native/runner64.c, program64.ts), for machines
 * whose kernel no longer runs i386 programs.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { GS } from "../../core/cpu/state.ts";
import type { LongModeCpu } from "./long_mode.ts";
import { buildDir, type Host, nasm, nativeSources, probe, requireTools, runBatch, type Runner, tool } from "./native.ts";
import type { Outcome } from "./outcome.ts";
import { batchSource, type Case, CODE_BASE, type Placed, placements } from "./program.ts";
import { ALIAS_SELECTOR, dialect64, type Translation } from "./program64.ts";

/** The 64-bit runner and what it reported about the machine. */
export interface Runner64 {
  runner: Runner;
  host: Host;
  cpu: LongModeCpu;
}

/**
 * Builds native/runner64.c and asks it about the machine; `probeCode` is
 * any flat binary. Throws one line saying what to install if gcc (with a
 * static C library) or nasm is missing.
 *
 * @example
 * const { host, cpu } = buildRunner64("tests/.build/cpu/probe.bin");
 */
export function buildRunner64(probeCode: string): Runner64 {
  mkdirSync(buildDir, { recursive: true });
  requireTools([["nasm", "nasm"], ["gcc", "gcc"]]);
  const out = join(buildDir, "runner64");
  tool(
    "gcc",
    ["-static", "-O2", "-Wall", "-fno-stack-protector", join(nativeSources, "runner64.c"), "-o", out],
    "building the 64-bit runner (needs gcc and a static C library: apt-get install gcc libc6-dev)",
  );
  const runner: Runner = { command: [out], magic: 0xf86c0d64, headerWords: 9 };
  const { host, extra } = probe(runner, probeCode);
  return { runner, host, cpu: { lahf64: extra[0] === 1 } };
}

/**
 * Runs translated cases on the real CPU in 64-bit mode. Fault addresses
 * come back as addresses in the i386 batch, where fx86 runs the same cases
 * (numbered `numbers32` there, at `placed32`).
 *
 * @example
 * const outcomes = runLayer2(r64, "diff-0", cases, translations, placed, cases.map((_, n) => n));
 */
export function runLayer2(
  r: Runner64,
  name: string,
  cases: Case[],
  translations: Translation[],
  placed32: Placed[],
  numbers32: number[],
): Outcome[] {
  const binary = nasm(name, batchSource(cases, dialect64(translations, placed32, numbers32)));
  const placed = placements(binary, cases.length);
  return runBatch(r.runner, name, cases, placed).map((o, n) => {
    const t = translations[n];
    // GS standing in for CS (program64.ts) is the harness's, not the case's.
    const sregs = o.sregs.map((s, k) => (t.alias && k === GS && s === ALIAS_SELECTOR ? r.host.gs : s));
    if (o.fault === "ok") return { ...o, sregs };
    const rel = o.eip - CODE_BASE - placed[n].instr;
    const boundary = t.boundaries.find(([, at64]) => at64 === rel);
    if (!boundary) {
      throw new Error(`layer 2: case ${n} of ${name} faulted at 0x${o.eip.toString(16)}, not at one of its instructions`);
    }
    return { ...o, sregs, eip: CODE_BASE + placed32[n].instr + boundary[0] };
  });
}
