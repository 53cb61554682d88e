/**
 * The i386 register file as gdb's remote protocol lays it out (the
 * `org.gnu.gdb.i386.core` feature of target.xml): eax ecx edx ebx esp ebp
 * esi edi eip eflags cs ss ds es fs gs (4 bytes each), st0..st7 (10 bytes
 * each, 80-bit extended, in stack order), then fctrl fstat ftag fiseg fioff
 * foseg fooff fop (4 bytes each). All little-endian.
 */
import { CS, type Cpu, DS, ES, FS, GS, SS } from "../cpu/state.ts";
import { eflags } from "../cpu/flags.ts";
import { writeRegister } from "../session/registers.ts";

/** Register names in gdb's numbering (target.xml lists them in this order). */
export const GDB_REGISTERS = [
  "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip", "eflags",
  "cs", "ss", "ds", "es", "fs", "gs",
  "st0", "st1", "st2", "st3", "st4", "st5", "st6", "st7",
  "fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop",
];

const SEGMENT_ORDER = [CS, SS, DS, ES, FS, GS];

/**
 * Size in bytes of register `n`.
 *
 * @example
 * registerSize(16); // 10: st0
 */
export function registerSize(n: number): number {
  return n >= 16 && n < 24 ? 10 : 4;
}

/**
 * Register `n` as bytes (little-endian), or undefined for a number gdb
 * does not have.
 *
 * @example
 * readGdbRegister(guest.cpu, 8); // EIP's 4 bytes
 */
export function readGdbRegister(c: Cpu, n: number): Uint8Array | undefined {
  if (n < 0 || n >= GDB_REGISTERS.length) return undefined;
  const out = new Uint8Array(registerSize(n));
  const dv = new DataView(out.buffer);
  if (n < 8) dv.setUint32(0, c.r[n] >>> 0, true);
  else if (n === 8) dv.setUint32(0, c.eip >>> 0, true);
  else if (n === 9) dv.setUint32(0, eflags(c) >>> 0, true);
  else if (n < 16) dv.setUint32(0, c.sreg[SEGMENT_ORDER[n - 10]], true);
  else {
    // The FSAVE image (32-bit layout) has all of it: environment, then ST(0)..ST(7).
    const image = c.fpu.save();
    const env = new DataView(image.buffer);
    if (n < 24) out.set(image.subarray(28 + 10 * (n - 16), 38 + 10 * (n - 16)));
    else {
      const word = [
        env.getUint16(0, true), env.getUint16(4, true), env.getUint16(8, true), env.getUint16(16, true),
        env.getUint32(12, true), env.getUint16(24, true), env.getUint32(20, true), env.getUint32(16, true) >>> 16 & 0x7ff,
      ][n - 24];
      dv.setUint32(0, word, true);
    }
  }
  return out;
}

/**
 * Every register, concatenated: the `g` packet's contents.
 *
 * @example
 * toHex(readAllRegisters(guest.cpu)).length; // 352
 */
export function readAllRegisters(c: Cpu): Uint8Array {
  const parts = GDB_REGISTERS.map((_, n) => readGdbRegister(c, n)!);
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Sets register `n` from its bytes. General registers, EIP and EFLAGS
 * (the bits user code may change) are written; x87 registers through the
 * FRSTOR image; segment registers, whose bases the OS layer owns, only if
 * unchanged. Returns false for what cannot be written.
 *
 * @example
 * writeGdbRegister(guest.cpu, 0, new Uint8Array([1, 0, 0, 0])); // eax = 1
 */
export function writeGdbRegister(c: Cpu, n: number, bytes: Uint8Array): boolean {
  if (n < 0 || n >= GDB_REGISTERS.length || bytes.length !== registerSize(n)) return false;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (n < 10) {
    writeRegister(c, GDB_REGISTERS[n], dv.getUint32(0, true));
    return true;
  }
  if (n < 16) return dv.getUint32(0, true) === c.sreg[SEGMENT_ORDER[n - 10]];
  const image = c.fpu.save();
  const env = new DataView(image.buffer);
  if (n < 24) image.set(bytes, 28 + 10 * (n - 16));
  else {
    const v = dv.getUint32(0, true);
    const at = [0, 4, 8, 16, 12, 24, 20][n - 24];
    if (n === 31) env.setUint32(16, (env.getUint32(16, true) & 0xffff) | ((v & 0x7ff) << 16), true);
    else if (n === 27) env.setUint32(16, (env.getUint32(16, true) & 0xffff0000) | (v & 0xffff), true);
    else env.setUint32(at, v, true);
  }
  c.fpu.restore(image);
  return true;
}
