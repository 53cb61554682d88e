/**
 * Operand values for the MMX/SSE cases: 16-byte vectors whose lanes are
 * random bits, integer edges (0, -1, the signed limits, small values), and
 * for floating-point rows the IEEE specials of the lane format (zeros,
 * denormals, the smallest and largest normals, infinities, quiet and
 * signalling NaNs, the integer-conversion limits) mixed with random values.
 *
 * @example
 * const v = randomLanes(new Rng(3), "double"); // two doubles
 */
import type { Rng } from "../x87/rng.ts";

const INT_EDGES = [0, -1, 0x7fffffff, 0x80000000, 0x7fff7fff, 0x80008000, 0x7f7f7f7f, 0x80808080, 1, 0xff00ff00];

/** Single-precision bit patterns worth testing. */
export const SINGLE_SPECIALS = [
  0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x00800000, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000,
  0x7fc00000, 0xffc00000, 0x7f800001, 0xffbfffff, 0x7fa00000, 0x3f800000, 0xbf800000, 0x4f000000, 0xcf000000,
  0x4effffff, 0x3f000000, 0x3fc00000, 0x40200000,
];

/** Double-precision bit patterns, as [low, high] dwords. */
export const DOUBLE_SPECIALS: [number, number][] = [
  [0, 0], [0, 0x80000000], [1, 0], [0xffffffff, 0x800fffff], [0, 0x00100000], [0xffffffff, 0x7fefffff],
  [0, 0x7ff00000], [0, 0xfff00000], [0, 0x7ff80000], [0, 0xfff80000], [1, 0x7ff00000], [0xffffffff, 0xfff7ffff],
  [0, 0x3ff00000], [0, 0xbff00000], [0, 0x41e00000], [0, 0xc1e00000], [0xffc00000, 0x41dfffff], [0, 0x3fe00000],
  [0, 0x3ff80000], [0, 0x36a00000], [0, 0x47f00000], [0xe0000000, 0x380fffff], [0x20000000, 0x36a00000],
];

function randomSingle(rng: Rng): number {
  switch (rng.below(6)) {
    case 0: return rng.pick(SINGLE_SPECIALS);
    case 1: return rng.u32() & 0x807fffff; // denormal or zero
    case 2: return (rng.u32() & 0x83ffffff) | 0x3c000000; // near 1
    default: return rng.u32();
  }
}

function randomDouble(rng: Rng): [number, number] {
  switch (rng.below(6)) {
    case 0: return rng.pick(DOUBLE_SPECIALS);
    case 1: return [rng.u32(), rng.u32() & 0x800fffff];
    case 2: return [rng.u32(), (rng.u32() & 0x807fffff) | 0x3f800000];
    default: return [rng.u32(), rng.u32()];
  }
}

/** 16 bytes of lanes for an operand of the given float format ("none": integer lanes). */
export function randomLanes(rng: Rng, kind: "single" | "double" | "none"): Uint8Array {
  const v = new Uint32Array(4);
  if (kind === "single" && rng.chance(0.9)) for (let k = 0; k < 4; k++) v[k] = randomSingle(rng);
  else if (kind === "double" && rng.chance(0.9)) {
    for (let k = 0; k < 4; k += 2) [v[k], v[k + 1]] = randomDouble(rng);
  } else {
    for (let k = 0; k < 4; k++) v[k] = rng.chance(0.3) ? rng.pick(INT_EDGES) : rng.u32();
  }
  return new Uint8Array(v.buffer);
}
