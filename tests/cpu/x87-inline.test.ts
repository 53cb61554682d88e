/**
 * The x87 instructions regions run themselves in their common case
 * (core/cpu/wasm/x87-inline*.ts: FLD and FST/FSTP m64fp, FILD, the
 * register moves, FLD1, FLDZ, FCHS, FABS, FLDCW, FNSTCW, FNSTSW AX, the
 * compares and FTST, FIST/FISTP, FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR) against
 * single-stepping through the x87 unit (which tests/x87 checks against the CPU): doubles of every
 * class and 64-bit integers whose low bits sit on every rounding boundary,
 * integers of every size at their extremes, sums and differences aligned
 * across the whole significand (cancellation to zero, ties, the bit an
 * alignment shifts out deciding the rounding), squares that leave the
 * double's range, every rounding mode, control words with reserved bits
 * set, registers read while empty, a full and an empty stack, exceptions
 * FLDCW unmasks, unmasked exceptions that fault at the next instruction,
 * and a condition read across an x87 instruction. Every backend is compared
 * with single-stepping at every stop of runs split into random budgets,
 * by the whole state: registers, the x87 unit's FSAVE image and memory.
 */
import { assert, test } from "../harness.ts";
import { machine, type Machine, snapshot, WORK_BASE } from "./machine.ts";
import { Rng } from "./rng.ts";
import { assembleWorkload } from "./workload.ts";
import { BACKENDS } from "./backends.ts";
import type { X87 } from "../../core/cpu/x87/x87.ts";

const ENTRIES = 160;
const VALUES = WORK_BASE + 0x100, OUT = WORK_BASE + 0x2000, INTS = WORK_BASE + 0xc600, CWS = WORK_BASE + 0xf600;
const WIDE = WORK_BASE + 0xd000, WIDE_OUT = WORK_BASE + 0xe000, ARITH_OUT = WORK_BASE + 0xe100, ARITH = WORK_BASE + 0xe200;
const SPECIAL = WORK_BASE + 0xe1a0, FLAGS_OUT = WORK_BASE + 0xd100, FIST_OUT = WORK_BASE + 0xd600;

/**
 * Operands doubles cannot give: 64-bit significands with their last bit
 * set (products of integers) aligned 64 and 65 bits down, so that the bit
 * shifted out decides the rounding (1 - (2^63 + 1) * 2^-128); and
 * 2^64 - 1 taken from 2^64, a difference whose top bit is below the high
 * word; and 0.5, to make halves of integers (FIST's ties). Int64 values
 * are FILD operands, numbers doubles.
 */
