/**
 * The fast paths of FST m64fp and FLD m64fp (core/cpu/x87/convert.ts
 * doubleNearest, instr-transfer.ts). The store's is compared with the
 * general path it skips (unpack, narrow and round, pack), which the
 * differential test checks against the real CPU, on every value on the
 * boundaries it decides on — ties to even, carries into the exponent, the
 * ends of the double's normal range, zeros — in every rounding mode. The
 * load's results are checked exactly, on a free and on a full stack.
 */
import { assert, test } from "../harness.ts";
import { DH, DL, doubleNearest, narrow, packDouble } from "../../core/cpu/x87/convert.ts";
import { Num, Reg80, unpack80 } from "../../core/cpu/x87/float80.ts";
import { X87 } from "../../core/cpu/x87/x87.ts";
import { Cpu } from "../../core/cpu/state.ts";
import { Memory, PROT_READ, PROT_WRITE } from "../../core/memory/memory.ts";
import { C1, IE, OE, UE } from "../../core/cpu/x87/words.ts";

const BIAS = 16383;

/** Extended values around every decision the fast store makes. */
function boundaryValues(): [number, number, number][] {
  const exponents = [
    ...[0, 1, BIAS - 1023, BIAS - 1022, BIAS - 1021, BIAS - 1, BIAS],
    ...[BIAS + 1, BIAS + 1022, BIAS + 1023, BIAS + 1024, 0x7ffe, 0x7fff],
  ];
  // The 11 bits a double drops: zero, below half, half (tie), above half; with the kept LSB 0 and 1; all ones (a carry).
  const significands: [number, number][] = [
    [0x80000000, 0],
    [0x80000000, 0x3ff],
    [0x80000000, 0x400],
    [0x80000000, 0x401],
    [0x80000000, 0xc00],
    [0x80000000, 0xbff],
    [0x80000000, 0x7ff],
    [0xffffffff, 0xfffff800],
    [0xffffffff, 0xfffffc00],
    [0xffffffff, 0xfffffbff],
    [0xffffffff, 0xffffffff],
    [0x7fffffff, 0xffffffff], // an unnormal: no integer bit
    [0, 0],
    [0x9e3779b9, 0x7f4a7c15],
  ];
  const out: [number, number, number][] = [];
  for (const s of [0, 1]) {
    for (const e of exponents) for (const [hi, lo] of significands) out.push([(s << 15) | e, hi, lo]);
  }
  return out;
}

test("x87: FST m64fp's fast path gives the general path's bits and flags", () => {
  const n = new Num(), r = new Reg80();
  let fast = 0;
  for (const rc of [0, 1, 2, 3]) {
    for (const masks of [0x3f, 0x3f & ~0x20]) {
      const cw = (rc << 10) | 0x300 | masks;
      for (const [se, hi, lo] of boundaryValues()) {
        const flags = doubleNearest(se, hi, lo, cw);
        if (flags < 0) continue;
        fast++;
        const [dl, dh] = [DL, DH];
        unpack80(n, se, hi, lo);
        const general = narrow(r, n, cw, true);
        const what = `se ${se.toString(16)} ${hi.toString(16)}:${lo.toString(16)} cw ${cw.toString(16)}`;
        assert.equal(general & (IE | OE | UE), 0, `${what}: the fast path took a value that faults`);
        packDouble(r);
        assert.equal(flags, general, `${what}: flags`);
        assert.equal(dl, DL, `${what}: low word`);
        assert.equal(dh, DH, `${what}: high word`);
      }
    }
  }
  // Only round to nearest, for each sign and set of masks: the zero, and the 7 exponents of the
  // double's normal range with the 12 significands that have an integer bit, less the 2 that round
  // up past the largest double.
  assert.equal(fast, 2 * 2 * (1 + 7 * 12 - 2));
});

/** The number an 80-bit image holds, for finite values (exact for every double). */
function value80(b: Uint8Array): number {
  const v = new DataView(b.buffer, b.byteOffset);
  const lo = v.getUint32(0, true), hi = v.getUint32(4, true), se = v.getUint16(8, true);
  // The significand of a widened double has at most 53 bits, so this is exact.
  const magnitude = ((hi * 2 ** 32 + lo) / 2 ** 63) * 2 ** ((se & 0x7fff) - BIAS);
  return se >> 15 ? -magnitude : magnitude;
}

test("x87: FLD m64fp widens every double exactly, on a free and on a full stack", () => {
  const doubles = [1, -1, 1.5, Math.PI, -(2 ** 1023), 2 ** -1022, Number.MAX_VALUE, 0, -0, 2 ** -1074, Infinity, NaN];
  for (const d of doubles) {
    for (const full of [false, true]) {
      const m = new Memory();
      m.map(0x1000, 0x1000, PROT_READ | PROT_WRITE);
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setFloat64(0, d, true);
      m.write(0x1000, bytes);
      const fpu = new X87();
      const c = new Cpu(fpu);
      if (full) for (let k = 0; k < 8; k++) fpu.exec(c, m, 0xd9, 0xe8, 0, false, 0x8048000); // fld1
      fpu.exec(c, m, 0xdd, 0x05, 0x1000, false, 0x8048010); // fld qword [0x1000]
      const what = `fld of ${Object.is(d, -0) ? "-0" : d}${full ? " onto a full stack" : ""}`;
      const sw = fpu.statusWord();
      if (full) {
        // Stack overflow: IE and SF with C1 set, and (IE masked) the indefinite in ST(0).
        assert.equal(sw & 0x7ff & ~0x20, IE | 0x40 | C1, what);
        continue;
      }
      // A denormal double raises DE; nothing else raises anything, and C1 is clear.
      const denormal = d !== 0 && Math.abs(d) < 2 ** -1022;
      assert.equal(sw & (0x3f | C1), denormal ? 0x02 : 0, `${what}: status ${sw.toString(16)}`);
      // ST(0) is physical register 7: tag 0 valid (a denormal double is normal in 80 bits), 1 zero, 2 special.
      assert.equal(fpu.tagWord() >> 14, d === 0 ? 1 : Number.isFinite(d) ? 0 : 2, what);
      fpu.exec(c, m, 0xdb, 0x3d, 0x1100, false, 0x8048020); // fstp tword [0x1100]
      const stored = m.read(0x1100, 10);
      if (Number.isNaN(d)) assert.equal(stored[9] & 0x7f, 0x7f, what);
      else assert.equal(Object.is(value80(stored), d), true, `${what}: got ${value80(stored)}`);
    }
  }
});
