/**
 * The x87 instructions regions run themselves in their common case
 * (core/cpu/wasm/x87-inline.ts: FLD and FST/FSTP m64fp, FLD/FST/FSTP
 * ST(i), FXCH, FLD1, FLDZ, FNSTSW AX) against single-stepping through the
 * x87 unit (which tests/x87 checks against the CPU): doubles of every class
 * and 64-bit integers whose low bits sit on every rounding boundary,
 * squares that leave the double's range, every rounding mode, registers
 * read while empty, a full and an empty stack, and unmasked exceptions
 * that fault at the next instruction. Every backend is compared with single-stepping at every
 * stop of runs split into random budgets, by the whole state: registers,
 * the x87 unit's FSAVE image and memory.
 */
import { assert, test } from "../harness.ts";
import { machine, type Machine, snapshot, WORK_BASE } from "./machine.ts";
import { Rng } from "./rng.ts";
import { assembleWorkload } from "./workload.ts";
import { BACKENDS } from "./backends.ts";
import type { X87 } from "../../core/cpu/x87/x87.ts";

const ENTRIES = 160;
const VALUES = WORK_BASE + 0x100, OUT = WORK_BASE + 0x2000, CWS = WORK_BASE + 0xc000;
const WIDE = WORK_BASE + 0xd000, WIDE_OUT = WORK_BASE + 0xe000;

/**
 * Extended values (sign/exponent, high and low significand words) on the
 * edges of the store's fast path: zeros, the largest double and a tie that
 * rounds past it, the smallest normal double and just below it, a carry
 * into the exponent, a pseudo-denormal, an unnormal, a denormal, infinity,
 * NaNs.
 */
const EDGES: readonly [number, number, number][] = [
  [0x0000, 0, 0], [0x8000, 0, 0], [0x43fe, 0xffffffff, 0xfffff7ff], [0x43fe, 0xffffffff, 0xfffffc00],
  [0xc3fe, 0xffffffff, 0xfffffbff], [0x43fe, 0xffffffff, 0xfffffc01], [0x3c01, 0x80000000, 0], [0x3c00, 0xffffffff, 0xfffffc00],
  [0x3c01, 0xffffffff, 0xfffffe00], [0x3fff, 0xffffffff, 0xfffff800], [0x0000, 0x80000000, 0], [0x3fff, 0x40000000, 0],
  [0x0000, 0x00000001, 0], [0x7fff, 0x80000000, 0], [0xffff, 0xc0000000, 0], [0x7fff, 0x80000000, 1],
];

/** The program: per entry, a control word, then loads and stores of its double and its integer. */
const SOURCE = `bits 32
org 0x10000000
  mov esi, ${WIDE}
  mov edi, ${WIDE_OUT}
  mov ecx, ${EDGES.length}
edges:
  fld tword [esi]
  fst qword [edi]
  fstp qword [edi+8]
  add esi, 10
  add edi, 16
  dec ecx
  jnz edges
  mov esi, ${VALUES}
  mov edi, ${OUT}
  mov ebx, ${CWS}
  mov ecx, ${ENTRIES}
again:
  fninit
  fldcw [ebx]
  fld qword [esi]
  fnstenv [edi+48]
  fldcw [ebx]
  fild qword [esi+8]
  fst qword [edi]
  fstp qword [edi+8]
  fst qword [edi+16]
  fld st0
  fmul st0, st0
  fxch st1
  fnstsw ax
  mov [edi+40], ax
  fstp qword [edi+24]
  fldz
  fld1
  fld st2
  fnstenv [edi+76]
  fldcw [ebx]
  fld st4
  fxch st2
  fnstenv [edi+104]
  fldcw [ebx]
  fxch st5
  fst st3
  fstp st6
  fnstenv [edi+132]
  fldcw [ebx]
  fnstsw ax
  fstp qword [edi+32]
  add esi, 16
  add edi, 160
  add ebx, 2
  dec ecx
  jnz again
  mov ecx, 9
push9:
  fld qword [${VALUES}]
  dec ecx
  jnz push9
  mov ecx, 10
pop10:
  fstp qword [edi]
  add edi, 8
  dec ecx
  jnz pop10
  int 0x80
`;

/** A double's bit pattern, as two uint32 words, of a random class. */
function double(rng: Rng): [number, number] {
  const special: [number, number][] = [
    [0, 0], [0, 0x80000000], [0, 0x7ff00000], [0, 0xfff00000], [0, 0x7ff80000], [1, 0x7ff00000],
    [1, 0], [0xffffffff, 0x000fffff], [0, 0x00100000], [0xffffffff, 0x7fefffff],
  ];
  if (rng.chance(0.25)) return rng.pick(special);
  // Exponent fields near the ends of the range, so that squares overflow or underflow.
  const e = rng.pick([1, 2, 300, 511, 1023, 1024, 1535, 1800, 2045, 2046]);
  return [rng.u32() >>> 0, ((rng.chance(0.5) ? 0x80000000 : 0) | (e << 20) | (rng.u32() & 0xfffff)) >>> 0];
}

