/** Instructions that reach outside plain computation: CPUID, segments, ENTER. */
import type { Memory } from "../../memory/memory.ts";
import { GuestFault } from "../../fault.ts";
import { writable } from "./access.ts";
import { cpuid } from "../cpuid.ts";
import { CS, type Cpu, FS, GS, SS } from "../state.ts";

export function doCpuid(c: Cpu): void {
  const [a, b, cx, d] = cpuid(c.r[0]);
  c.r[0] = a;
  c.r[3] = b;
  c.r[1] = cx;
  c.r[2] = d;
}

/** RDTSC: EDX:EAX = instructions retired before this one. */
export function rdtsc(c: Cpu, retiredInBlock: number): void {
  const t = c.icount + retiredInBlock;
  c.r[0] = t % 0x100000000 | 0;
  c.r[2] = Math.floor(t / 0x100000000) | 0;
}

/**
 * Loads a segment register. FS and GS may hold any selector the OS layer
 * knows (TLS); the others only flat selectors (base 0), since fx86 guests
 * live in a flat address space.
 */
export function loadSegment(c: Cpu, seg: number, selector: number): void {
  selector &= 0xffff;
  if (seg === CS) {
    throw new GuestFault("undefined-opcode", 0, "cannot load CS with MOV/POP");
  }
  let base: number;
  try {
    base = c.resolveSegment(selector);
  } catch {
    throw new GuestFault(
      "general-protection",
      0,
      `invalid segment selector 0x${selector.toString(16)}`,
    );
  }
  if (seg === SS && (selector & ~3) === 0) {
    throw new GuestFault("general-protection", 0, "SS cannot hold a null selector");
  }
  if (seg !== FS && seg !== GS && base !== 0) {
    throw new GuestFault(
      "general-protection",
      0,
      `selector 0x${selector.toString(16)} is not flat; only FS and GS may have a base`,
    );
  }
  c.sreg[seg] = selector;
  c.segBase[seg] = base;
}

/**
 * ENTER size, level (32- or 16-bit operand size). With a nesting level the
 * processor also checks that the final stack top is writable ("#PF if a
 * write using the final value of the stack pointer would cause a page
 * fault"): after the pushes (they stay in memory, as on the real CPU) but
 * before ESP and EBP change.
 */
export function enter(
  c: Cpu,
  m: Memory,
  opsize: number,
  size: number,
  level: number,
): void {
  level &= 31;
  const r = c.r;
  const n = opsize >> 3;
  let sp = r[4];
  const push = (v: number) => {
    sp = (sp - n) | 0;
    if (n === 4) m.w32(sp, v);
    else m.w16(sp, v);
  };
  push(r[5]);
  const frame = sp;
  let bp = r[5];
  for (let k = 1; k < level; k++) {
    bp = (bp - n) | 0;
    push(n === 4 ? m.r32(bp) : m.r16(bp));
  }
  if (level > 0) push(frame);
  const top = (sp - size) | 0;
  if (level > 0) writable(m, top, n);
  if (n === 4) r[5] = frame;
  else r[5] = (r[5] & -65536) | (frame & 0xffff);
  r[4] = top;
}

/** BOUND: faults unless lower <= index <= upper (signed). */
export function bound(m: Memory, opsize: number, index: number, a: number): void {
  const lo = opsize === 32 ? m.r32(a) : (m.r16(a) << 16) >> 16;
  const hi = opsize === 32 ? m.r32((a + 4) | 0) : (m.r16((a + 2) | 0) << 16) >> 16;
  const v = opsize === 32 ? index | 0 : (index << 16) >> 16;
  if (v < lo || v > hi) throw new GuestFault("bound", 0, "BOUND range exceeded");
}
