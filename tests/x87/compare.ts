/**
 * Compares an emulator outcome with the native one. The only differences
 * allowed are the selectors: the host runs 32-bit code under a 64-bit
 * kernel (CS 0x23, DS 0x2b) where fx86 records Linux i386's 0x73/0x7b.
 *
 * @example
 * const why = difference(k, native, emulated); // "" when equal
 */
import type { Case, Outcome } from "./oracle.ts";

const ARITH_FLAGS = 0x8d5;

/** The native outcome with host selectors mapped to fx86's. */
export function normalize(k: Case, o: Outcome): Outcome {
  const state = o.state.slice();
  mapSelector(state, 16, 0x23, 0x73);
  mapSelector(state, 24, 0x2b, 0x7b);
  const mem = o.mem.slice();
  if (
    k.modrm < 0xc0 && (k.esc === 0xd9 || k.esc === 0xdd) &&
    ((k.modrm >> 3) & 7) === 6
  ) {
    // FNSTENV / FNSAVE wrote an environment with the selectors in it.
    mapSelector(mem, k.o16 ? 8 : 16, 0x23, 0x73);
    mapSelector(mem, k.o16 ? 12 : 24, 0x2b, 0x7b);
  }
  return { ...o, state, mem };
}

function mapSelector(
  b: Uint8Array,
  off: number,
  from: number,
  to: number,
): void {
  if (b.length >= off + 2 && b[off] === from && b[off + 1] === 0) b[off] = to;
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

/**
 * Portable mode: whether a case is comparable at all on a host that is not
 * the reference CPU, and the outcome with the architecturally undefined or
 * model-specific parts cleared (selectors and data pointer, undefined
 * condition codes, partial-remainder details).
 */
export function portable(
  k: Case & { mnemonic: string },
  o: Outcome,
  native: Outcome,
): Outcome | undefined {
  if (UNDOCUMENTED.test(k.mnemonic) || outsideDomain(k)) return undefined;
  const state = o.state.slice();
  state.fill(0, 16, 18); // FCS
  state.fill(0, 20, 28); // FDP, FDS
  let cc = 0x4700;
  if (DEFINED_CC.test(k.mnemonic)) cc = 0;
  if (/^fprem1?$/.test(k.mnemonic) && native.state[5] & 4) {
    // partial remainder: how far a step goes is model-specific
    cc = 0x4300;
    state.fill(0, 28, 38);
  }
  state[4] &= ~(cc & 0xff);
  state[5] &= ~(cc >> 8);
  return { ...o, state };
}
