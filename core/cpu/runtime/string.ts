/**
 * String instructions. Each REP iteration is one instruction for budgets:
 * with a REP prefix these run at most `left` iterations and leave EIP on
 * the instruction (with ECX/ESI/EDI advanced) when interrupted, exactly as
 * the processor does on an interrupt, so resuming continues the loop.
 * They return the number of instructions to charge (at least 1).
 *
 * A REP loop runs in bulk (copyWithin, fill, a compare loop over the frame
 * pool) as far as it can stay on fast pages within the budget, and one
 * element at a time where an element crosses a page or its page needs the
 * slow path; the result, the count and a fault's place are the same.
 */
import { FRAME_BYTES, type Memory, PAGE_MASK, PAGE_SHIFT, PAGE_SIZE } from "../../memory/memory.ts";
import { zf } from "../flags.ts";
import { sub } from "./alu.ts";
import { DF, type Cpu } from "../state.ts";

/** Describes one string instruction site (fixed at code-generation time). */
export interface StringSite {
  size: 8 | 16 | 32;
  /** 0 (none), 0xF3 (REP/REPE) or 0xF2 (REPNE). */
  rep: number;
  /** Address-size mask for ESI/EDI/ECX: -1 (32-bit) or 0xFFFF. */
  am: number;
  /** Segment number of the source (ES:EDI is always the destination). */
  seg: number;
  addr: number;
  next: number;
}

type Step = (c: Cpu, m: Memory, s: StringSite, d: number) => void;

function srcAddr(c: Cpu, s: StringSite): number {
  return ((c.r[6] & s.am) + c.segBase[s.seg]) | 0;
}

function dstAddr(c: Cpu, s: StringSite): number {
  return (c.r[7] & s.am) | 0;
}

function advance(c: Cpu, reg: number, am: number, d: number): void {
  c.r[reg] = (c.r[reg] & ~am) | ((c.r[reg] + d) & am);
}

function read(m: Memory, size: number, a: number): number {
  return size === 8 ? m.r8(a) : size === 16 ? m.r16(a) : m.r32(a);
}

function write(m: Memory, size: number, a: number, v: number): void {
  if (size === 8) m.w8(a, v);
  else if (size === 16) m.w16(a, v);
  else m.w32(a, v);
}

const movsStep: Step = (c, m, s, d) => {
  write(m, s.size, dstAddr(c, s), read(m, s.size, srcAddr(c, s)));
  advance(c, 6, s.am, d);
  advance(c, 7, s.am, d);
};

const stosStep: Step = (c, m, s, d) => {
  const v = s.size === 8 ? c.r[0] & 0xff : s.size === 16 ? c.r[0] & 0xffff : c.r[0];
  write(m, s.size, dstAddr(c, s), v);
  advance(c, 7, s.am, d);
};

const lodsStep: Step = (c, m, s, d) => {
  const v = read(m, s.size, srcAddr(c, s));
  const r = c.r;
  if (s.size === 8) r[0] = (r[0] & -256) | v;
  else if (s.size === 16) r[0] = (r[0] & -65536) | v;
  else r[0] = v;
  advance(c, 6, s.am, d);
};

const cmpsStep: Step = (c, m, s, d) => {
  const a = read(m, s.size, srcAddr(c, s));
  const b = read(m, s.size, dstAddr(c, s));
  sub(c, s.size, a, b);
  advance(c, 6, s.am, d);
  advance(c, 7, s.am, d);
};

const scasStep: Step = (c, m, s, d) => {
  const a = s.size === 8 ? c.r[0] & 0xff : s.size === 16 ? c.r[0] & 0xffff : c.r[0];
  sub(c, s.size, a, read(m, s.size, dstAddr(c, s)));
  advance(c, 7, s.am, d);
};

/**
 * Runs up to `k` iterations (k >= 1) of a REP string instruction at once,
 * for the common case: forward direction, 32-bit addressing, and every
 * element inside one page that is readable (source) or writable in place
 * (destination) through the fast page tables. Returns the iterations run;
 * a REPE/REPNE one stops at the element that ends it, with the flags of
 * that comparison. `src` and `dst` are offsets in the memory's frame pool
 * (-1 for an operand the instruction does not have). Registers other than
 * the accumulator are the caller's.
 */
type Bulk = (c: Cpu, m: Memory, s: StringSite, k: number, src: number, dst: number) => number;

function elementAt(m: Memory, size: number, off: number): number {
  return size === 8 ? m.h8[off] : size === 16 ? m.dv.getUint16(off, true) : m.dv.getInt32(off, true);
}

function setElementAt(m: Memory, size: number, off: number, v: number): void {
  if (size === 8) m.h8[off] = v;
  else if (size === 16) m.dv.setUint16(off, v, true);
  else m.dv.setInt32(off, v, true);
}

const movsBulk: Bulk = (_c, m, s, k, src, dst) => {
  const bytes = k * (s.size >> 3);
  if (src < dst && dst < src + bytes) {
    // Overlapping forward copy: each element reads what earlier ones wrote
    // (rep movsb with EDI = ESI + 1 replicates a byte), unlike copyWithin.
    const step = s.size >> 3;
    for (let j = 0; j < bytes; j += step) setElementAt(m, s.size, dst + j, elementAt(m, s.size, src + j));
  } else {
    m.h8.copyWithin(dst, src, src + bytes);
  }
  return k;
};

