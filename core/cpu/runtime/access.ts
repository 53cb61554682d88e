/**
 * Memory checks generated code makes before an instruction changes any
 * state, so that a faulting instruction leaves registers and flags as
 * they were (x86 instructions are restartable: a signal handler that
 * fixes the fault and returns re-executes them from scratch).
 */
import { GuestFault } from "../../fault.ts";
import { FRAME_BYTES, type Memory, PAGE_MASK, PAGE_SHIFT, PAGE_SIZE, PROT_WRITE } from "../../memory/memory.ts";

/**
 * Returns `a` if `n` bytes there may be written; otherwise throws the page
 * fault a write would raise. A read-modify-write instruction (ADD [m], r,
 * SHL [m], XADD, CMPXCHG...) checks this before computing anything: the
 * processor faults on a read-only page before the flags or the
 * accumulator change.
 */
export function writable(m: Memory, a: number, n: number): number {
  if (m.wi[a >>> PAGE_SHIFT] !== 0 && (a & PAGE_MASK) <= PAGE_SIZE - n) return a;
  // Slow path: also pages not written yet (zero frame, or clean since the
  // last snapshot) and code pages, which are writable but not in `wi`.
  for (let k = 0; k < n; k++) {
    const b = (a + k) >>> 0;
    const p = m.protOf(b >>> PAGE_SHIFT);
    if (p < 0 || !(p & PROT_WRITE)) {
      throw new GuestFault(
        "page",
        b,
        `write to ${p < 0 ? "unmapped" : "protected"} address 0x${b.toString(16).padStart(8, "0")}`,
      );
    }
  }
  return a;
}

/*
 * Loads for read-modify-write instructions: the read goes through the
 * writable-page table, so the write check costs nothing on the fast path.
 */

export function rmw8(m: Memory, a: number): number {
  const f = m.wi[a >>> PAGE_SHIFT];
  if (f !== 0) return m.h8[(f & FRAME_BYTES) | (a & PAGE_MASK)];
  return m.r8(writable(m, a, 1));
}

export function rmw16(m: Memory, a: number): number {
  const f = m.wi[a >>> PAGE_SHIFT];
  const o = a & PAGE_MASK;
  if (f !== 0 && o < PAGE_SIZE - 1) return m.dv.getUint16((f & FRAME_BYTES) | o, true);
  return m.r16(writable(m, a, 2));
}

export function rmw32(m: Memory, a: number): number {
  const f = m.wi[a >>> PAGE_SHIFT];
  const o = a & PAGE_MASK;
  if (f !== 0) {
    if ((o & 3) === 0) return m.h32[((f & FRAME_BYTES) | o) >> 2];
    if (o < PAGE_SIZE - 3) return m.dv.getInt32((f & FRAME_BYTES) | o, true);
  }
  return m.r32(writable(m, a, 4));
}

/** A write through a CS override: code segments are not writable (#GP). */
export function codeSegmentWrite(): never {
  throw new GuestFault("general-protection", 0, "write through a CS segment override");
}
