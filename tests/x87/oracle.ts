/**
 * The real CPU as an oracle: the cases and results exchanged with a native
 * runner, in either processor mode (runner.ts picks and builds it;
 * tests/x87/native/runner.h documents the records).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUILD } from "../support/guests.ts";

/** One instruction with the state it starts from. */
export interface Case {
  o16: boolean;
  esc: number;
  modrm: number;
  eflags: number;
  eax: number;
  /** 108-byte 32-bit FNSAVE image loaded with FRSTOR before the instruction. */
  state: Uint8Array;
  /** The memory operand (at most 112 bytes). */
  mem: Uint8Array;
}

/** What the instruction left behind. */
export interface Outcome {
  state: Uint8Array;
  mem: Uint8Array;
  eflags: number;
  eax: number;
  /** 0 = ran, 1 = raised #MF (pending unmasked exception), 2 = #UD. */
  trap: number;
}

/** Where the runner places the instruction and its memory operand. */
export interface Layout {
  /** The address of the instruction's first byte, prefixes included (FIP). */
  eip: number;
  /** The memory operand's address (FDP). */
  ea: number;
  /** The code and data selectors the instruction runs with (FCS, FDS). */
  cs: number;
  ds: number;
}

/**
 * Runs `cases` on the real CPU through `runner`.
 *
 * @example
 * // fld1 from an FNINIT state (tag word all empty)
 * const state = new Uint8Array(108);
 * state.set([0x7f, 0x03, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);
 * const { layout, outcomes } = runNative(buildRunner(pickHarness()), [{ o16: false,
 *   esc: 0xd9, modrm: 0xe8, eflags: 2, eax: 0, state, mem: new Uint8Array(0) }]);
 */
export function runNative(
  runner: string,
  cases: Case[],
): { layout: Layout; outcomes: Outcome[] } {
  let size = 0;
  for (const c of cases) size += 4 + 8 + 108 + c.mem.length;
  const input = new Uint8Array(size);
  const dv = new DataView(input.buffer);
  let p = 0;
  for (const c of cases) {
    input[p] = c.o16 ? 1 : 0;
    input[p + 1] = c.esc;
    input[p + 2] = c.modrm;
    input[p + 3] = c.mem.length;
    dv.setUint32(p + 4, c.eflags, true);
    dv.setUint32(p + 8, c.eax, true);
    input.set(c.state, p + 12);
    input.set(c.mem, p + 120);
    p += 120 + c.mem.length;
  }
  // Files, not pipes: the runner's output would fill a pipe before it has
  // read all of its input.
  const inFile = join(BUILD, "x87-cases.bin"),
    outFile = join(BUILD, "x87-results.bin");
  writeFileSync(inFile, input);
  const r = spawnSync(runner, [inFile, outFile], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error(
      `native x87 runner failed (status ${r.status}, signal ${r.signal}): ${
        r.error?.message ?? r.stderr
      }`,
    );
  }
  const out = new Uint8Array(readFileSync(outFile));
  const ov = new DataView(out.buffer, out.byteOffset, out.length);
  const layout = {
    eip: ov.getUint32(0, true),
    ea: ov.getUint32(4, true),
    cs: ov.getUint16(8, true),
    ds: ov.getUint16(10, true),
  };
  const outcomes: Outcome[] = [];
  let q = 12;
  for (const c of cases) {
    const n = c.mem.length;
    outcomes.push({
      state: out.slice(q, q + 108),
      mem: out.slice(q + 108, q + 108 + n),
      eflags: ov.getUint32(q + 108 + n, true),
      eax: ov.getUint32(q + 112 + n, true) | 0,
      trap: ov.getUint32(q + 116 + n, true),
    });
    q += 120 + n;
  }
  if (q !== out.length) throw new Error("native x87 runner: short output");
  return { layout, outcomes };
}