const stosBulk: Bulk = (c, m, s, k, _src, dst) => {
  const v = c.r[0];
  if (s.size === 8) m.h8.fill(v, dst, dst + k);
  else if (s.size === 32 && (dst & 3) === 0) m.h32.fill(v, dst >> 2, (dst >> 2) + k);
  else for (let j = 0; j < k; j++) setElementAt(m, s.size, dst + j * (s.size >> 3), v);
  return k;
};

const lodsBulk: Bulk = (c, m, s, k, src) => {
  const v = elementAt(m, s.size, src + (k - 1) * (s.size >> 3));
  const r = c.r;
  if (s.size === 8) r[0] = (r[0] & -256) | v;
  else if (s.size === 16) r[0] = (r[0] & -65536) | v;
  else r[0] = v;
  return k;
};

/**
 * CMPS and SCAS: compares until the REPE/REPNE condition ends the loop,
 * then sets the flags of the last comparison. SCAS compares the
 * accumulator (`src` < 0) with each destination element.
 */
const compareBulk: Bulk = (c, m, s, k, src, dst) => {
  const step = s.size >> 3, size = s.size;
  const untilEqual = s.rep === 0xf2;
  const acc = src < 0 ? (size === 8 ? c.r[0] & 0xff : size === 16 ? c.r[0] & 0xffff : c.r[0]) : 0;
  let j = 0, a = 0, b = 0;
  for (; j < k; j++) {
    a = src < 0 ? acc : elementAt(m, size, src + j * step);
    b = elementAt(m, size, dst + j * step);
    if ((a === b) === untilEqual) break;
  }
  sub(c, size, a, b);
  return j < k ? j + 1 : k;
};

/** Pool offset of a readable (`table` ri) or writable-in-place (wi) address, or -1. */
function fastOffset(table: Int32Array, a: number): number {
  const f = table[a >>> PAGE_SHIFT];
  return f !== 0 ? (f & FRAME_BYTES) | (a & PAGE_MASK) : -1;
}

/** Elements of `bytes` each that fit between `a` and the end of its page. */
function roomInPage(a: number, bytes: number): number {
  return Math.floor((PAGE_SIZE - (a & PAGE_MASK)) / bytes);
}

function run(
  step: Step,
  bulk: Bulk,
  uses: { src: boolean; dst: boolean },
  conditional: boolean,
  c: Cpu,
  m: Memory,
  s: StringSite,
  left: number,
): number {
  const d = (c.ef & DF ? -1 : 1) * (s.size >> 3);
  if (s.rep === 0) {
    step(c, m, s, d);
    c.eip = s.next;
    return 1;
  }
  if ((c.r[1] & s.am) === 0) {
    c.eip = s.next;
    return 1;
  }
  const fast = d > 0 && s.am === -1;
  let n = 0;
  const fr = c.fr, fa = c.fa, fsz = c.fsz, fl = c.fl;
  try {
    while (n < left) {
      let k = 0;
      if (fast) {
        const src = srcAddr(c, s), dst = dstAddr(c, s);
        k = Math.min(c.r[1] >>> 0, left - n);
        if (uses.src) k = Math.min(k, roomInPage(src, d));
        if (uses.dst) k = Math.min(k, roomInPage(dst, d));
        // SCAS has no source: -1 tells compareBulk to use the accumulator.
        const so = uses.src ? fastOffset(m.ri, src) : -1;
        const dOff = uses.dst ? fastOffset(conditional ? m.ri : m.wi, dst) : -1;
        if (k > 0 && (so >= 0 || !uses.src) && (dOff >= 0 || !uses.dst)) {
          k = bulk(c, m, s, k, so, dOff);
          c.r[6] = (c.r[6] + (uses.src ? k * d : 0)) | 0;
          c.r[7] = (c.r[7] + (uses.dst ? k * d : 0)) | 0;
          c.r[1] = (c.r[1] - k) | 0;
          n += k;
        } else k = 0;
      }
      if (k === 0) {
        // One element the slow way: it crosses a page, or its page needs
        // the slow path (a fault, copy-on-write, code in the page).
        step(c, m, s, d);
        n++;
        advance(c, 1, s.am, -1);
      }
      if ((c.r[1] & s.am) === 0 ||
        (conditional && zf(c) !== (s.rep === 0xf3 ? 1 : 0))) {
        c.eip = s.next;
        return n;
      }
    }
  } catch (e) {
    c.icount += n; // iterations before the faulting one retired
    if (conditional) {
      // The SDM (REP): a fault in REPE/REPNE CMPS or SCAS restores EFLAGS
      // to their value before the instruction (here: before this run of it,
      // which is where the processor would restart it after an interrupt).
      c.fr = fr, c.fa = fa, c.fsz = fsz, c.fl = fl;
    }
    throw e;
  }
  c.eip = s.addr;
  return n;
}

const BOTH = { src: true, dst: true }, DST = { src: false, dst: true }, SRC = { src: true, dst: false };

export const movs = (c: Cpu, m: Memory, s: StringSite, left: number) =>
  run(movsStep, movsBulk, BOTH, false, c, m, s, left);
export const stos = (c: Cpu, m: Memory, s: StringSite, left: number) =>
  run(stosStep, stosBulk, DST, false, c, m, s, left);
export const lods = (c: Cpu, m: Memory, s: StringSite, left: number) =>
  run(lodsStep, lodsBulk, SRC, false, c, m, s, left);
export const cmps = (c: Cpu, m: Memory, s: StringSite, left: number) =>
  run(cmpsStep, compareBulk, BOTH, true, c, m, s, left);
export const scas = (c: Cpu, m: Memory, s: StringSite, left: number) =>
  run(scasStep, compareBulk, DST, true, c, m, s, left);
