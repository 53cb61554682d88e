/** Instructions that reach outside plain computation: CPUID, segments, ENTER. */
import type { Memory } from "../../memory/memory.ts";
import { GuestFault } from "../../fault.ts";
import { cpuid } from "../cpuid.ts";
import { CS, type Cpu, FS, GS } from "../state.ts";

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

/** ENTER size, level (32- or 16-bit operand size). */
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
  const push = (v: number) => {
    const sp = (r[4] - n) | 0;
    if (n === 4) m.w32(sp, v);
    else m.w16(sp, v);
    r[4] = sp;
  };
  push(r[5]);
  const frame = r[4];
  let bp = r[5];
  for (let k = 1; k < level; k++) {
    bp = (bp - n) | 0;
    push(n === 4 ? m.r32(bp) : m.r16(bp));
  }
  if (level > 0) push(frame);
  if (n === 4) r[5] = frame;
  else r[5] = (r[5] & -65536) | (frame & 0xffff);
  r[4] = (r[4] - size) | 0;
}

/** BOUND: faults unless lower <= index <= upper (signed). */
export function bound(m: Memory, opsize: number, index: number, a: number): void {
  const lo = opsize === 32 ? m.r32(a) : (m.r16(a) << 16) >> 16;
  const hi = opsize === 32 ? m.r32((a + 4) | 0) : (m.r16((a + 2) | 0) << 16) >> 16;
  const v = opsize === 32 ? index | 0 : (index << 16) >> 16;
  if (v < lo || v > hi) throw new GuestFault("bound", 0, "BOUND range exceeded");
}
