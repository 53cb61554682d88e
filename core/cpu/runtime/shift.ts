/**
 * Shifts and rotates with exact flags. Values follow the generated-code
 * convention (8/16-bit unsigned, 32-bit int32); every function returns the
 * result and updates the flags only when the masked count is non-zero.
 *
 * Where Intel leaves flags undefined (OF for counts above 1, AF after
 * shifts, CF when the count exceeds the operand size) fx86 defines them:
 * OF uses the count-1 formula on the final result, AF is 0, CF is the last
 * bit shifted out of the widened value. docs/cpu.md lists these.
 */
import { cf, setCfOf, setFlagsFrom } from "../flags.ts";
import type { Cpu } from "../state.ts";

function msb(v: number, size: number): number {
  return (v >>> (size - 1)) & 1;
}

function sizeMask(size: number): number {
  return size === 32 ? -1 : (1 << size) - 1;
}

export function shl(c: Cpu, size: number, v: number, count: number): number {
  count &= 31;
  if (count === 0) return v;
  const m = sizeMask(size);
  const res = size === 32 ? v << count : (v << count) & m;
  const carry = count > size ? 0 : ((v >>> 0) / 2 ** (size - count)) & 1;
  setFlagsFrom(c, size, res, carry, msb(res, size) ^ carry, 0);
  return res;
}

export function shr(c: Cpu, size: number, v: number, count: number): number {
  count &= 31;
  if (count === 0) return v;
  const u = v & sizeMask(size);
  const res = size === 32 ? (u >>> count) | 0 : u >>> count;
  const carry = (u >>> (count - 1)) & 1;
  setFlagsFrom(c, size, res, carry, count === 1 ? msb(u, size) : 0, 0);
  return res;
}

export function sar(c: Cpu, size: number, v: number, count: number): number {
  count &= 31;
  if (count === 0) return v;
  const s = (v << (32 - size)) >> (32 - size);
  const res = (s >> count) & sizeMask(size);
  const carry = (s >> (count - 1)) & 1;
  setFlagsFrom(c, size, res, carry, 0, 0);
  return res;
}

/** Updates only CF and OF (rotates leave the other flags alone). */
export function rol(c: Cpu, size: number, v: number, count: number): number {
  count &= 31;
  if (count === 0) return v;
  const n = count % size;
  const u = v & sizeMask(size);
  let res = n === 0 ? u : (u << n) | (u >>> (size - n));
  res &= sizeMask(size);
  const carry = res & 1;
  setCfOf(c, carry, msb(res, size) ^ carry);
  return res;
}

export function ror(c: Cpu, size: number, v: number, count: number): number {
  count &= 31;
  if (count === 0) return v;
  const n = count % size;
  const u = v & sizeMask(size);
  let res = n === 0 ? u : (u >>> n) | (u << (size - n));
  res &= sizeMask(size);
  setCfOf(c, msb(res, size), msb(res, size) ^ ((res >>> (size - 2)) & 1));
  return res;
}

export function rcl(c: Cpu, size: number, v: number, count: number): number {
  count = (count & 31) % (size + 1);
  if (count === 0) return v;
  let res = v & sizeMask(size);
  let carry = cf(c);
  for (let k = 0; k < count; k++) {
    const out = msb(res, size);
    res = ((res << 1) | carry) & sizeMask(size);
    carry = out;
  }
  setCfOf(c, carry, msb(res, size) ^ carry);
  return res;
}

export function rcr(c: Cpu, size: number, v: number, count: number): number {
  count = (count & 31) % (size + 1);
  if (count === 0) return v;
  let res = v & sizeMask(size);
  let carry = cf(c);
  const overflow = msb(res, size) ^ carry; // defined for count 1: before the rotate
  for (let k = 0; k < count; k++) {
    const out = res & 1;
    res = ((res >>> 1) | (carry << (size - 1))) & sizeMask(size);
    carry = out;
  }
  setCfOf(c, carry, overflow);
  return res;
}

/**
 * SHLD: shifts `dst` left, filling from the top of `src`. For 16-bit
 * operands with counts above 16 (undefined on hardware) fx86 rotates the
 * 32-bit concatenation dst:src (docs/cpu.md).
 */
export function shld(
  c: Cpu,
  size: number,
  dst: number,
  src: number,
  count: number,
): number {
  count &= 31;
  if (count === 0) return dst;
  let res: number, carry: number;
  if (size === 32) {
    res = (dst << count) | (src >>> (32 - count));
    carry = (dst >>> (32 - count)) & 1;
  } else {
    // Counts above 16 are undefined; fx86 rotates the 32-bit dst:src.
    const wide = ((dst & 0xffff) << 16) | (src & 0xffff);
    res = (((wide << count) | (wide >>> (32 - count))) >>> 16) & 0xffff;
    carry = (wide >>> (32 - count)) & 1;
  }
  setFlagsFrom(c, size, res, carry, msb(res, size) ^ msb(dst, size), 0);
  return res;
}

/** SHRD: shifts `dst` right, filling from the bottom of `src`. */
export function shrd(
  c: Cpu,
  size: number,
  dst: number,
  src: number,
  count: number,
): number {
  count &= 31;
  if (count === 0) return dst;
  let res: number, carry: number;
  if (size === 32) {
    res = (dst >>> count) | (src << (32 - count));
    carry = (dst >>> (count - 1)) & 1;
  } else {
    // Counts above 16 are undefined; fx86 rotates the 32-bit src:dst.
    const wide = ((src & 0xffff) << 16) | (dst & 0xffff);
    const rot = count < 32 ? (wide >>> count) | (wide << (32 - count)) : wide;
    res = rot & 0xffff;
    carry = (wide >>> (count - 1)) & 1;
  }
  setFlagsFrom(c, size, res, carry, msb(res, size) ^ msb(dst, size), 0);
  return res;
}
