/**
 * The working vectors of MMX/SSE instructions and the moves between them
 * and the guest's registers and memory.
 *
 * Every MMX/SSE instruction runs the same way (core/cpu/sse/emit.ts): its
 * destination is copied into the scratch vector `A` (unless the
 * instruction only writes it), its source into `B` (a memory operand
 * narrower than 16 bytes is zero-extended), an operation computes into
 * `A`, and `A` is copied back to the destination. Nothing in the guest
 * changes until that last copy, so an instruction that faults (page,
 * alignment, SIMD exception) leaves the state as it was.
 *
 * @example
 * loadXmm(cpu, 1, B);           // B = XMM1
 * B.u8[0] = 7;
 * storeXmm(cpu, 0, B);          // XMM0 = B
 */
import { GuestFault } from "../../fault.ts";
import type { Memory } from "../../memory/memory.ts";
import { writable } from "../runtime/access.ts";
import type { Cpu } from "../state.ts";

/** 16 bytes with every typed view an operation needs (little-endian lanes). */
export class Vec {
  readonly u8 = new Uint8Array(16);
  readonly i8 = new Int8Array(this.u8.buffer);
  readonly u16 = new Uint16Array(this.u8.buffer);
  readonly i16 = new Int16Array(this.u8.buffer);
  readonly u32 = new Uint32Array(this.u8.buffer);
  readonly i32 = new Int32Array(this.u8.buffer);
  readonly f32 = new Float32Array(this.u8.buffer);
  readonly f64 = new Float64Array(this.u8.buffer);

  /** Copies another vector's 16 bytes. */
  copy(v: Vec): void {
    this.i32.set(v.i32);
  }
}

/** The destination (and result) vector of the instruction being executed. */
export const A = new Vec();
/** The source vector of the instruction being executed. */
export const B = new Vec();

/** A = XMMn. */
export function loadXmm(c: Cpu, n: number, v: Vec): void {
  const x = c.xmm32, k = n * 4;
  v.i32[0] = x[k];
  v.i32[1] = x[k + 1];
  v.i32[2] = x[k + 2];
  v.i32[3] = x[k + 3];
}

/** XMMn = v. */
export function storeXmm(c: Cpu, n: number, v: Vec): void {
  const x = c.xmm32, k = n * 4;
  x[k] = v.i32[0];
  x[k + 1] = v.i32[1];
  x[k + 2] = v.i32[2];
  x[k + 3] = v.i32[3];
}

/** v = MMn (the significand of x87 physical register n), upper half zero. */
export function loadMmx(c: Cpu, n: number, v: Vec): void {
  v.u32[0] = c.fpu.lo[n];
  v.u32[1] = c.fpu.hi[n];
  v.i32[2] = v.i32[3] = 0;
}

/** MMn = the low 8 bytes of v; the register's exponent field becomes all ones, as on the processor. */
export function storeMmx(c: Cpu, n: number, v: Vec): void {
  c.fpu.lo[n] = v.u32[0];
  c.fpu.hi[n] = v.u32[1];
  c.fpu.se[n] = 0xffff;
}

/**
 * What every MMX instruction but EMMS does to the x87 unit once it
 * completes: TOP = 0 and all registers tagged valid. A pending unmasked
 * x87 exception faults first (#MF), as for a waiting x87 instruction.
 */
export function checkMmx(c: Cpu): void {
  c.fpu.fwait(c);
}

/** The x87 side effect of a completed MMX instruction (see checkMmx). */
export function enterMmx(c: Cpu): void {
  c.fpu.top = 0;
  c.fpu.empty = 0;
}

/** EMMS: every x87 register empty, and TOP = 0 as after any MMX instruction. */
export function emms(c: Cpu): void {
  c.fpu.empty = 0xff;
  c.fpu.top = 0;
}

/** Raises #GP for a 16-byte operand that must be aligned and is not (MOVAPS, MOVDQA, most SSE memory operands). */
export function checkAligned(a: number, bytes: number): void {
  if ((a & (bytes - 1)) !== 0) {
    throw new GuestFault(
      "general-protection",
      0,
      `misaligned ${bytes}-byte operand at 0x${(a >>> 0).toString(16).padStart(8, "0")}`,
    );
  }
}

/** v = `bytes` (2, 4, 8 or 16) bytes at `a`, zero-extended to 16. */
export function loadMemory(m: Memory, a: number, v: Vec, bytes: number): void {
  if (bytes === 2) {
    v.i32[0] = m.r16(a);
  } else {
    v.i32[0] = m.r32(a);
    if (bytes > 4) v.i32[1] = m.r32((a + 4) | 0);
    else v.i32[1] = 0;
    if (bytes > 8) {
      v.i32[2] = m.r32((a + 8) | 0);
      v.i32[3] = m.r32((a + 12) | 0);
      return;
    }
  }
  if (bytes < 8) v.i32[1] = 0;
  v.i32[2] = v.i32[3] = 0;
}

/** Stores the low `bytes` (2, 4, 8 or 16) bytes of v at `a`, after checking all of them are writable. */
export function storeMemory(m: Memory, a: number, v: Vec, bytes: number): void {
  if (bytes === 2) {
    m.w16(a, v.u16[0]);
    return;
  }
  if (bytes > 4) writable(m, a, bytes);
  for (let k = 0; k < bytes / 4; k++) m.w32((a + 4 * k) | 0, v.i32[k]);
}
