/**
 * Lazy arithmetic flags (see {@link Cpu}). Every getter returns 0 or 1.
 * These tiny functions are called from generated code and inlined by the
 * JIT of both runtimes.
 */
import {
  AF,
  ARITH_FLAGS,
  CF,
  type Cpu,
  IF,
  OF,
  PF,
  SF,
  USER_FLAGS,
  ZF,
} from "./state.ts";

/** PARITY[b] is 1 when byte b has an even number of set bits (x86 PF). */
export const PARITY: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let n = 0;
    for (let b = i; b; b >>= 1) n += b & 1;
    t[i] = (n & 1) ^ 1;
  }
  return t;
})();

export function cf(c: Cpu): number {
  return c.fsz ? (c.fa >>> (c.fsz - 1)) & 1 : c.fl & CF;
}
export function of(c: Cpu): number {
  return c.fsz
    ? ((c.fa >>> (c.fsz - 2)) ^ (c.fa >>> (c.fsz - 1))) & 1
    : (c.fl >>> 11) & 1;
}
export function af(c: Cpu): number {
  return c.fsz ? (c.fa >>> 3) & 1 : (c.fl >>> 4) & 1;
}
export function zf(c: Cpu): number {
  return c.fsz ? (c.fr === 0 ? 1 : 0) : (c.fl >>> 6) & 1;
}
export function sf(c: Cpu): number {
  return c.fsz ? (c.fr >>> (c.fsz - 1)) & 1 : (c.fl >>> 7) & 1;
}
export function pf(c: Cpu): number {
  return c.fsz ? PARITY[c.fr & 0xff] : (c.fl >>> 2) & 1;
}

/** The arithmetic flags as EFLAGS bits. */
export function arith(c: Cpu): number {
  if (!c.fsz) return c.fl;
  return cf(c) | (pf(c) << 2) | (af(c) << 4) | (zf(c) << 6) | (sf(c) << 7) |
    (of(c) << 11);
}

/** Full EFLAGS as user code sees it (PUSHF). */
export function eflags(c: Cpu): number {
  return c.ef | arith(c);
}

/** Replaces the EFLAGS bits in `mask` (arithmetic bits materialise the lazy state). */
export function setEflags(c: Cpu, value: number, mask: number): void {
  const a = mask & ARITH_FLAGS;
  if (a) {
    c.fl = (arith(c) & ~a) | (value & a);
    c.fsz = 0;
  }
  const u = mask & USER_FLAGS;
  c.ef = (c.ef & ~u) | (value & u) | IF | 2;
}

/**
 * Sets the flags from explicit CF/OF/AF bits and a result that gives ZF, SF
 * and PF (shifts, rotates, multiplies, BCD). `size` is 8, 16 or 32 and `res`
 * must already be masked to it.
 */
export function setFlagsFrom(
  c: Cpu,
  size: number,
  res: number,
  carry: number,
  overflow: number,
  aux: number,
): void {
  c.fsz = size;
  c.fr = res;
  c.fa = (carry << (size - 1)) | ((overflow ^ carry) << (size - 2)) |
    (aux << 3);
}

/** Replaces CF only (CLC/STC/CMC, BT*). */
export function setCF(c: Cpu, v: number): void {
  setCfOf(c, v, of(c));
}

/**
 * Replaces CF and OF, keeping the other flags (rotates). Stays lazy: only
 * the carry vector's top two bits change.
 */
export function setCfOf(c: Cpu, carry: number, overflow: number): void {
  if (c.fsz) {
    const top = c.fsz - 1;
    c.fa = (c.fa & ~(3 << (top - 1))) | (carry << top) | ((overflow ^ carry) << (top - 1));
  } else c.fl = (c.fl & ~(CF | OF)) | carry | (overflow << 11);
}

export { AF, CF, OF, PF, SF, ZF };
