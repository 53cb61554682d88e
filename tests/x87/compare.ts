/**
 * Compares an emulator outcome with the native one. The only differences
 * allowed are the selectors: the host runs the instruction under an x86-64
 * kernel (CS 0x23 in 32-bit mode, 0x33 in 64-bit mode; DS 0x2b) where fx86
 * records Linux i386's 0x73/0x7b.
 *
 * @example
 * const why = difference(normalize(k, native, layout), emulated); // "" when equal
 */
import type { Case, Layout, Outcome } from "./oracle.ts";

const ARITH_FLAGS = 0x8d5;

/**
 * Linux's user selectors: an i386 kernel's code and data (0x73, 0x7b, which
 * fx86 records) and an x86-64 kernel's (0x23 32-bit code, 0x33 64-bit code,
 * 0x2b data). Generated images never hold them as FCS/FDS, so a mapped
 * selector is always one the CPU recorded.
 */
export const LINUX_SELECTORS: readonly number[] = [
  0x23,
  0x2b,
  0x33,
  0x73,
  0x7b,
];

/**
 * The native outcome with the host's selectors (`layout.cs`/`ds`) mapped to
 * fx86's.
 *
 * @example
 * const hw = normalize(k, outcomes[i], layout);
 */
export function normalize(k: Case, o: Outcome, layout: Layout): Outcome {
  if (
    !LINUX_SELECTORS.includes(layout.cs) || !LINUX_SELECTORS.includes(layout.ds)
  ) {
    throw new Error(
      `the runner ran with CS ${layout.cs.toString(16)}, DS ${
        layout.ds.toString(16)
      }: not selectors the cases avoid`,
    );
  }
  const state = o.state.slice();
  mapSelectors(state, false, layout);
  const mem = o.mem.slice();
  if (storesEnvironment(k)) mapSelectors(mem, k.o16, layout);
  return { ...o, state, mem };
}

/** FNSTENV or FNSAVE: the memory operand receives an environment, selectors included. */
function storesEnvironment(k: Case): boolean {
  return k.modrm < 0xc0 && (k.esc === 0xd9 || k.esc === 0xdd) &&
    ((k.modrm >> 3) & 7) === 6;
}

/** Where an environment image (16- or 32-bit layout) keeps FCS and FDS. */
function selectorOffsets(o16: boolean): [number, number] {
  return o16 ? [8, 12] : [16, 24];
}

