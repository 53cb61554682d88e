/**
 * Case generation for the differential test: for every x87 encoding a
 * number of random starting states (control word with every rounding and
 * precision mode, status flags, TOP, tags, register contents), EFLAGS and
 * memory operands, shaped per instruction so each one meets its
 * interesting inputs.
 *
 * @example
 * const cases = generate(new Rng(1), 1.0);
 */
import { describeX87 } from "../../core/cpu/x87/x87.ts";
import { LINUX_SELECTORS } from "./compare.ts";
import type { Case } from "./oracle.ts";
import { type Rng } from "./rng.ts";
import {
  bcdBytes,
  bytes80,
  double64,
  ext80,
  fromInt,
  intBytes,
  nearInteger,
  significand,
  single32,
  type V80,
} from "./values.ts";

const BIAS = 16383;

/** A generated case with the mnemonic it exercises (for reporting). */
export interface GenCase extends Case {
  mnemonic: string;
  operands: string[];
}

/** Cases per encoding, by mnemonic (register forms split this over ST(i)). */
function weight(mn: string, mem: boolean): number {
  if (/^fi?(add|mul|subr?|divr?)p?$/.test(mn)) return mem ? 1500 : 2400;
  if (/^(fsqrt|fprem1?|fscale|frndint)$/.test(mn)) return 5000;
  if (/^(f2xm1|fyl2x|fyl2xp1|fptan|fpatan|fsin|fcos|fsincos)$/.test(mn)) {
    return 3000;
  }
  if (/^(fxtract|fbstp|fbld)$/.test(mn)) return 2000;
  if (/^(fst|fstp|fist|fistp)$/.test(mn)) return mem ? 2500 : 400;
  if (/^fi?u?com/.test(mn)) return mem ? 1000 : 800;
  if (/^(fld|fild)$/.test(mn)) return mem ? 1500 : 400;
  if (/^(fldenv|frstor|fnstenv|fnsave|fldcw)$/.test(mn)) return 600;
  return mem ? 200 : 300;
}

/** Exponent differences that matter for alignment and cancellation. */
const DELTAS = [
  0,
  0,
  0,
  1,
  1,
  2,
  3,
  23,
  24,
  25,
  52,
  53,
  54,
  63,
  64,
  65,
  66,
  100,
];

/** A second operand related to `a` (same or nearby exponent / significand). */
function related(r: Rng, a: V80): V80 {
  const e = a.se & 0x7fff;
  if (r.chance(0.1)) return nearOne(r);
  if (e === 0 || e === 0x7fff || !(a.hi >>> 31)) return ext80(r);
  const d = r.pick(DELTAS) * (r.chance(0.5) ? 1 : -1);
  const s = r.chance(0.5) ? 0x8000 : 0;
  let [hi, lo] = significand(r);
  if (r.chance(0.4)) {
    // the same significand, or one differing in its last bits
    hi = a.hi;
    lo = (a.lo + r.range(-2, 2)) >>> 0;
  }
  const ne = Math.max(1, Math.min(0x7ffe, e + d));
  return { se: s | ne, hi, lo };
}

/** A random FCS/FDS, never a selector the comparison maps. */
function fcsValue(r: Rng): number {
  for (;;) {
    const v = r.below(0x10000);
    if (!LINUX_SELECTORS.includes(v)) return v;
  }
}

/** How a case's ST(0)/ST(1) are shaped for its instruction. */
function shapeStack(r: Rng, mn: string, st: (V80 | undefined)[]): void {
  const st0 = st[0];
  if (st0 === undefined) return;
  if (/^fi?(add|mul|subr?|divr?)p?$|^fsqrt$/.test(mn) && r.chance(0.15)) {
    st[0] = extreme(r);
    for (let i = 1; i < 8; i++) if (st[i] !== undefined) st[i] = nearOne(r);
    return;
  }
  switch (mn) {
    case "fist":
    case "fistp":
    case "fbstp":
    case "frndint":
      if (r.chance(0.6)) st[0] = nearInteger(r);
      break;
    case "fprem":
    case "fprem1":
      if (r.chance(0.8)) {
        const v = ext80(r);
        const e = Math.max(
          1,
          Math.min(
            0x7ffe,
            (v.se & 0x7fff) - r.pick([
              ...DELTAS,
              r.range(-3, 200),
              r.range(60, 70),
              r.range(100, 20000),
            ]),
          ),
        );
        const [hi, lo] = significand(r);
        st[0] = v;
        st[1] = { se: (r.chance(0.5) ? 0x8000 : 0) | e, hi, lo };
      }
      break;
    case "fscale":
      if (r.chance(0.7)) {
        st[1] = r.chance(0.7)
          ? fromInt(r.range(-80, 80))
          : r.chance(0.5)
          ? fromInt(r.range(-40000, 40000))
          : ext80(r, BIAS + r.range(-3, 20));
      }
      break;
  }
}

