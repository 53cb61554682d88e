/**
 * Packed integer operations of MMX and SSE2 (PADD*, PSUB*, PCMP*, PMUL*,
 * PMIN/PMAX, PAVG, PSADBW, PMADDWD, logic, shifts). Each computes
 * `d = d op s` over the first `n` bytes (8 for MMX, 16 for XMM); see
 * core/cpu/sse/emit.ts for the calling convention.
 *
 * @example
 * paddb(cpu, A, B, 0, 16, 0); // A.u8[k] = (A.u8[k] + B.u8[k]) & 255
 */
import type { Cpu } from "../state.ts";
import type { Vec } from "./vec.ts";

/** An MMX/SSE operation: `d` is the destination (and first source), `s` the source. */
export type VecOp = (c: Cpu, d: Vec, s: Vec, imm: number, n: number, mem: number) => void;

type Lanes = "u8" | "i8" | "u16" | "i16" | "u32" | "i32";
const BYTES: Record<Lanes, number> = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4 };

/** A lane-wise operation on the lanes of type `t` (results are stored through that view, so they wrap). */
function lanes(t: Lanes, f: (a: number, b: number) => number): VecOp {
  const size = BYTES[t];
  return (_c, d, s, _imm, n) => {
    const dv = d[t], sv = s[t];
    for (let k = 0; k < n / size; k++) dv[k] = f(dv[k], sv[k]);
  };
}

const clamp = (lo: number, hi: number) => (v: number) => v < lo ? lo : v > hi ? hi : v;
const sat8 = clamp(-128, 127), usat8 = clamp(0, 255), sat16 = clamp(-32768, 32767), usat16 = clamp(0, 65535);

export const paddb = lanes("u8", (a, b) => a + b);
export const paddw = lanes("u16", (a, b) => a + b);
export const paddd = lanes("i32", (a, b) => a + b);
export const psubb = lanes("u8", (a, b) => a - b);
export const psubw = lanes("u16", (a, b) => a - b);
export const psubd = lanes("i32", (a, b) => a - b);
export const paddsb = lanes("i8", (a, b) => sat8(a + b));
export const paddsw = lanes("i16", (a, b) => sat16(a + b));
export const paddusb = lanes("u8", (a, b) => usat8(a + b));
export const paddusw = lanes("u16", (a, b) => usat16(a + b));
export const psubsb = lanes("i8", (a, b) => sat8(a - b));
export const psubsw = lanes("i16", (a, b) => sat16(a - b));
export const psubusb = lanes("u8", (a, b) => usat8(a - b));
export const psubusw = lanes("u16", (a, b) => usat16(a - b));
export const pcmpeqb = lanes("u8", (a, b) => a === b ? -1 : 0);
export const pcmpeqw = lanes("u16", (a, b) => a === b ? -1 : 0);
export const pcmpeqd = lanes("i32", (a, b) => a === b ? -1 : 0);
export const pcmpgtb = lanes("i8", (a, b) => a > b ? -1 : 0);
export const pcmpgtw = lanes("i16", (a, b) => a > b ? -1 : 0);
export const pcmpgtd = lanes("i32", (a, b) => a > b ? -1 : 0);
export const pminub = lanes("u8", Math.min);
export const pmaxub = lanes("u8", Math.max);
export const pminsw = lanes("i16", Math.min);
export const pmaxsw = lanes("i16", Math.max);
export const pavgb = lanes("u8", (a, b) => (a + b + 1) >> 1);
export const pavgw = lanes("u16", (a, b) => (a + b + 1) >> 1);
export const pmullw = lanes("i16", (a, b) => Math.imul(a, b));
export const pmulhw = lanes("i16", (a, b) => Math.imul(a, b) >> 16);
export const pmulhuw = lanes("u16", (a, b) => (a * b) >>> 16);
export const pand = lanes("i32", (a, b) => a & b);
export const pandn = lanes("i32", (a, b) => ~a & b);
export const por = lanes("i32", (a, b) => a | b);
export const pxor = lanes("i32", (a, b) => a ^ b);

/** PADDQ/PSUBQ: 64-bit lanes as two dwords with the carry (borrow) between them. */
function quad(sign: 1 | -1): VecOp {
  return (_c, d, s, _imm, n) => {
    const dv = d.u32, sv = s.u32;
    for (let k = 0; k < n / 4; k += 2) {
      const lo = dv[k] + sign * sv[k];
      dv[k] = lo;
      dv[k + 1] = dv[k + 1] + sign * sv[k + 1] + (lo > 0xffffffff ? 1 : lo < 0 ? -1 : 0);
    }
  };
}
export const paddq = quad(1);
export const psubq = quad(-1);

