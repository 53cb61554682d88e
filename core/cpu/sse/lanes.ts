/**
 * Floating-point lanes of a vector, and how an SSE instruction commits
 * its lane results: MXCSR's flags and the #XM fault.
 *
 * The SIMD exception rules (SDM Vol. 1, 11.5.2): the pre-computation
 * exceptions (IE, DE, ZE) of all lanes are found first; if one of them is
 * unmasked, those flags are set, nothing is stored and #XM is raised. Else
 * the results' flags (OE, UE, PE too) are set, and if one of them is
 * unmasked nothing is stored and #XM is raised. Otherwise the results are
 * stored.
 *
 * @example
 * const x = getLane(F64, A, 1); // the high double of A, as bits
 * commit(cpu, [r0, r1], (k, bits) => setLane(F64, A, k, bits));
 */
import { GuestFault } from "../../fault.ts";
import type { Cpu } from "../state.ts";
import { DE, type Format, IE, MASK_SHIFT, type Rounded, ZE } from "./ieee.ts";
import type { Vec } from "./vec.ts";

/** Lane `k` of `v` as the format's bits. */
export function getLane(f: Format, v: Vec, k: number): bigint {
  if (f.bits === 32) return BigInt(v.u32[k]);
  return BigInt(v.u32[2 * k]) | (BigInt(v.u32[2 * k + 1]) << 32n);
}

/** Sets lane `k` of `v` to the format's bits. */
export function setLane(f: Format, v: Vec, k: number, bits: bigint): void {
  if (f.bits === 32) v.u32[k] = Number(bits);
  else {
    v.u32[2 * k] = Number(bits & 0xffffffffn);
    v.u32[2 * k + 1] = Number(bits >> 32n);
  }
}

/** Lanes of a format in 16 bytes. */
export function laneCount(f: Format): number {
  return 128 / f.bits;
}

const PRE = IE | DE | ZE;

/** Raises the SIMD floating-point exception fault (#XM). */
export function simdFault(c: Cpu, flags: number): never {
  throw new GuestFault(
    "simd",
    0,
    `unmasked SIMD floating-point exception (MXCSR 0x${c.mxcsr.toString(16)}, flags 0x${flags.toString(16)})`,
  );
}

/**
 * Applies the exception rules to lane results; when they allow it, calls
 * `store(k, bits)` for every lane.
 */
export function commit(c: Cpu, results: readonly Rounded[], store: (k: number, bits: bigint) => void): void {
  let all = 0;
  for (const r of results) all |= r.flags;
  const unmasked = ~(c.mxcsr >> MASK_SHIFT) & 0x3f;
  if (all & PRE & unmasked) {
    c.mxcsr |= all & PRE;
    simdFault(c, all & PRE);
  }
  c.mxcsr |= all;
  if (all & unmasked) simdFault(c, all);
  results.forEach((r, k) => store(k, r.bits));
}