/**
 * A 64-bit integer whose magnitude has its top bit at bit 62, so that FILD
 * makes it a significand shifted left by one, with the 11 bits below a
 * double's 53 on a rounding boundary: zero, just below or above half, half
 * (a tie, the bit above it odd or even), all but the last; some with ones
 * all the way up, so that rounding up carries.
 */
function integer(rng: Rng): [number, number] {
  let hi = ((rng.u32() | 0x40000000) & 0x7fffffff) >>> 0;
  const low10 = rng.pick([0, 0x1ff, 0x200, 0x201, 0x3ff]) | (rng.chance(0.5) ? 0x400 : 0);
  let lo = ((rng.u32() & ~0x7ff) | low10) >>> 0;
  // Runs of ones above the rounding bits: rounding up carries into the high word, or the exponent.
  if (rng.chance(0.3)) {
    lo = (lo | 0xfffff800) >>> 0;
    if (rng.chance(0.5)) hi = 0x7fffffff;
  }
  if (rng.chance(0.5)) return [lo, hi];
  // Negative: two's complement of the magnitude.
  const nlo = (~lo + 1) >>> 0;
  return [nlo, (~hi + (nlo === 0 ? 1 : 0)) >>> 0];
}

function program(rng: Rng): { code: Uint8Array; data: Uint8Array; cws: Uint8Array } {
  const data = new Uint8Array(16 * ENTRIES), v = new DataView(data.buffer);
  for (let k = 0; k < ENTRIES; k++) {
    const [dl, dh] = double(rng), [il, ih] = integer(rng);
    v.setUint32(16 * k, dl, true);
    v.setUint32(16 * k + 4, dh, true);
    v.setUint32(16 * k + 8, il, true);
    v.setUint32(16 * k + 12, ih, true);
  }
  // Every rounding mode, exceptions masked; near the end, precision and then overflow unmasked (#MF follows).
  const cws = new Uint8Array(2 * ENTRIES), c = new DataView(cws.buffer);
  for (let k = 0; k < ENTRIES; k++) {
    const unmasked = k >= ENTRIES - 4 ? rng.pick([0x20, 0x08, 0x01]) : 0;
    c.setUint16(2 * k, (0x037f | (rng.pick([0, 1, 2, 3]) << 10)) & ~unmasked, true);
  }
  return { code: assembleWorkload("x87-inline", SOURCE), data, cws };
}

/** Counts the calls of the x87 unit's `exec`. */
function countCalls(fpu: X87): { n: number } {
  const counter = { n: 0 }, exec = fpu.exec.bind(fpu);
  fpu.exec = (...args) => {
    counter.n++;
    exec(...args);
  };
  return counter;
}

function load(m: Machine, p: ReturnType<typeof program>): Machine {
  m.mem.poke(VALUES, p.data);
  m.mem.poke(CWS, p.cws);
  const wide = new Uint8Array(10 * EDGES.length), v = new DataView(wide.buffer);
  EDGES.forEach(([se, hi, lo], k) => {
    v.setUint32(10 * k, lo, true);
    v.setUint32(10 * k + 4, hi, true);
    v.setUint16(10 * k + 8, se, true);
  });
  m.mem.poke(WIDE, wide);
  return m;
}

test("x87 inline: the forms regions run themselves equal single-stepping at every stop, faults included", () => {
  const rng = new Rng(0x87f10ad);
  let stops = 0, faults = 0;
  const calls = new Map<string, number>();
  for (let round = 0; round < 6; round++) {
    const p = program(rng);
    for (const backend of BACKENDS.filter((b) => b !== "single")) {
      const block = load(machine(p.code, backend, 1), p), single = load(machine(p.code, "single", 2), p);
      const counted = countCalls(block.cpu.fpu), reference = countCalls(single.cpu.fpu);
      const maxChunk = rng.pick([7, 60, 500]);
      for (;;) {
        const budget = 1 + rng.below(maxChunk);
        const a = block.engine.run(budget), b = single.engine.run(budget);
        assert.equal(a.retired, b.retired, `${backend}, stop ${stops}: retired`);
        assert.equal(a.fault?.kind, b.fault?.kind, `${backend}, stop ${stops}: fault`);
        assert.deepEqual(snapshot(block), snapshot(single), `round ${round}, ${backend}, stop ${stops}`);
        stops++;
        if (a.fault !== undefined) faults++;
        if (a.fault !== undefined || block.cpu.trap !== 0) break;
      }
      calls.set(backend, (calls.get(backend) ?? 0) + counted.n);
      calls.set("single", (calls.get("single") ?? 0) + reference.n);
    }
  }
  // Unmasked exceptions end most runs with a fault (#MF at the next x87 instruction).
  assert.ok(faults > 0, "some runs fault");
  // The regions backend calls the x87 unit less than single-stepping does: it ran the inline forms
  // itself (most stores here round in another mode or leave the double's range, which the unit does).
  const perRun = calls.get("single")! / BACKENDS.filter((b) => b !== "single").length;
  assert.ok(perRun - calls.get("regions")! >= 200, `x87 unit calls: ${JSON.stringify(Object.fromEntries(calls))}`);
  console.log(`x87 inline: ${stops} stops compared, ${faults} runs ending in a fault; unit calls ${JSON.stringify(Object.fromEntries(calls))}`);
});
