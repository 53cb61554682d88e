/**
 * Operand generators for the differential test: random values biased
 * towards the cases that break implementations (specials, denormals,
 * unsupported encodings, exponent extremes, rounding boundaries, integer
 * limits), in every operand format.
 *
 * @example
 * const v = ext80(new Rng(1)); // { se, hi, lo }
 */
import type { Rng } from "./rng.ts";

export interface V80 {
  se: number;
  hi: number;
  lo: number;
}

const BIAS = 16383;

/** A significand with the integer bit set, often with boundary patterns. */
export function significand(r: Rng): [number, number] {
  let hi = (r.u32() | 0x80000000) >>> 0, lo = r.u32();
  switch (r.below(10)) {
    case 0:
      return [0x80000000, 0];
    case 1:
      return [0xffffffff, 0xffffffff];
    case 2: {
      // few significant bits (exact in narrower formats)
      const keep = r.pick([1, 2, 8, 24, 53]);
      if (keep <= 32) return [(hi & ~(2 ** (32 - keep) - 1)) >>> 0, 0];
      return [hi, (lo & ~(2 ** (64 - keep) - 1)) >>> 0];
    }
    case 3: {
      // a run of equal bits below a precision boundary (round-to-even ties, carries)
      const at = r.pick([8, 11, 40, 64 - 24, 64 - 53]);
      const ones = r.chance(0.5);
      const bitsLo = Math.min(at, 32), bitsHi = at - bitsLo;
      const mlo = bitsLo === 32 ? 0xffffffff : (1 << bitsLo) - 1;
      lo = ones ? (lo | mlo) >>> 0 : (lo & ~mlo) >>> 0;
      if (bitsHi > 0) {
        const mhi = (1 << bitsHi) - 1;
        hi = ones ? (hi | mhi) >>> 0 : (hi & ~mhi) >>> 0;
      }
      if (r.chance(0.5)) {
        // exactly half an ulp at that precision
        if (at <= 32) lo = ((lo & ~mlo) | (1 << (at - 1))) >>> 0;
        else {
          lo = 0;
          hi = ((hi & ~((1 << bitsHi) - 1)) | (1 << (bitsHi - 1))) >>> 0;
        }
      }
      return [hi, lo];
    }
  }
  return [hi, lo];
}

/** A random 80-bit register value of any class. */
export function ext80(r: Rng, near = BIAS): V80 {
  const s = r.chance(0.5) ? 0x8000 : 0;
  const [hi, lo] = significand(r);
  const k = r.below(100);
  if (k < 38) return { se: s | clampExp(near + r.range(-70, 70)), hi, lo };
  if (k < 46) return { se: s | r.range(1, 0x7ffe), hi, lo };
  if (k < 54) {
    const e = r.chance(0.5) ? r.range(1, 80) : r.range(0x7ffe - 80, 0x7ffe);
    return { se: s | e, hi, lo };
  }
  if (k < 58) return { se: s, hi: 0, lo: 0 };
  if (k < 61) return { se: s | 0x7fff, hi: 0x80000000, lo: 0 };
  if (k < 64) return { se: s | 0x7fff, hi: (hi | 0xc0000000) >>> 0, lo };
  if (k < 67) {
    const h = (hi & 0xbfffffff) | 0x80000000;
    return { se: s | 0x7fff, hi: h >>> 0, lo: (h & 0x3fffffff) | lo ? lo : 1 };
  }
  if (k < 69) return { se: 0xffff, hi: 0xc0000000, lo: 0 };
  if (k < 75) {
    const sh = r.below(64);
    return { se: s, ...shiftRight(hi & 0x7fffffff, lo, sh, true) };
  }
  if (k < 77) return { se: s, hi, lo }; // pseudo-denormal
  if (k < 80) {
    // unnormal, pseudo-NaN or pseudo-infinity
    const e = r.chance(0.7) ? clampExp(near + r.range(-5, 5)) : 0x7fff;
    return { se: s | e, hi: hi & 0x7fffffff, lo };
  }
  if (k < 90) return fromInt(r.range(-3000, 3000), r.range(-3, 3));
  return fromDouble(r);
}

function clampExp(e: number): number {
  return Math.max(1, Math.min(0x7ffe, e));
}

function shiftRight(hi: number, lo: number, n: number, keepNonzero: boolean) {
  let h = hi >>> 0, l = lo >>> 0;
  if (n >= 32) {
    l = h >>> (n - 32);
    h = 0;
  } else if (n > 0) {
    l = ((l >>> n) | (h << (32 - n))) >>> 0;
    h = h >>> n;
  }
  if (keepNonzero && (h | l) === 0) l = 1;
  return { hi: h >>> 0, lo: l >>> 0 };
}

/** v * 2^scale as an exact 80-bit value (v a small integer). */
export function fromInt(v: number, scale = 0): V80 {
  if (v === 0) return { se: 0, hi: 0, lo: 0 };
  const s = v < 0 ? 0x8000 : 0;
  let m = Math.abs(v);
  let e = BIAS + 31;
  while (m < 0x80000000) {
    m *= 2;
    e--;
  }
  return { se: s | (e + scale), hi: m >>> 0, lo: 0 };
}

