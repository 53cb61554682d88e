/**
 * Memory operands of the arithmetic and compare instructions, read and
 * unpacked (exactly) into a Num; and atomic multi-word stores.
 *
 * @example
 * readOperand(m, ea, M64FP, n);
 */
import { type Memory, PROT_WRITE } from "../../memory/memory.ts";
import { type Num, unpack32, unpack64, unpackInt64 } from "./float80.ts";
import { fromBCD } from "./convert.ts";

/** Memory operand kinds (the table's operand tokens). */
export const M32FP = 0,
  M64FP = 1,
  M16INT = 2,
  M32INT = 3,
  M80FP = 4,
  M64INT = 5,
  M80BCD = 6;

const bcd = new Uint8Array(10);

/** Reads a numeric operand of any kind but M80FP (which is copied, not converted). */
export function readOperand(m: Memory, ea: number, kind: number, n: Num): void {
  switch (kind) {
    case M32FP:
      unpack32(n, m.r32(ea) >>> 0);
      return;
    case M64FP:
      unpack64(n, m.r32(ea) >>> 0, m.r32((ea + 4) | 0) >>> 0);
      return;
    case M16INT: {
      const v = (m.r16(ea) << 16) >> 16;
      unpackInt64(n, v, v >> 31);
      return;
    }
    case M32INT: {
      const v = m.r32(ea);
      unpackInt64(n, v, v >> 31);
      return;
    }
    case M64INT:
      unpackInt64(n, m.r32(ea), m.r32((ea + 4) | 0));
      return;
    default:
      for (let k = 0; k < 10; k++) bcd[k] = m.r8((ea + k) | 0);
      fromBCD(n, bcd);
  }
}

/**
 * Makes an 8- or 10-byte store atomic: when it crosses into a page that is
 * not writable, fault (through the memory's own check) before anything is
 * written. Stores within one page or of 4 bytes or less are atomic anyway.
 */
export function probeStore(m: Memory, ea: number, size: number): void {
  const last = (ea + size - 1) | 0;
  if (((ea ^ last) & ~0xfff) === 0) return;
  const p = m.protOf(last >>> 12);
  if (p < 0 || !(p & PROT_WRITE)) m.w8(last, 0); // throws
}
