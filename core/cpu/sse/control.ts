/**
 * SSE state instructions: LDMXCSR, STMXCSR, FXSAVE, FXRSTOR, and
 * MASKMOVQ/MASKMOVDQU (byte-masked stores to DS:EDI).
 *
 * FXSAVE's 512-byte area (32-bit format, SDM Vol. 1 10.5.1): FCW, FSW,
 * the abridged tag byte (bit p = physical register p is not empty), FOP,
 * FIP, FCS, FDP, FDS, MXCSR, MXCSR_MASK, ST(0)..ST(7) in 16-byte slots,
 * XMM0..XMM7 at 160. fx86 writes zeros to the reserved bytes up to 288
 * (and to the XMM8..15 area, which does not exist in 32-bit mode) and
 * leaves bytes 464..511, which belong to software, alone.
 *
 * @example
 * fxsave(cpu, mem, ea);   // 0F AE /0
 * fxrstor(cpu, mem, ea);  // 0F AE /1
 */
import { GuestFault } from "../../fault.ts";
import type { Memory } from "../../memory/memory.ts";
import { writable } from "../runtime/access.ts";
import { type Cpu, MXCSR_MASK } from "../state.ts";
import { loadImage, saveImage } from "../x87/instr-env.ts";
import { checkAligned, type Vec } from "./vec.ts";

/** Bytes of the FXSAVE area fx86 writes (the rest is software's). */
const FXSAVE_WRITTEN = 464;

function checkMxcsr(v: number): number {
  if ((v >>> 0) & ~MXCSR_MASK) {
    throw new GuestFault("general-protection", 0, `MXCSR value 0x${(v >>> 0).toString(16)} sets reserved bits`);
  }
  return v >>> 0;
}

/** LDMXCSR m32: reserved bits set raise #GP. */
export function ldmxcsr(c: Cpu, m: Memory, ea: number): void {
  c.mxcsr = checkMxcsr(m.r32(ea));
}

/** STMXCSR m32. */
export function stmxcsr(c: Cpu, m: Memory, ea: number): void {
  m.w32(ea, c.mxcsr);
}

/** FXSAVE m512byte (16-byte aligned, else #GP). */
export function fxsave(c: Cpu, m: Memory, ea: number): void {
  checkAligned(ea, 16);
  // The operand is all 512 bytes: a page fault anywhere in it faults, though the last 48 are not written.
  writable(m, ea, 512);
  const f = c.fpu;
  const env = new Uint8Array(108);
  saveImage(f, env, 0, false);
  const out = new Uint8Array(FXSAVE_WRITTEN);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, f.cw, true);
  dv.setUint16(2, f.statusWord(), true);
  out[4] = ~f.empty & 0xff;
  dv.setUint16(6, f.fop & 0x7ff, true);
  dv.setUint32(8, f.fip, true);
  dv.setUint16(12, f.fcs, true);
  dv.setUint32(16, f.fdp, true);
  dv.setUint16(20, f.fds, true);
  dv.setUint32(24, c.mxcsr, true);
  dv.setUint32(28, MXCSR_MASK, true);
  for (let i = 0; i < 8; i++) out.set(env.subarray(28 + 10 * i, 38 + 10 * i), 32 + 16 * i);
  out.set(c.xmm, 160);
  m.write(ea, out);
}

/** FXRSTOR m512byte: #GP if misaligned or if the MXCSR image sets reserved bits (nothing changes then). */
export function fxrstor(c: Cpu, m: Memory, ea: number): void {
  checkAligned(ea, 16);
  const b = m.read(ea, 512);
  const dv = new DataView(b.buffer, b.byteOffset);
  const mxcsr = checkMxcsr(dv.getUint32(24, true));
  // As an FNSAVE image, whose loader keeps only "empty" from the tag word.
  const env = new Uint8Array(108);
  const ev = new DataView(env.buffer);
  let tw = 0;
  for (let p = 0; p < 8; p++) if (!((b[4] >> p) & 1)) tw |= 3 << (2 * p);
  ev.setUint16(0, dv.getUint16(0, true), true);
  ev.setUint16(4, dv.getUint16(2, true), true);
  ev.setUint16(8, tw, true);
  ev.setUint32(12, dv.getUint32(8, true), true);
  ev.setUint16(16, dv.getUint16(12, true), true);
  ev.setUint16(18, dv.getUint16(6, true) & 0x7ff, true);
  ev.setUint32(20, dv.getUint32(16, true), true);
  ev.setUint16(24, dv.getUint16(20, true), true);
  for (let i = 0; i < 8; i++) env.set(b.subarray(32 + 16 * i, 42 + 16 * i), 28 + 10 * i);
  loadImage(c.fpu, env, 0, false);
  c.xmm.set(b.subarray(160, 288));
  c.mxcsr = mxcsr;
}

/**
 * MASKMOVQ/MASKMOVDQU: the bytes of `d` whose byte in `s` has its top bit
 * set, stored at `a` (DS:EDI). Whether masked-off bytes can fault is
 * implementation-specific (SDM); fx86 checks all `n` bytes writable first,
 * as the Intel processors the tests ran on do.
 */
export function maskmov(m: Memory, a: number, d: Vec, s: Vec, n: number): void {
  writable(m, a, n);
  for (let k = 0; k < n; k++) if (s.u8[k] & 0x80) m.w8((a + k) | 0, d.u8[k]);
}

/** CLFLUSH m8: no architectural effect, but the address must be mapped (a read check). */
export function clflush(m: Memory, ea: number): void {
  m.r8(ea);
}