const SPECIALS = [
  0xfffffffbn, 0xfffffff1n, 2 ** -65, 2 ** -64, 0xffffffffn, 0x100000001n, 1n << 62n, 4, 3n, 3074457345618258603n, 2 ** -128,
  0.5,
];
/** Bytes of output per entry. */
const STRIDE = 274;

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
  mov edx, ${INTS}
  mov ebp, ${ARITH}
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
  fninit
  fldcw [ebx]
  fild word [edx]
  fild dword [edx+4]
  fild qword [edx+8]
  fld qword [esi]
  fucom st1
  fnstsw ax
  mov [edi+160], ax
  fcom st2
  fnstsw ax
  mov [edi+162], ax
  ftst
  fnstsw ax
  mov [edi+164], ax
  fchs
  fucomp st3
  fnstsw ax
  mov [edi+166], ax
  fabs
  fcomp st1
  fnstsw ax
  mov [edi+168], ax
  fld st0
  fucompp
  fnstsw ax
  mov [edi+170], ax
  fnstcw [edi+172]
  fnstenv [edi+176]
  fldcw [ebx]
  fldz
  fchs
  fldz
  fcompp
  fnstsw ax
  mov [edi+204], ax
  fldz
  fcomp st1
  fnstsw ax
  mov [edi+206], ax
  ; FIST and FISTP of integers, halves (ties) and fractions, to each size
  fninit
  fldcw [ebx]
  fild qword [edx+8]
  fistp qword [${FIST_OUT}]
  fild dword [edx+4]
  fadd qword [${SPECIAL}+88]
  fist dword [${FIST_OUT}+8]
  fist word [${FIST_OUT}+12]
  fistp qword [${FIST_OUT}+16]
  fld qword [ebp]
  fist dword [${FIST_OUT}+24]
  fistp qword [${FIST_OUT}+28]
  fld qword [ebp+24]
  fist word [${FIST_OUT}+36]
  fistp dword [${FIST_OUT}+38]
  fld qword [esi]
  fistp word [${FIST_OUT}+42]
  fnstsw ax
  mov [${FIST_OUT}+44], ax
  fld qword [${SPECIAL}+88]
  fchs
  fxam
  fistp dword [${FIST_OUT}+46]
  fnstsw ax
  mov [${FIST_OUT}+50], ax
  ; divisions, m64fp and register forms
  fninit
  fldcw [ebx]
  fld qword [ebp]
  fdiv qword [ebp+24]
  fnstsw ax
  mov [${FIST_OUT}+56], ax
  fld qword [ebp+8]
  fnclex
  fdivr qword [ebp+16]
  fnstsw ax
  mov [${FIST_OUT}+58], ax
  fld qword [ebp+16]
  fdiv st0, st1
  fdivr st2, st0
  fdiv st1, st0
  fnclex
  fdivp st2, st0
  fnstsw ax
  mov [${FIST_OUT}+60], ax
  fdivrp st1, st0
  fnstsw ax
  mov [${FIST_OUT}+62], ax
  fstp tword [${FIST_OUT}+64]
  ; compares into EFLAGS
  fninit
  fldcw [ebx]
  fild dword [edx+4]
  fld qword [esi]
  fucomi st0, st1
  pushfd
  pop eax
  mov [ecx*8+${FLAGS_OUT}], eax
  fcomip st0, st1
  setb al
  sete ah
  mov [ecx*8+${FLAGS_OUT}+4], ax
  fucomip st0, st0
  setnp al
  mov [ecx*8+${FLAGS_OUT}+6], al
  ; a condition read after an x87 instruction between it and the compare that set the flags
  cmp ecx, ${ENTRIES / 2}
  fld qword [esi]
  fabs
  setl al
  mov [edi+208], al
  fstp qword [edi+212]
  ; FLDCW unmasking an exception already pending
  mov word [edi+220], 0x37f
  fldcw [edi+220]
  fld qword [esi]
  fmul st0, st0
  fldcw [ebx]
  fnstcw [edi+222]
  ; arithmetic: the m64fp forms (each result kept whole), then the register forms on their results
  fninit
  fldcw [ebx]
  fld qword [ebp]
  fadd qword [ebp+8]
  fld qword [ebp+16]
  fadd qword [ebp]
  fld qword [ebp]
  fsub qword [ebp+16]
  fld qword [ebp+8]
  fsubr qword [ebp]
  fld qword [ebp+24]
  fmul qword [ebp+16]
  fnstenv [${ARITH_OUT}]
  fld st4
  fstp tword [edi+224]
  fld st3
  fstp tword [edi+234]
  fld st2
  fstp tword [edi+244]
  fld st1
  fstp tword [edi+254]
  fld st0
  fstp tword [edi+264]
  fadd st0, st1
  fsub st2, st0
  fmul st0, st3
  fsubr st1, st0
  fsubr st0, st2
  fld st3
  fnstenv [${ARITH_OUT}+28]
  faddp st4, st0
  fmulp st1, st0
  fsubp st2, st0
  fsubrp st1, st0
  fadd st0, st0
  fnstenv [${ARITH_OUT}+56]
  fst qword [${ARITH_OUT}+84]
  fmul qword [ebp+24]
  fsub qword [ebp]
  fstp qword [${ARITH_OUT}+92]
  fstp qword [${ARITH_OUT}+100]
  fninit
  fldcw [ebx]
  fild qword [${SPECIAL}]
  fild qword [${SPECIAL}+8]
  fmulp st1, st0
  fld st0
  fmul qword [${SPECIAL}+16]
  fnclex
  fadd st0, st1
  fnstsw ax
  mov [${ARITH_OUT}+152], ax
  fstp tword [${ARITH_OUT}+112]
  fld st0
  fmul qword [${SPECIAL}+24]
  fnclex
  fsubr st0, st1
  fnstsw ax
  mov [${ARITH_OUT}+154], ax
  fstp tword [${ARITH_OUT}+122]
  fild qword [${SPECIAL}+32]
  fild qword [${SPECIAL}+40]
  fmulp st1, st0
  fild qword [${SPECIAL}+48]
  fmul qword [${SPECIAL}+56]
  fnclex
  fsub st0, st1
  fnstsw ax
  mov [${ARITH_OUT}+156], ax
  fstp tword [${ARITH_OUT}+132]
  fild qword [${SPECIAL}+64]
  fild qword [${SPECIAL}+72]
  fmulp st1, st0
  fmul qword [${SPECIAL}+80]
  fld1
  fnclex
  fsub st0, st1
  fnstsw ax
  mov [${ARITH_OUT}+158], ax
  fstp tword [${ARITH_OUT}+142]
  fninit
  add ebp, 32
  add esi, 16
  add edx, 16
  add edi, ${STRIDE}
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

