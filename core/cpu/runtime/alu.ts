/**
 * The arithmetic/logic unit: each function returns the result (masked to
 * `size`, int32 for 32) and leaves the lazy flag state behind (see
 * core/cpu/flags.ts): the result and the carry vector, from which CF, OF
 * and AF are derived. Small on purpose, so the JIT inlines them into
 * generated blocks where `size` is a constant.
 */
import { af, cf, setFlagsFrom } from "../flags.ts";
import type { Cpu } from "../state.ts";

function fit(size: number, v: number): number {
  return size === 32 ? v | 0 : v & ((1 << size) - 1);
}

export function add(c: Cpu, size: number, a: number, b: number): number {
  const res = fit(size, a + b);
  c.fr = res;
  c.fa = (a & b) | ((a | b) & ~res);
  c.fsz = size;
  return res;
}

export function adc(c: Cpu, size: number, a: number, b: number): number {
  const res = fit(size, a + b + cf(c));
  c.fr = res;
  c.fa = (a & b) | ((a | b) & ~res);
  c.fsz = size;
  return res;
}

export function sub(c: Cpu, size: number, a: number, b: number): number {
  const res = fit(size, a - b);
  c.fr = res;
  c.fa = (~a & b) | (~(a ^ b) & res);
  c.fsz = size;
  return res;
}

export function sbb(c: Cpu, size: number, a: number, b: number): number {
  const res = fit(size, a - b - cf(c));
  c.fr = res;
  c.fa = (~a & b) | (~(a ^ b) & res);
  c.fsz = size;
  return res;
}

/** AND, OR, XOR and TEST: CF = OF = 0; AF (undefined) = 0. */
export function logic(c: Cpu, size: number, res: number): number {
  c.fr = res;
  c.fa = 0;
  c.fsz = size;
  return res;
}

export function and(c: Cpu, size: number, a: number, b: number): number {
  return logic(c, size, a & b);
}

export function or(c: Cpu, size: number, a: number, b: number): number {
  return logic(c, size, a | b);
}

export function xor(c: Cpu, size: number, a: number, b: number): number {
  return logic(c, size, a ^ b);
}

/** INC and DEC keep CF. */
export function inc(c: Cpu, size: number, a: number): number {
  const carry = cf(c);
  const res = fit(size, a + 1);
  const signBit = size === 32 ? -0x80000000 : 1 << (size - 1);
  setFlagsFrom(c, size, res, carry, res === signBit ? 1 : 0, (a & 0xf) === 0xf ? 1 : 0);
  return res;
}

export function dec(c: Cpu, size: number, a: number): number {
  const carry = cf(c);
  const res = fit(size, a - 1);
  const maxPositive = size === 32 ? 0x7fffffff : (1 << (size - 1)) - 1;
  setFlagsFrom(c, size, res, carry, res === maxPositive ? 1 : 0, (a & 0xf) === 0 ? 1 : 0);
  return res;
}

export function neg(c: Cpu, size: number, a: number): number {
  return sub(c, size, 0, a);
}

/** The current AF, for BCD adjustments. */
export { af };
