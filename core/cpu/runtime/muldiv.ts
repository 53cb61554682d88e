/**
 * Multiplication and division. 32x32 products and 64/32 quotients do not
 * fit in a double, so they are computed in 16-bit pieces or with BigInt on
 * the rare path whose dividend exceeds 2^53.
 *
 * Flags: MUL/IMUL set CF = OF = "the high half is significant"; SF, ZF and
 * PF (undefined on hardware) follow the low half of the result and AF is 0.
 * DIV/IDIV leave all flags unchanged (undefined on hardware).
 */
import { GuestFault } from "../../fault.ts";
import { setFlagsFrom } from "../flags.ts";
import type { Cpu } from "../state.ts";

/** The high 32 bits of the last 32x32 product computed by mulU32/mulS32. */
export let hi = 0;

/** Unsigned 32x32 -> 64 product: returns the low half, leaves the high half in `hi`. */
export function mulU32(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const lo = a0 * b0;
  const mid1 = a1 * b0, mid2 = a0 * b1;
  const mid = mid1 + mid2 + (lo >>> 16); // < 2^34: exact in a double
  hi = (a1 * b1 + Math.floor(mid / 65536)) | 0;
  return ((mid << 16) | (lo & 0xffff)) | 0;
}

/** Signed 32x32 -> 64 product: returns the low half, leaves the high half in `hi`. */
export function mulS32(a: number, b: number): number {
  const lo = mulU32(a, b);
  let h = hi;
  if (a < 0) h = (h - b) | 0;
  if (b < 0) h = (h - a) | 0;
  hi = h;
  return lo;
}

function mulFlags(c: Cpu, size: number, low: number, significant: boolean) {
  const v = significant ? 1 : 0;
  setFlagsFrom(c, size, low, v, v, 0);
}

/** One-operand MUL: AX/DX:AX/EDX:EAX = accumulator * src. */
export function mul(c: Cpu, size: number, src: number): void {
  const r = c.r;
  if (size === 8) {
    const p = (r[0] & 0xff) * src;
    r[0] = (r[0] & -65536) | p;
    mulFlags(c, 8, p & 0xff, p > 0xff);
  } else if (size === 16) {
    const p = (r[0] & 0xffff) * src;
    r[0] = (r[0] & -65536) | (p & 0xffff);
    r[2] = (r[2] & -65536) | (p >>> 16);
    mulFlags(c, 16, p & 0xffff, p > 0xffff);
  } else {
    const lo = mulU32(r[0], src);
    r[0] = lo;
    r[2] = hi;
    mulFlags(c, 32, lo, hi !== 0);
  }
}

/** One-operand IMUL: signed AX/DX:AX/EDX:EAX = accumulator * src. */
export function imul1(c: Cpu, size: number, src: number): void {
  const r = c.r;
  if (size === 8) {
    const p = ((r[0] << 24) >> 24) * ((src << 24) >> 24);
    r[0] = (r[0] & -65536) | (p & 0xffff);
    mulFlags(c, 8, p & 0xff, p !== ((p << 24) >> 24));
  } else if (size === 16) {
    const p = ((r[0] << 16) >> 16) * ((src << 16) >> 16);
    r[0] = (r[0] & -65536) | (p & 0xffff);
    r[2] = (r[2] & -65536) | ((p >> 16) & 0xffff);
    mulFlags(c, 16, p & 0xffff, p !== ((p << 16) >> 16));
  } else {
    const lo = mulS32(r[0], src);
    r[0] = lo;
    r[2] = hi;
    mulFlags(c, 32, lo, hi !== lo >> 31);
  }
}

/** Two- and three-operand IMUL: returns the truncated product. */
export function imul(c: Cpu, size: number, a: number, b: number): number {
  if (size === 16) {
    const p = ((a << 16) >> 16) * ((b << 16) >> 16);
    mulFlags(c, 16, p & 0xffff, p !== ((p << 16) >> 16));
    return p & 0xffff;
  }
  const lo = mulS32(a, b);
  mulFlags(c, 32, lo, hi !== lo >> 31);
  return lo;
}

function divideError(what: string): GuestFault {
  return new GuestFault("divide", 0, what);
}

/** One-operand DIV. */
export function div(c: Cpu, size: number, src: number): void {
  const r = c.r;
  if (src === 0) throw divideError("division by zero");
  if (size === 8) {
    const n = r[0] & 0xffff;
    const q = Math.floor(n / src);
    if (q > 0xff) throw divideError("quotient too large");
    r[0] = (r[0] & -65536) | ((n % src) << 8) | q;
  } else if (size === 16) {
    const n = ((r[2] & 0xffff) * 65536) + (r[0] & 0xffff);
    const q = Math.floor(n / src);
    if (q > 0xffff) throw divideError("quotient too large");
    r[0] = (r[0] & -65536) | q;
    r[2] = (r[2] & -65536) | (n % src);
  } else {
    const d = src >>> 0;
    const h = r[2] >>> 0;
    if (h >= d) throw divideError("quotient too large");
    if (h === 0) {
      const n = r[0] >>> 0;
      r[0] = Math.floor(n / d) | 0;
      r[2] = (n % d) | 0;
    } else {
      const n = (BigInt(h) << 32n) | BigInt(r[0] >>> 0);
      const bd = BigInt(d);
      r[0] = Number(n / bd) | 0;
      r[2] = Number(n % bd) | 0;
    }
  }
}

/** One-operand IDIV (quotient truncated toward zero, remainder has the dividend's sign). */
export function idiv(c: Cpu, size: number, src: number): void {
  const r = c.r;
  if (src === 0) throw divideError("division by zero");
  if (size === 8) {
    const n = (r[0] << 16) >> 16;
    const d = (src << 24) >> 24;
    const q = Math.trunc(n / d);
    if (q > 127 || q < -128) throw divideError("quotient too large");
    r[0] = (r[0] & -65536) | (((n % d) & 0xff) << 8) | (q & 0xff);
  } else if (size === 16) {
    const n = ((r[2] << 16) | (r[0] & 0xffff));
    const d = (src << 16) >> 16;
    const q = Math.trunc(n / d);
    if (q > 32767 || q < -32768) throw divideError("quotient too large");
    r[0] = (r[0] & -65536) | (q & 0xffff);
    r[2] = (r[2] & -65536) | ((n % d) & 0xffff);
  } else {
    const d = src | 0;
    if (r[2] === r[0] >> 31) {
      // The dividend fits in 32 bits.
      const n = r[0];
      const q = Math.trunc(n / d);
      if (q > 0x7fffffff) throw divideError("quotient too large");
      r[0] = q | 0;
      r[2] = (n % d) | 0;
    } else {
      const n = (BigInt(r[2]) << 32n) | BigInt(r[0] >>> 0);
      const q = n / BigInt(d);
      if (q > 0x7fffffffn || q < -0x80000000n) {
        throw divideError("quotient too large");
      }
      r[0] = Number(q) | 0;
      r[2] = Number(n % BigInt(d)) | 0;
    }
  }
}