/** PMULUDQ: the even dwords multiplied into 64-bit products. */
export const pmuludq: VecOp = (_c, d, s, _imm, n) => {
  for (let k = 0; k < n / 4; k += 2) {
    const p = BigInt(d.u32[k]) * BigInt(s.u32[k]);
    d.u32[k] = Number(p & 0xffffffffn);
    d.u32[k + 1] = Number(p >> 32n);
  }
};

/** PMADDWD: adjacent signed word products summed into dwords (0x8000 * 0x8000 twice wraps to 0x80000000). */
export const pmaddwd: VecOp = (_c, d, s, _imm, n) => {
  for (let k = 0; k < n / 4; k++) {
    d.i32[k] = (d.i16[2 * k] * s.i16[2 * k] + d.i16[2 * k + 1] * s.i16[2 * k + 1]) | 0;
  }
};

/** PSADBW: per 8-byte group, the sum of absolute byte differences in the low word, zeros above. */
export const psadbw: VecOp = (_c, d, s, _imm, n) => {
  for (let g = 0; g < n; g += 8) {
    let sum = 0;
    for (let k = g; k < g + 8; k++) sum += Math.abs(d.u8[k] - s.u8[k]);
    d.u32[g / 4] = sum;
    d.u32[g / 4 + 1] = 0;
  }
};

/** The shift count of a register/memory-count shift: the whole low quadword, unsigned. */
function countOf(s: Vec): number {
  return s.u32[1] !== 0 ? Infinity : s.u32[0];
}

type ShiftKind = "sll" | "srl" | "sra";

/** A shift of 16- or 32-bit lanes; counts beyond the lane width clear the lanes (or fill them with the sign). */
function shiftLanes(kind: ShiftKind, bits: 16 | 32, count: (s: Vec, imm: number) => number): VecOp {
  return (_c, d, s, imm, n) => {
    const k0 = count(s, imm);
    const v = bits === 16 ? (kind === "sra" ? d.i16 : d.u16) : (kind === "sra" ? d.i32 : d.u32);
    for (let k = 0; k < n / (bits / 8); k++) {
      if (kind === "sra") v[k] = v[k] >> Math.min(k0, bits - 1);
      else if (k0 >= bits) v[k] = 0;
      else v[k] = kind === "sll" ? v[k] << k0 : v[k] >>> k0;
    }
  };
}

/** A shift of 64-bit lanes (PSLLQ, PSRLQ). */
function shiftQuads(kind: "sll" | "srl", count: (s: Vec, imm: number) => number): VecOp {
  return (_c, d, s, imm, n) => {
    const k0 = count(s, imm);
    for (let k = 0; k < n / 4; k += 2) {
      let q = (BigInt(d.u32[k + 1]) << 32n) | BigInt(d.u32[k]);
      q = k0 >= 64 ? 0n : kind === "sll" ? (q << BigInt(k0)) & 0xffffffffffffffffn : q >> BigInt(k0);
      d.u32[k] = Number(q & 0xffffffffn);
      d.u32[k + 1] = Number(q >> 32n);
    }
  };
}

const byRegister = (s: Vec) => countOf(s);
const byImmediate = (_s: Vec, imm: number) => imm;

export const psllw = shiftLanes("sll", 16, byRegister), psllwi = shiftLanes("sll", 16, byImmediate);
export const pslld = shiftLanes("sll", 32, byRegister), pslldi = shiftLanes("sll", 32, byImmediate);
export const psrlw = shiftLanes("srl", 16, byRegister), psrlwi = shiftLanes("srl", 16, byImmediate);
export const psrld = shiftLanes("srl", 32, byRegister), psrldi = shiftLanes("srl", 32, byImmediate);
export const psraw = shiftLanes("sra", 16, byRegister), psrawi = shiftLanes("sra", 16, byImmediate);
export const psrad = shiftLanes("sra", 32, byRegister), psradi = shiftLanes("sra", 32, byImmediate);
export const psllq = shiftQuads("sll", byRegister), psllqi = shiftQuads("sll", byImmediate);
export const psrlq = shiftQuads("srl", byRegister), psrlqi = shiftQuads("srl", byImmediate);

/** PSLLDQ: the whole register shifted left by `imm` bytes (16 or more clears it). */
export const pslldq: VecOp = (_c, d, _s, imm) => {
  const k = Math.min(imm, 16);
  d.u8.copyWithin(k, 0, 16 - k);
  d.u8.fill(0, 0, k);
};

/** PSRLDQ: the whole register shifted right by `imm` bytes. */
export const psrldq: VecOp = (_c, d, _s, imm) => {
  const k = Math.min(imm, 16);
  d.u8.copyWithin(0, k, 16);
  d.u8.fill(0, 16 - k, 16);
};
