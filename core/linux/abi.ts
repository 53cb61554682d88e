import {
  type Memory,
  PAGE_COUNT,
  PAGE_SIZE,
  PROT_READ,
  PROT_WRITE,
} from "../memory/memory.ts";
import { EFAULT, ENAMETOOLONG, LinuxError } from "./errno.ts";
import { fromBytes } from "./fs/names.ts";

/**
 * Moving system-call arguments and results between guest memory and the
 * host. Every access goes through Memory's fault-checked paths; a bad
 * pointer throws GuestFault, which the dispatcher answers with EFAULT.
 */

/** Longest path a system call accepts, with its NUL (Linux's PATH_MAX). */
const PATH_MAX = 4096;

/**
 * Reads a NUL-terminated path as a byte string; ENAMETOOLONG past PATH_MAX.
 *
 * @example
 * const path = readPath(s.m, a[0]); // open's first argument
 */
export function readPath(m: Memory, addr: number): string {
  const bytes = new Uint8Array(PATH_MAX);
  for (let i = 0; i < PATH_MAX; i++) {
    const b = m.r8((addr + i) | 0);
    if (b === 0) return fromBytes(bytes.subarray(0, i));
    bytes[i] = b;
  }
  throw new LinuxError(ENAMETOOLONG);
}

/**
 * Copies a guest buffer out, checking first that all of it is readable, so
 * that a huge bogus length fails with EFAULT instead of a huge host
 * allocation.
 *
 * @example
 * const data = guestBytes(m, buf, count); // write's buffer
 */
export function guestBytes(m: Memory, addr: number, len: number): Uint8Array {
  const first = Math.floor((addr >>> 0) / PAGE_SIZE);
  const last = Math.floor(((addr >>> 0) + len - 1) / PAGE_SIZE);
  for (let pn = first; pn <= last; pn++) {
    const prot = pn < PAGE_COUNT ? m.protOf(pn) : -1;
    if (prot < 0 || !(prot & (PROT_READ | PROT_WRITE))) {
      throw new LinuxError(EFAULT);
    }
  }
  return m.read(addr, len);
}

/**
 * Reads a little-endian struct of `size` bytes.
 *
 * @example
 * const v = readStruct(m, tsAddr, 8);
 * const sec = v.getInt32(0, true), nsec = v.getInt32(4, true);
 */
export function readStruct(m: Memory, addr: number, size: number): DataView {
  const b = m.read(addr, size);
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * A little-endian struct built on the host and copied into guest memory in
 * one fault-checked write, so a bad pointer changes nothing.
 *
 * @example
 * const s = new Struct(8);
 * s.u32(0, sec).u32(4, usec).write(m, tvAddr);
 */
export class Struct {
  readonly bytes: Uint8Array;
  private readonly v: DataView;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.v = new DataView(this.bytes.buffer);
  }

  u8(off: number, x: number): this {
    this.v.setUint8(off, x);
    return this;
  }

  u16(off: number, x: number): this {
    this.v.setUint16(off, x, true);
    return this;
  }

  u32(off: number, x: number): this {
    this.v.setUint32(off, x >>> 0, true);
    return this;
  }

  /** A 64-bit field from a (possibly negative) safe integer. */
  u64(off: number, x: number): this {
    this.v.setBigInt64(off, BigInt(x), true);
    return this;
  }

  /** A NUL-padded string field of `len` bytes. */
  str(off: number, s: string, len: number): this {
    for (let i = 0; i < Math.min(s.length, len - 1); i++) {
      this.bytes[off + i] = s.charCodeAt(i);
    }
    return this;
  }

  write(m: Memory, addr: number): void {
    m.write(addr, this.bytes);
  }
}

/** Writes one 32-bit value. */
export function putU32(m: Memory, addr: number, x: number): void {
  new Struct(4).u32(0, x).write(m, addr);
}

/** Reads one 32-bit value, unsigned. */
export function getU32(m: Memory, addr: number): number {
  return readStruct(m, addr, 4).getUint32(0, true);
}

/** Reads a signed 64-bit value as a number (exact up to 2^53). */
export function getI64(v: DataView, off: number): number {
  return Number(v.getBigInt64(off, true));
}

/**
 * A signed 64-bit value from two 32-bit halves (loff_t arguments).
 *
 * @example
 * joinI64(a[3], a[4]); // pread64's position
 */
export function joinI64(lo: number, hi: number): number {
  return (hi | 0) * 0x100000000 + (lo >>> 0);
}
