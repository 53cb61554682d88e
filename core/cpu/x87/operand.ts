/**
 * Memory operands of the arithmetic and compare instructions, read and
 * unpacked (exactly) into a Num.
 *
 * @example
 * readOperand(m, ea, M64FP, n);
 */
import type { Memory } from "../../memory/memory.ts";
import { type Num, unpack32, unpack64, unpackInt64 } from "./float80.ts";

/** Memory operand kinds (also the table's operand tokens). */
export const M32FP = 0, M64FP = 1, M16INT = 2, M32INT = 3;

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
    default: {
      const v = m.r32(ea);
      unpackInt64(n, v, v >> 31);
    }
  }
}