/**
 * Integers for FILD m16int, m32int and m64int: zeros, ones, the extremes
 * of each size, a negative 64-bit value whose low word is 0 (its negation
 * borrows nothing from the high word), and random values.
 */
function integers(rng: Rng): Uint8Array {
  const out = new Uint8Array(16 * ENTRIES), v = new DataView(out.buffer);
  const i16 = [0, 1, -1, 0x7fff, -0x8000, 0x100];
  const i32 = [0, 1, -1, 0x7fffffff, -0x80000000, 0x10000];
  const i64: [number, number][] = [
    [0, 0], [1, 0], [0xffffffff, 0xffffffff], [0, 0x80000000], [0xffffffff, 0x7fffffff], [0, 1], [0, 0xffffffff],
    [1, 0xffffffff], [0x80000000, 0],
  ];
  for (let k = 0; k < ENTRIES; k++) {
    v.setInt16(16 * k, rng.chance(0.5) ? rng.pick(i16) : rng.u32() << 16 >> 16, true);
    v.setInt32(16 * k + 4, rng.chance(0.5) ? rng.pick(i32) : rng.u32() >> rng.below(31), true);
    const [lo, hi] = rng.chance(0.5) ? rng.pick(i64) : [rng.u32() >>> 0, (rng.u32() >> rng.below(32)) >>> 0];
    v.setUint32(16 * k + 8, lo, true);
    v.setUint32(16 * k + 12, hi, true);
  }
  return out;
}

/** A normal double with exponent field `e`, of either sign, its fraction random or (a power of two) zero. */
function scaled(rng: Rng, e: number): [number, number] {
  const fraction = rng.chance(0.3) ? [0, 0] : [rng.u32() >>> 0, rng.u32() & 0xfffff];
  return [fraction[0], ((rng.chance(0.5) ? 0x80000000 : 0) | (e << 20) | fraction[1]) >>> 0];
}

/**
 * Per entry four doubles for the arithmetic (p + q, r + p, p - r, p - q,
 * s * r): p; q, p itself, its negation or p a few units in the last place
 * away (cancellation, exact zeros); r, p scaled down by 2^k for alignments
 * across the significand's 64 bits (powers of two among them: r + p ties
 * at k = 64); s, a multiplier. Sometimes any double.
 */
function arithmetic(rng: Rng): Uint8Array {
  const out = new Uint8Array(32 * ENTRIES), v = new DataView(out.buffer);
  for (let k = 0; k < ENTRIES; k++) {
    const e = 900 + rng.below(250);
    const p = rng.chance(0.1) ? double(rng) : scaled(rng, e);
    const q: [number, number] = rng.chance(0.5)
      ? [(p[0] + rng.pick([0, 0, 1, -1, 2, 0x800])) >>> 0, (p[1] ^ (rng.chance(0.5) ? 0x80000000 : 0)) >>> 0]
      : double(rng);
    const shift = rng.pick([0, 1, 2, 11, 12, 31, 32, 52, 53, 54, 63, 64, 65, 66, 67, 80, 200]);
    const r = scaled(rng, Math.max(1, ((p[1] >>> 20) & 0x7ff) - shift));
    const s = rng.chance(0.2) ? [0, rng.pick([0x3ff00000, 0x40000000, 0x3ff80000, 0xbff00000])] : scaled(rng, 1023 + rng.below(40) - 20);
    [p, q, r, s].forEach(([lo, hi], j) => {
      v.setUint32(32 * k + 8 * j, lo, true);
      v.setUint32(32 * k + 8 * j + 4, hi, true);
    });
  }
  return out;
}

function program(rng: Rng): { code: Uint8Array; data: Uint8Array; cws: Uint8Array; ints: Uint8Array; arith: Uint8Array } {
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
    // Some with the bits that read as 0 (7, 13..15) set: FLDCW drops them.
    const reserved = rng.chance(0.3) ? 0xe080 : 0;
    c.setUint16(2 * k, ((0x037f | (rng.pick([0, 1, 2, 3]) << 10)) & ~unmasked) | reserved, true);
  }
  return { code: assembleWorkload("x87-inline", SOURCE), data, cws, ints: integers(rng), arith: arithmetic(rng) };
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
  m.mem.poke(INTS, p.ints);
  m.mem.poke(ARITH, p.arith);
  const special = new DataView(new ArrayBuffer(8 * SPECIALS.length));
  SPECIALS.forEach((v, k) => typeof v === "bigint" ? special.setBigInt64(8 * k, v, true) : special.setFloat64(8 * k, v, true));
  m.mem.poke(SPECIAL, new Uint8Array(special.buffer));
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