/** A value that came from an IEEE double (low significand bits zero). */
function fromDouble(r: Rng): V80 {
  const [lo, hi] = double64(r);
  const e = (hi >>> 20) & 0x7ff;
  const s = hi & 0x80000000 ? 0x8000 : 0;
  if (e === 0 || e === 0x7ff) return { se: s, hi: 0, lo: 0 };
  return {
    se: s | (e - 1023 + BIAS),
    hi: (0x80000000 | ((hi & 0xfffff) << 11) | (lo >>> 21)) >>> 0,
    lo: (lo << 11) >>> 0,
  };
}

/** An IEEE double as [lo, hi] bit patterns. */
export function double64(r: Rng): [number, number] {
  const s = r.chance(0.5) ? 0x80000000 : 0;
  const k = r.below(20);
  const lo = r.u32();
  const f = r.u32() & 0xfffff;
  if (k === 0) return [0, s];
  if (k === 1) return [0, (s | 0x7ff00000) >>> 0];
  if (k === 2) return [lo, (s | 0x7ff80000 | f) >>> 0]; // QNaN
  if (k === 3) return [lo | 1, (s | 0x7ff00000 | (f & 0x7ffff)) >>> 0]; // SNaN
  if (k === 4) return [lo, (s | (f & (r.chance(0.5) ? 0xfffff : 0))) >>> 0]; // denormal
  if (k < 8) return [lo, (s | (r.range(1, 0x7fe) << 20) | f) >>> 0];
  return [lo, (s | (r.range(1023 - 40, 1023 + 40) << 20) | f) >>> 0];
}

/** An IEEE single bit pattern. */
export function single32(r: Rng): number {
  const s = r.chance(0.5) ? 0x80000000 : 0;
  const f = r.u32() & 0x7fffff;
  const k = r.below(20);
  if (k === 0) return s;
  if (k === 1) return (s | 0x7f800000) >>> 0;
  if (k === 2) return (s | 0x7fc00000 | f) >>> 0;
  if (k === 3) return (s | 0x7f800000 | (f & 0x3fffff) | 1) >>> 0;
  if (k === 4) return (s | f) >>> 0;
  if (k < 8) return (s | (r.range(1, 0xfe) << 23) | f) >>> 0;
  return (s | (r.range(127 - 30, 127 + 30) << 23) | f) >>> 0;
}

/** An integer of `bits` bits as little-endian bytes, biased to the limits. */
export function intBytes(r: Rng, bits: number): Uint8Array {
  const b = new Uint8Array(bits / 8);
  for (let i = 0; i < b.length; i++) b[i] = r.below(256);
  const k = r.below(6);
  if (k === 0) {
    b.fill(0);
    b[b.length - 1] = 0x80; // most negative
  } else if (k === 1) {
    b.fill(0xff);
    b[b.length - 1] = 0x7f; // most positive
  } else if (k === 2) {
    const small = r.range(-300, 300);
    for (let i = 0; i < b.length; i++) {
      b[i] = i < 4 ? (small >> (8 * i)) & 0xff : small < 0 ? 0xff : 0;
    }
  } else if (k === 3) b.fill(r.chance(0.5) ? 0 : 0xff);
  return b;
}

/** 18-digit packed BCD, sometimes with non-decimal digits and sign bits. */
export function bcdBytes(r: Rng): Uint8Array {
  const b = new Uint8Array(10);
  const digits = r.pick([1, 3, 9, 18, 18]);
  const base = r.chance(0.2) ? 16 : 10;
  for (let d = 0; d < digits; d++) {
    const v = r.below(base);
    b[d >> 1] |= d & 1 ? v << 4 : v;
  }
  b[9] = r.chance(0.1) ? r.below(256) : r.chance(0.5) ? 0x80 : 0;
  return b;
}

/** 80-bit value bytes. */
export function bytes80(v: V80): Uint8Array {
  const b = new Uint8Array(10);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, v.lo, true);
  dv.setUint32(4, v.hi, true);
  dv.setUint16(8, v.se, true);
  return b;
}

/** A value near an integer boundary of `bits` (FIST/FBSTP/FRNDINT). */
export function nearInteger(r: Rng): V80 {
  const limit = r.pick([0, 1, 15, 16, 31, 32, 59, 60, 62, 63, 64]);
  const e = BIAS + limit + r.range(-2, 1);
  let hi = r.chance(0.5) ? 0xffffffff : 0x80000000,
    lo = r.chance(0.5) ? 0xffffffff : 0;
  if (r.chance(0.5)) {
    hi = (r.u32() | 0x80000000) >>> 0;
    lo = r.u32();
  }
  if (r.chance(0.3)) {
    // k + 1/2 and friends
    const k = r.range(0, 9);
    return fromHalf(k, r.chance(0.5));
  }
  return {
    se: (r.chance(0.5) ? 0x8000 : 0) | Math.max(1, e),
    hi: hi >>> 0,
    lo: lo >>> 0,
  };
}

function fromHalf(k: number, neg: boolean): V80 {
  // (2k + 1) / 2
  const v = fromInt(2 * k + 1, -1);
  if (neg) v.se |= 0x8000;
  return v;
}