/**
 * A value within a few ulps of 1 or 2: multiplying or dividing by it moves
 * a result across the overflow and underflow thresholds by a hair.
 */
function nearOne(r: Rng): V80 {
  const up = r.chance(0.5);
  const d = r.range(0, 3);
  return {
    se: (r.chance(0.2) ? 0x8000 : 0) |
      (up ? 0x3fff : 0x3ffe) + (r.chance(0.2) ? 1 : 0),
    hi: up ? 0x80000000 : 0xffffffff,
    lo: up ? d : (0xffffffff - d) >>> 0,
  };
}

/** ST(0) at the edge of the exponent range, for the arithmetic forms. */
function extreme(r: Rng): V80 {
  const e = r.pick([1, 2, 3, 64, 65, 0x7ffe, 0x7ffd, 0x7ffe - 63]);
  const ones = r.chance(0.5);
  return {
    se: (r.chance(0.3) ? 0x8000 : 0) | e,
    hi: ones ? 0xffffffff : 0x80000000,
    lo: ones
      ? (0xffffffff - r.range(0, 2 ** r.range(0, 12))) >>> 0
      : r.range(0, 3),
  };
}

/** A control word: any rounding, any precision, mostly masked. */
function controlWord(r: Rng): number {
  let cw = 0x40 | (r.below(4) << 10) | (r.pick([0, 2, 3, 3, 1]) << 8);
  cw |= r.chance(0.85) ? 0x3f : r.below(64);
  if (r.chance(0.05)) cw |= r.below(0x10000) & 0xf080;
  return cw;
}

/** A 108-byte FNSAVE image for the initial state. */
function stateImage(
  r: Rng,
  mn: string,
): { img: Uint8Array; st: (V80 | undefined)[] } {
  const cw = controlWord(r);
  const masks = cw & 0x3f;
  let sw = r.below(0x10000) & 0x4700; // C0..C3
  sw |= r.below(0x80) & masks & (r.chance(0.5) ? 0x3f : 0);
  if (r.chance(0.1) && masks & 1) sw |= 0x40 | 1; // an earlier stack fault
  if (r.chance(0.03) && masks !== 0x3f) {
    sw |= (~masks & 0x3f) & -(~masks & 0x3f); // a pending unmasked exception
    sw |= 0x8080;
  }
  const top = r.below(8);
  const st: (V80 | undefined)[] = [];
  for (let i = 0; i < 8; i++) {
    const full = r.chance(
      i === 0 ? 0.97 : i === 1 ? 0.95 : i === 7 ? 0.4 : 0.85,
    );
    if (!full) st.push(undefined);
    else if (i > 0 && st[0] !== undefined && r.chance(0.5)) {
      st.push(related(r, st[0]));
    } else st.push(ext80(r));
  }
  shapeStack(r, mn, st);
  const img = new Uint8Array(108);
  const dv = new DataView(img.buffer);
  dv.setUint32(0, 0xffff0000 | cw, true);
  dv.setUint32(4, 0xffff0000 | sw | (top << 11), true);
  let tw = 0;
  for (let i = 0; i < 8; i++) {
    const v = st[i] ?? ext80(r);
    // Non-empty registers get a random non-empty tag: the CPU recomputes it.
    const tag = st[i] === undefined ? 3 : r.below(3);
    tw |= tag << (((top + i) & 7) * 2);
    img.set(bytes80(v), 28 + 10 * i);
  }
  dv.setUint32(8, 0xffff0000 | tw, true);
  dv.setUint32(12, r.u32(), true);
  dv.setUint32(16, ((r.below(0x800)) << 16) | fcsValue(r), true);
  dv.setUint32(20, r.u32(), true);
  dv.setUint32(24, 0xffff0000 | fcsValue(r), true);
  return { img, st };
}

