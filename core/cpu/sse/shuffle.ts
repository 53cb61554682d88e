/**
 * MMX/SSE data movement: moves that merge or zero-extend, unpacks, packs
 * with saturation, shuffles, inserts, extracts and sign masks. Same
 * calling convention as core/cpu/sse/integer.ts.
 *
 * @example
 * pshufd(cpu, A, B, 0x1b, 16, 0); // A = B's dwords reversed
 */
import type { VecOp } from "./integer.ts";
import type { Vec } from "./vec.ts";

/** d = s: MOVD, MOVQ (MMX), MOVDQA/MOVDQU/MOVAPS/MOVUPS, MOVNT*, MOVQ2DQ, MOVDQ2Q, MOVNTI. */
export const move: VecOp = (_c, d, s) => d.copy(s);

/** MOVQ xmm forms (F3 0F 7E, 66 0F D6): the low quadword, the upper one cleared. */
export const movq: VecOp = (_c, d, s) => {
  d.i32[0] = s.i32[0];
  d.i32[1] = s.i32[1];
  d.i32[2] = d.i32[3] = 0;
};

/** MOVSS: from memory the dword zero-extended; between registers only the low dword. */
export const movss: VecOp = (_c, d, s, _imm, _n, mem) => {
  if (mem) d.copy(s);
  else d.i32[0] = s.i32[0];
};

/** MOVSD (F2 0F 10/11): from memory the quadword zero-extended; between registers only the low quadword. */
export const movsd: VecOp = (_c, d, s, _imm, _n, mem) => {
  if (mem) d.copy(s);
  else lowFromLow(d, s);
};

function lowFromLow(d: Vec, s: Vec): void {
  d.i32[0] = s.i32[0];
  d.i32[1] = s.i32[1];
}

/** MOVLPS/MOVLPD (load and store): the low quadword replaced. */
export const movlo: VecOp = (_c, d, s) => lowFromLow(d, s);

/** MOVHLPS, and MOVHPS/MOVHPD stores: the low quadword from the source's high one. */
export const movhl: VecOp = (_c, d, s) => {
  d.i32[0] = s.i32[2];
  d.i32[1] = s.i32[3];
};

/** MOVLHPS, and MOVHPS/MOVHPD loads: the high quadword from the source's low one. */
export const movlh: VecOp = (_c, d, s) => {
  d.i32[2] = s.i32[0];
  d.i32[3] = s.i32[1];
};

/** Interleaves the low (`high` = false) or high halves of d and s in lanes of `size` bytes. */
function unpack(size: 1 | 2 | 4 | 8, high: boolean): VecOp {
  return (_c, d, s, _imm, n) => {
    const a = d.u8.slice(), b = s.u8;
    const base = high ? n / 2 : 0;
    for (let k = 0; k < n / 2 / size; k++) {
      for (let j = 0; j < size; j++) {
        d.u8[2 * k * size + j] = a[base + k * size + j];
        d.u8[(2 * k + 1) * size + j] = b[base + k * size + j];
      }
    }
  };
}

export const punpcklbw = unpack(1, false), punpckhbw = unpack(1, true);
export const punpcklwd = unpack(2, false), punpckhwd = unpack(2, true);
export const punpckldq = unpack(4, false), punpckhdq = unpack(4, true);
export const punpcklqdq = unpack(8, false), punpckhqdq = unpack(8, true);

/** Packs d's then s's signed lanes into half-width lanes with signed or unsigned saturation. */
function pack(from: "i16" | "i32", to: "i8" | "u8" | "i16"): VecOp {
  const [lo, hi] = to === "i8" ? [-128, 127] : to === "u8" ? [0, 255] : [-32768, 32767];
  return (_c, d, s, _imm, n) => {
    const per = n / (from === "i16" ? 2 : 4);
    const src = [...d[from].subarray(0, per), ...s[from].subarray(0, per)];
    const out = d[to];
    src.forEach((v, k) => out[k] = v < lo ? lo : v > hi ? hi : v);
  };
}

export const packsswb = pack("i16", "i8");
export const packuswb = pack("i16", "u8");
export const packssdw = pack("i32", "i16");

/** PSHUFD: dwords of s picked by the 2-bit fields of imm. */
export const pshufd: VecOp = (_c, d, s, imm) => {
  for (let k = 0; k < 4; k++) d.i32[k] = s.i32[(imm >> (2 * k)) & 3];
};

/** Four words starting at word `at` of s, shuffled by imm, into d (the rest of d from s). */
function shuffleWords(d: Vec, s: Vec, imm: number, at: number): void {
  d.copy(s);
  for (let k = 0; k < 4; k++) d.u16[at + k] = s.u16[at + ((imm >> (2 * k)) & 3)];
}

/** PSHUFW (MMX) and PSHUFLW: the low four words shuffled. */
export const pshuflw: VecOp = (_c, d, s, imm) => shuffleWords(d, s, imm, 0);
/** PSHUFHW: the high four words shuffled. */
export const pshufhw: VecOp = (_c, d, s, imm) => shuffleWords(d, s, imm, 4);

/** SHUFPS: two dwords of d, then two of s, chosen by imm. */
export const shufps: VecOp = (_c, d, s, imm) => {
  const a = d.i32.slice();
  d.i32[0] = a[imm & 3];
  d.i32[1] = a[(imm >> 2) & 3];
  d.i32[2] = s.i32[(imm >> 4) & 3];
  d.i32[3] = s.i32[(imm >> 6) & 3];
};

/** SHUFPD: a quadword of d, then one of s, chosen by imm bits 0 and 1. */
export const shufpd: VecOp = (_c, d, s, imm) => {
  const lo = (imm & 1) * 2, hi = ((imm >> 1) & 1) * 2;
  const a0 = d.i32[lo], a1 = d.i32[lo + 1];
  d.i32[0] = a0;
  d.i32[1] = a1;
  d.i32[2] = s.i32[hi];
  d.i32[3] = s.i32[hi + 1];
};

/** PINSRW: word `imm` of d (modulo the lane count) from the source's low word. */
export const pinsrw: VecOp = (_c, d, s, imm, n) => {
  d.u16[imm & (n / 2 - 1)] = s.u16[0];
};

/** PEXTRW: word `imm` of s, zero-extended into a general register. */
export const pextrw: VecOp = (_c, d, s, imm, n) => {
  d.i32[0] = s.u16[imm & (n / 2 - 1)];
};

/** The top bits of `count` lanes of `bytes` bytes, as a mask into d's low dword. */
function signMask(d: Vec, s: Vec, bytes: number, count: number): void {
  let mask = 0;
  for (let k = 0; k < count; k++) mask |= (s.u8[k * bytes + bytes - 1] >> 7) << k;
  d.i32[0] = mask;
}

/** PMOVMSKB: the top bit of each byte. */
export const pmovmskb: VecOp = (_c, d, s, _imm, n) => signMask(d, s, 1, n);
/** MOVMSKPS: the sign of each single. */
export const movmskps: VecOp = (_c, d, s) => signMask(d, s, 4, 4);
/** MOVMSKPD: the sign of each double. */
export const movmskpd: VecOp = (_c, d, s) => signMask(d, s, 8, 2);
