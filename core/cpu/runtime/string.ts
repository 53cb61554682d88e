/**
 * String instructions. Each REP iteration is one instruction for budgets:
 * with a REP prefix these run at most `left` iterations and leave EIP on
 * the instruction (with ECX/ESI/EDI advanced) when interrupted, exactly as
 * the processor does on an interrupt, so resuming continues the loop.
 * They return the number of instructions to charge (at least 1).
 */
import type { Memory } from "../../memory/memory.ts";
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

function run(
  step: Step,
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
  let n = 0;
  const fr = c.fr, fa = c.fa, fsz = c.fsz, fl = c.fl;
  try {
    while (n < left) {
      step(c, m, s, d);
      n++;
      advance(c, 1, s.am, -1);
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

export const movs = (c: Cpu, m: Memory, s: StringSite, left: number) =>
  run(movsStep, false, c, m, s, left);
export const stos = (c: Cpu, m: Memory, s: StringSite, left: number) =>
  run(stosStep, false, c, m, s, left);
export const lods = (c: Cpu, m: Memory, s: StringSite, left: number) =>
  run(lodsStep, false, c, m, s, left);
export const cmps = (c: Cpu, m: Memory, s: StringSite, left: number) =>
  run(cmpsStep, true, c, m, s, left);
export const scas = (c: Cpu, m: Memory, s: StringSite, left: number) =>
  run(scasStep, true, c, m, s, left);