/** The memory operand's bytes. */
function memory(
  r: Rng,
  token: string | undefined,
  st0: V80 | undefined,
  o16: boolean,
): Uint8Array {
  const m = new Uint8Array(16);
  for (let i = 0; i < 16; i++) m[i] = r.below(256);
  const dv = new DataView(m.buffer);
  switch (token) {
    case "m32fp":
      dv.setUint32(
        0,
        r.chance(0.4) && st0 ? near32(r, st0) : single32(r),
        true,
      );
      break;
    case "m64fp": {
      const [lo, hi] = r.chance(0.4) && st0 ? near64(r, st0) : double64(r);
      dv.setUint32(0, lo, true);
      dv.setUint32(4, hi, true);
      break;
    }
    case "m16int":
    case "m32int":
    case "m64int":
      m.set(
        intBytes(r, token === "m16int" ? 16 : token === "m32int" ? 32 : 64),
      );
      break;
    case "m80fp":
      m.set(bytes80(ext80(r)));
      break;
    case "m80bcd":
      m.set(bcdBytes(r));
      break;
    case "m2byte":
      dv.setUint16(0, r.chance(0.7) ? controlWord(r) : r.below(0x10000), true);
      break;
    case "m14/28byte":
    case "m94/108byte":
      return envImage(r, token === "m94/108byte", o16);
  }
  return m;
}

/** A single near ST(0) (same or nearby exponent). */
function near32(r: Rng, v: V80): number {
  const e = (v.se & 0x7fff) - BIAS + 127 + r.range(-3, 3);
  if (e < 1 || e > 254) return single32(r);
  return ((v.se & 0x8000 ? 0 : r.chance(0.5) ? 0x80000000 : 0) | (e << 23) |
    (r.u32() & 0x7fffff)) >>> 0;
}

function near64(r: Rng, v: V80): [number, number] {
  const e = (v.se & 0x7fff) - BIAS + 1023 + r.range(-3, 3);
  if (e < 1 || e > 2046) return double64(r);
  return [
    r.u32(),
    ((r.chance(0.5) ? 0x80000000 : 0) | (e << 20) | (r.u32() & 0xfffff)) >>> 0,
  ];
}

/** An environment (or full state) image to load, in the 32- or 16-bit layout. */
function envImage(r: Rng, regs: boolean, o16: boolean): Uint8Array {
  const { img } = stateImage(r, "");
  const dv = new DataView(img.buffer);
  // Loaded images may carry anything in the words, including pending exceptions.
  if (r.chance(0.3)) dv.setUint16(4, r.below(0x10000), true);
  if (r.chance(0.2)) dv.setUint16(0, r.below(0x10000), true);
  if (r.chance(0.2)) dv.setUint32(0, r.u32(), true);
  if (!o16) return regs ? img : img.slice(0, 28);
  const out = new Uint8Array(regs ? 94 : 14);
  const ov = new DataView(out.buffer);
  ov.setUint16(0, dv.getUint16(0, true), true);
  ov.setUint16(2, dv.getUint16(4, true), true);
  ov.setUint16(4, dv.getUint16(8, true), true);
  ov.setUint16(6, dv.getUint16(12, true), true);
  ov.setUint16(8, dv.getUint16(16, true), true);
  ov.setUint16(10, dv.getUint16(20, true), true);
  ov.setUint16(12, dv.getUint16(24, true), true);
  if (regs) out.set(img.subarray(28), 14);
  return out;
}

/** Encodings the host runs but a P6 lacks (FISTTP, SSE3): not comparable. */
function hostOnly(esc: number, modrm: number): boolean {
  return modrm < 0xc0 && ((modrm >> 3) & 7) === 1 &&
    (esc === 0xdb || esc === 0xdd || esc === 0xdf);
}

/** All cases, `scale` times the default counts. */
export function generate(r: Rng, scale: number): GenCase[] {
  const out: GenCase[] = [];
  for (let esc = 0xd8; esc <= 0xdf; esc++) {
    for (let modrm = 0; modrm < 256; modrm++) {
      const mem = modrm < 0xc0;
      if (mem && (modrm & 0xc7) !== 5) continue; // one [disp32] encoding per /reg
      if (hostOnly(esc, modrm)) continue;
      const d = describeX87(esc, modrm);
      const mn = d?.mnemonic ?? "(undefined)";
      const ops = d?.operands ?? [];
      let n = d ? weight(mn, mem) : 2;
      if (!mem && ops.some((o) => /^st[0-7]$/.test(o))) n = Math.ceil(n / 8);
      const env = /^(fldenv|fnstenv|frstor|fnsave)$/.test(mn);
      n = Math.max(2, Math.round(n * scale));
      for (let k = 0; k < n; k++) {
        const o16 = env ? k % 2 === 1 : r.chance(0.02);
        const { img, st } = stateImage(r, mn);
        const token = ops.find((o) => o.startsWith("m"));
        out.push({
          o16,
          esc,
          modrm,
          eflags: (r.u32() & 0x8d5) | 2,
          eax: r.u32() | 0,
          state: img,
          mem: mem ? memory(r, token, st[0], o16) : new Uint8Array(0),
          mnemonic: mn,
          operands: ops,
        });
      }
    }
  }
  return out;
}
