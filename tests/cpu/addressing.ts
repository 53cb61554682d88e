/**
 * Random ModRM memory operands that land on a chosen address. The
 * generator picks the encoding (mod, rm, SIB, displacement) at random and
 * then solves for the registers it is free to choose, so every addressing
 * form is exercised, wrap-around included, while the access still hits the
 * test's data pages.
 */
import type { Rng } from "./rng.ts";

export const ESP = 4, EBP = 5;

export interface Addressing {
  /** ModRM bytes after the reg field is merged in: [modrm, sib?, disp...]. */
  bytes(reg: number): number[];
  /** Register values the encoding needs (register number -> value). */
  regs: Map<number, number>;
}

/** Registers whose values are already fixed (ESP, a shift count...). */
export type Pinned = ReadonlyMap<number, number>;

function le(v: number, n: number): number[] {
  return Array.from({ length: n }, (_, k) => (v >>> (8 * k)) & 0xff);
}

/** The inverse of an odd number modulo 2^32. */
function inverse(a: number): number {
  let x = a;
  for (let k = 0; k < 5; k++) x = Math.imul(x, 2 - Math.imul(a, x));
  return x;
}

function randomValue(rng: Rng): number {
  return rng.chance(0.5) ? rng.u32() : rng.u32() & 0xffff;
}

/**
 * A 32-bit-address-size memory operand whose effective address is
 * `target` (mod 2^32), or undefined when the random choice cannot be
 * solved with the pinned registers (the caller retries).
 */
export function address32(rng: Rng, target: number, pinned: Pinned): Addressing | undefined {
  const kind = rng.below(10);
  let mod: number, rm: number, sib = -1;
  let base = -1, index = -1, scale = 0;
  if (kind === 0) {
    mod = 0;
    rm = 5; // disp32 alone
  } else if (kind < 5) {
    mod = rng.below(3);
    rm = rng.pick([0, 1, 2, 3, 5, 6, 7].filter((r) => mod !== 0 || r !== 5));
    base = rm;
  } else {
    mod = rng.below(3);
    rm = 4;
    scale = rng.below(4);
    const idx = rng.below(8);
    const b = rng.below(8);
    sib = (scale << 6) | (idx << 3) | b;
    index = idx === 4 ? -1 : idx;
    base = b === 5 && mod === 0 ? -1 : b;
  }
  const dispSize = mod === 1 ? 1 : mod === 2 || (mod === 0 && (rm === 5 || (rm === 4 && base === -1))) ? 4 : 0;
  let disp = dispSize === 1 ? (rng.byte() << 24) >> 24 : dispSize === 4 ? (rng.chance(0.5) ? rng.u32() : (rng.u32() << 20) >> 20) : 0;

  const regs = new Map<number, number>();
  const value = (r: number) => pinned.get(r) ?? regs.get(r)!;
  for (const r of [base, index]) {
    if (r >= 0 && !pinned.has(r) && !regs.has(r)) regs.set(r, randomValue(rng));
  }
  const free = (r: number) => r >= 0 && !pinned.has(r);
  const sum = () =>
    ((base >= 0 ? value(base) : 0) + (index >= 0 ? Math.imul(value(index), 1 << scale) : 0) + disp) | 0;

  if (free(base) && base !== index) {
    regs.set(base, (target - ((index >= 0 ? Math.imul(value(index), 1 << scale) : 0) + disp)) | 0);
  } else if (free(index)) {
    const m = base === index ? (1 << scale) + 1 : 1 << scale;
    let rest = (target - (base >= 0 && base !== index ? value(base) : 0) - disp) | 0;
    if (m % 2 === 1) regs.set(index, Math.imul(rest, inverse(m)));
    else {
      // An even multiplier reaches only its own multiples: the displacement takes the remainder.
      const fix = rest & (m - 1);
      if (fix !== 0) {
        if (dispSize === 0 || (dispSize === 1 && disp + fix > 127)) return undefined;
        disp = (disp + fix) | 0;
        rest = (rest - fix) | 0;
      }
      regs.set(index, ((rest >>> 0) / m) | 0);
    }
  } else if (dispSize === 4) {
    disp = (target - (sum() - disp)) | 0;
  } else if (sum() !== (target | 0)) {
    return undefined;
  }
  if (sum() !== (target | 0)) throw new Error("address32: solver bug");
  const dispBytes = le(disp, dispSize);
  return {
    regs,
    bytes: (reg) => [(mod << 6) | (reg << 3) | rm, ...(sib >= 0 ? [sib] : []), ...dispBytes],
  };
}

/** BX+SI, BX+DI, BP+SI, BP+DI, SI, DI, BP (or disp16), BX. */
const BASE16 = [3, 3, 5, 5, -1, -1, 5, 3];
const INDEX16 = [6, 7, 6, 7, 6, 7, -1, -1];

/**
 * A 16-bit-address-size memory operand whose offset is `target` (mod 2^16).
 * The upper halves of the registers are random: only the low words count.
 */
export function address16(rng: Rng, target: number, pinned: Pinned): Addressing | undefined {
  const mod = rng.below(3);
  const rm = rng.below(8);
  const direct = mod === 0 && rm === 6;
  const base = direct ? -1 : BASE16[rm];
  const index = direct ? -1 : INDEX16[rm];
  const dispSize = mod === 1 ? 1 : mod === 2 || direct ? 2 : 0;
  let disp = dispSize === 1 ? (rng.byte() << 24) >> 24 : dispSize === 2 ? rng.u32() & 0xffff : 0;
  const regs = new Map<number, number>();
  for (const r of [base, index]) if (r >= 0 && !pinned.has(r)) regs.set(r, rng.u32());
  const value = (r: number) => (r < 0 ? 0 : pinned.get(r) ?? regs.get(r)!);
  const rest = (x: number) => (target - x) & 0xffff;
  if (base >= 0 && !pinned.has(base)) {
    regs.set(base, (value(base) & ~0xffff) | rest(value(index) + disp));
  } else if (index >= 0 && !pinned.has(index)) {
    regs.set(index, (value(index) & ~0xffff) | rest(value(base) + disp));
  } else if (dispSize === 2) {
    disp = rest(value(base) + value(index));
  } else if (((value(base) + value(index) + disp) & 0xffff) !== (target & 0xffff)) {
    return undefined;
  }
  if (((value(base) + value(index) + disp) & 0xffff) !== (target & 0xffff)) {
    throw new Error("address16: solver bug");
  }
  const dispBytes = le(disp, dispSize);
  return { regs, bytes: (reg) => [(mod << 6) | (reg << 3) | rm, ...dispBytes] };
}