/** Rewrites the host's FCS/FDS in an environment image to fx86's 0x73/0x7b. */
function mapSelectors(b: Uint8Array, o16: boolean, layout: Layout): void {
  const [cs, ds] = selectorOffsets(o16);
  if (b.length < ds + 2) return;
  if (b[cs] === layout.cs && b[cs + 1] === 0) b[cs] = 0x73;
  if (b[ds] === layout.ds && b[ds + 1] === 0) b[ds] = 0x7b;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** "" if the outcomes agree, else what differs. */
export function difference(hw: Outcome, emu: Outcome): string {
  if (hw.trap !== emu.trap) {
    return `trap native=${hw.trap} emulated=${emu.trap}`;
  }
  if (hw.trap) return "";
  const why: string[] = [];
  if (hex(hw.state) !== hex(emu.state)) why.push("state");
  if (hex(hw.mem) !== hex(emu.mem)) why.push("memory");
  if ((hw.eflags & ARITH_FLAGS) !== (emu.eflags & ARITH_FLAGS)) {
    why.push("eflags");
  }
  if (hw.eax !== emu.eax) why.push("eax");
  return why.join(", ");
}

export { hex };

/** Registers (ST indexes after the instruction) holding computed results. */
const RESULTS: Record<string, number[]> = {
  f2xm1: [0],
  fyl2x: [0],
  fyl2xp1: [0],
  fpatan: [0],
  fsin: [0],
  fcos: [0],
  fptan: [1],
  fsincos: [0, 1],
};

/** Is this one of the approximated (transcendental) instructions? */
export function isTranscendental(mnemonic: string): boolean {
  return mnemonic in RESULTS;
}

/** Position of an 80-bit value in the ordered sequence of encodings. */
function ordinal(b: Uint8Array, off: number): bigint {
  let sig = 0n;
  for (let i = 7; i >= 0; i--) sig = (sig << 8n) | BigInt(b[off + i]);
  const se = b[off + 8] | (b[off + 9] << 8);
  const e = BigInt(se & 0x7fff);
  const mag = e === 0n ? sig : (e << 63n) + (sig & ((1n << 63n) - 1n));
  return se & 0x8000 ? -mag : mag;
}

/**
 * For a transcendental instruction whose outcome differs: the largest
 * distance in ulps between the native and emulated results when that and
 * C1 are the only differences, else undefined.
 */
export function ulpDistance(
  mnemonic: string,
  hw: Outcome,
  emu: Outcome,
): number | undefined {
  const regs = RESULTS[mnemonic];
  if (regs === undefined || hw.trap || emu.trap) return undefined;
  const patched = emu.state.slice();
  let worst = 0;
  for (const i of regs) {
    const off = 28 + 10 * i;
    const d = ordinal(hw.state, off) - ordinal(emu.state, off);
    const ad = Number(d < 0n ? -d : d);
    worst = Math.max(worst, ad);
    patched.set(hw.state.subarray(off, off + 10), off);
    // Results either side of the smallest normal: only the denormal one
    // underflows, so UE (bit 4) follows the values too.
    const denormal = (b: Uint8Array) =>
      (b[off + 8] | ((b[off + 9] & 0x7f) << 8)) === 0;
    if (denormal(hw.state) !== denormal(emu.state)) {
      patched[4] = (patched[4] & ~0x10) | (hw.state[4] & 0x10);
    }
  }
  // C1 (bit 9 of the status word) reports the rounding direction, which
  // follows the approximation inside the CPU even when the result agrees.
  patched[5] = (patched[5] & ~2) | (hw.state[5] & 2);
  // The tag word follows the values (a result may be denormal on one side).
  patched.set(hw.state.subarray(8, 10), 8);
  return difference(hw, { ...emu, state: patched }) === "" ? worst : undefined;
}

/**
 * The CPU whose behaviour fx86's x87 reproduces (docs/x87.md): AMD family
 * 1Ah (Zen 5). Elsewhere the differential test runs in portable mode and
 * compares only what the architecture defines.
 */
export function isReferenceHost(cpuinfo: string): boolean {
  return /^vendor_id\s*:\s*AuthenticAMD$/m.test(cpuinfo) &&
    /^cpu family\s*:\s*26$/m.test(cpuinfo);
}

/** Encodings no manual defines (aliases every x87 happens to execute). */
const UNDOCUMENTED = /^(fstpnce|fneni|fndisi|fnsetpm)$/;

/** Instructions whose condition codes are results (everything else: undefined). */
const DEFINED_CC =
  /^(fi?u?comp{0,2}|ftst|fxam|fprem1?|fnstsw|fnstenv|fnsave|fldenv|frstor|fnclex|fninit)$/;

/** Domains outside which Intel calls the result undefined. */
function outsideDomain(k: Case & { mnemonic: string }): boolean {
  const st0 = k.state.subarray(28, 38);
  const e = (st0[8] | (st0[9] << 8)) & 0x7fff;
  if (k.mnemonic === "f2xm1") return e >= 0x3fff; // |x| >= 1
  if (k.mnemonic === "fyl2xp1") return e >= 0x3ffd; // |x| >= 1/4
  if (k.mnemonic === "fbld") {
    // non-decimal digits
    return Array.from(k.mem.subarray(0, 9)).some((b) =>
      (b & 15) > 9 || b >> 4 > 9
    );
  }
  return false;
}

function clearSelectors(b: Uint8Array, o16: boolean): void {
  for (const off of selectorOffsets(o16)) b.fill(0, off, off + 2);
}

/**
 * Portable mode: whether a case is comparable at all on a host that is not
 * the reference CPU, and the outcome with the architecturally undefined or
 * model-specific parts cleared (selectors, last-instruction pointers Intel
 * does not record, undefined condition codes, partial-remainder details).
 *
 * Recent Intel CPUs store FCS and FDS as 0 (CPUID.7.0:EBX bit 13), and
 * record FOP and FDP only for an instruction that raises an unmasked
 * exception (bit 6, and no fopcode compatibility mode); AMD's record them
 * always. So FOP and FDP are compared only where an instruction newly left
 * an exception pending (ES clear before, set after), as every x87 records
 * them there, and FCS/FDS never (also in FNSTENV/FNSAVE images).
 */
export function portable(
  k: Case & { mnemonic: string },
  o: Outcome,
  native: Outcome,
): Outcome | undefined {
  if (UNDOCUMENTED.test(k.mnemonic) || outsideDomain(k)) return undefined;
  const state = o.state.slice();
  const raised = !(k.state[4] & 0x80) && native.state[4] & 0x80;
  clearSelectors(state, false);
  if (!raised) state.fill(0, 18, 24); // FOP, FDP
  const mem = o.mem.slice();
  if (storesEnvironment(k)) clearSelectors(mem, k.o16);
  let cc = 0x4700;
  if (DEFINED_CC.test(k.mnemonic)) cc = 0;
  if (/^fprem1?$/.test(k.mnemonic) && native.state[5] & 4) {
    // partial remainder: how far a step goes is model-specific
    cc = 0x4300;
    state.fill(0, 28, 38);
  }
  state[4] &= ~(cc & 0xff);
  state[5] &= ~(cc >> 8);
  return { ...o, state, mem };
}
