/**
 * Bit tests and scans, compare-and-exchange. Flags Intel leaves undefined:
 * BT* change only CF; BSF/BSR set ZF, clear CF, OF, SF and AF, set PF only
 * for a zero source, and leave the destination unchanged for a zero source
 * (docs/cpu.md).
 */
import type { Memory } from "../../memory/memory.ts";
import { cf, setCF, setEflags, setFlagsFrom } from "../flags.ts";
import { type Cpu, ZF } from "../state.ts";
import { writable } from "./access.ts";
import { sub } from "./alu.ts";

/** BT/BTS/BTR/BTC on a value: op 0 = test, 1 = set, 2 = reset, 3 = complement. */
export function bitOp(c: Cpu, op: number, v: number, bit: number): number {
  const m = 1 << bit;
  setCF(c, (v & m) !== 0 ? 1 : 0);
  if (op === 1) return v | m;
  if (op === 2) return v & ~m;
  if (op === 3) return v ^ m;
  return v;
}

/** Index of the lowest set bit; -1 for zero (and ZF set). */
export function bsf(c: Cpu, size: number, v: number): number {
  setFlagsFrom(c, size, v === 0 ? 0 : 1, 0, 0, 0);
  if (v === 0) return -1;
  return 31 - Math.clz32(v & -v);
}

/** Index of the highest set bit; -1 for zero (and ZF set). */
export function bsr(c: Cpu, size: number, v: number): number {
  setFlagsFrom(c, size, v === 0 ? 0 : 1, 0, 0, 0);
  if (v === 0) return -1;
  return 31 - Math.clz32(v);
}

/**
 * CMPXCHG after the destination was written: flags of `acc - dst` and, on a
 * mismatch, the accumulator loaded with the destination's value.
 */
export function cmpxchg(c: Cpu, size: number, acc: number, dst: number): void {
  sub(c, size, acc, dst);
  if (acc === dst) return;
  if (size === 32) c.r[0] = dst;
  else c.r[0] = (c.r[0] & ~((1 << size) - 1)) | dst;
}

/** CMPXCHG8B m64 (always written back, so it faults on a read-only quadword). */
export function cmpxchg8b(c: Cpu, m: Memory, a: number): void {
  writable(m, a, 8);
  const lo = m.r32(a), hi = m.r32((a + 4) | 0);
  const r = c.r;
  if (lo === r[0] && hi === r[2]) {
    m.w32(a, r[3]);
    m.w32((a + 4) | 0, r[1]);
    setEflags(c, ZF, ZF);
  } else {
    m.w32(a, lo);
    m.w32((a + 4) | 0, hi);
    r[0] = lo;
    r[2] = hi;
    setEflags(c, 0, ZF);
  }
}

/** The carry flag, for SALC and SBB-style idioms. */
export { cf };
