/**
 * Control instructions and the environment/state images: FLDCW, FNSTCW,
 * FNSTSW, FNCLEX, FNINIT, FLDENV/FNSTENV, FRSTOR/FNSAVE (32-bit and, with
 * an operand-size prefix, 16-bit protected-mode layouts).
 *
 * 32-bit environment (28 bytes): CW, SW, TW (each in the low half of a
 * dword whose high half stores as 0xffff), FIP, FCS | FOP << 16, FDP,
 * FDS (high half 0xffff). 16-bit environment (14 bytes): CW, SW, TW,
 * FIP[15:0], FCS, FDP[15:0], FDS. The save image appends ST(0)..ST(7),
 * 10 bytes each.
 *
 * @example
 * const img = new Uint8Array(108);
 * saveImage(fpu, img, 0, false); // what FNSAVE writes (before FNINIT)
 */
import {
  B,
  controlWord,
  ES,
  EXC_MASK,
  SF,
  TOP_MASK,
  TOP_SHIFT,
} from "./words.ts";
import type { Run, X87 } from "./x87.ts";

/**
 * Recomputes ES and B from the pending exception flags and masks (loaded
 * ES/B bits are ignored; B mirrors ES).
 */
function summarize(f: X87): void {
  if (f.sw & ~f.cw & EXC_MASK) f.sw |= ES | B;
  else f.sw &= ~(ES | B);
}

/** FLDCW m2byte (recomputes ES: it may unmask a pending exception). */
export const fldcw: Run = (f, _c, m, ea) => {
  f.cw = controlWord(m.r16(ea));
  summarize(f);
};

/** FNSTCW m2byte. */
export const fnstcw: Run = (f, _c, m, ea) => {
  m.w16(ea, f.cw);
};

/** FNSTSW m2byte. */
export const fnstsw: Run = (f, _c, m, ea) => {
  m.w16(ea, f.statusWord());
};

/** FNSTSW AX: only the low 16 bits of EAX change. */
export const fnstswAx: Run = (f, c) => {
  c.r[0] = (c.r[0] & ~0xffff) | f.statusWord();
};

/** FNCLEX: clears the exception flags, SF, ES and B. */
export const fnclex: Run = (f) => {
  f.sw &= ~(EXC_MASK | SF | ES | B);
};

/** FNINIT. */
export const fninit: Run = (f) => {
  f.reset();
};

/** FNOP (and the 8087/287 leftovers FNENI, FNDISI, FNSETPM). */
export const fnop: Run = () => {};

/** Environment size for the two layouts. */
function envSize(o16: boolean): number {
  return o16 ? 14 : 28;
}

/** Writes the environment (and with `regs`, the registers) to b at off. */
export function saveImage(
  f: X87,
  b: Uint8Array,
  off: number,
  o16: boolean,
  regs = true,
): void {
  const dv = new DataView(b.buffer, b.byteOffset + off);
  if (o16) {
    dv.setUint16(0, f.cw, true);
    dv.setUint16(2, f.statusWord(), true);
    dv.setUint16(4, f.tagWord(), true);
    dv.setUint16(6, f.fip, true);
    dv.setUint16(8, f.fcs, true);
    dv.setUint16(10, f.fdp, true);
    dv.setUint16(12, f.fds, true);
  } else {
    dv.setUint32(0, 0xffff0000 | f.cw, true);
    dv.setUint32(4, 0xffff0000 | f.statusWord(), true);
    dv.setUint32(8, 0xffff0000 | f.tagWord(), true);
    dv.setUint32(12, f.fip, true);
    dv.setUint32(16, ((f.fop & 0x7ff) << 16) | (f.fcs & 0xffff), true);
    dv.setUint32(20, f.fdp, true);
    dv.setUint32(24, 0xffff0000 | f.fds, true);
  }
  if (!regs) return;
  let q = envSize(o16);
  for (let i = 0; i < 8; i++, q += 10) {
    const p = f.phys(i);
    dv.setUint32(q, f.lo[p], true);
    dv.setUint32(q + 4, f.hi[p], true);
    dv.setUint16(q + 8, f.se[p], true);
  }
}

/** Loads the environment (and with `regs`, the registers) from b at off. */
export function loadImage(
  f: X87,
  b: Uint8Array,
  off: number,
  o16: boolean,
  regs = true,
): void {
  const dv = new DataView(b.buffer, b.byteOffset + off);
  let sw: number, tw: number;
  if (o16) {
    f.cw = controlWord(dv.getUint16(0, true));
    sw = dv.getUint16(2, true);
    tw = dv.getUint16(4, true);
    f.fip = dv.getUint16(6, true);
    f.fcs = dv.getUint16(8, true);
    f.fop = 0;
    f.fdp = dv.getUint16(10, true);
    f.fds = dv.getUint16(12, true);
  } else {
    f.cw = controlWord(dv.getUint16(0, true));
    sw = dv.getUint16(4, true);
    tw = dv.getUint16(8, true);
    f.fip = dv.getUint32(12, true);
    f.fcs = dv.getUint16(16, true);
    f.fop = dv.getUint16(18, true) & 0x7ff;
    f.fdp = dv.getUint32(20, true);
    f.fds = dv.getUint16(24, true);
  }
  f.top = (sw & TOP_MASK) >>> TOP_SHIFT;
  f.sw = sw & ~TOP_MASK;
  summarize(f);
  // Only "empty" survives from the tag word; the others follow the contents.
  f.empty = 0;
  for (let p = 0; p < 8; p++) {
    if (((tw >>> (2 * p)) & 3) === 3) f.empty |= 1 << p;
  }
  if (!regs) return;
  let q = envSize(o16);
  for (let i = 0; i < 8; i++, q += 10) {
    const p = f.phys(i);
    f.lo[p] = dv.getUint32(q, true);
    f.hi[p] = dv.getUint32(q + 4, true);
    f.se[p] = dv.getUint16(q + 8, true);
  }
}

/** FLDENV m14/28byte. */
export const fldenv: Run = (f, _c, m, ea, _i, o16) => {
  loadImage(f, m.read(ea, envSize(o16)), 0, o16, false);
};

/** FRSTOR m94/108byte. */
export const frstor: Run = (f, _c, m, ea, _i, o16) => {
  loadImage(f, m.read(ea, envSize(o16) + 80), 0, o16, true);
};

/** FNSTENV: stores the environment, then masks all exceptions. */
export const fnstenv: Run = (f, _c, m, ea, _i, o16) => {
  const b = new Uint8Array(envSize(o16));
  saveImage(f, b, 0, o16, false);
  m.write(ea, b);
  f.cw |= EXC_MASK;
  summarize(f);
};

/** FNSAVE: stores everything, then FNINIT. */
export const fnsave: Run = (f, _c, m, ea, _i, o16) => {
  const b = new Uint8Array(envSize(o16) + 80);
  saveImage(f, b, 0, o16, true);
  m.write(ea, b);
  f.reset();
};
