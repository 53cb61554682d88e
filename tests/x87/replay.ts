/**
 * Replays generated cases through the emulator exactly as the native
 * runner executes them: FRSTOR the starting image, set EAX/EFLAGS and the
 * memory operand, run the instruction at the runner's addresses, FNSAVE.
 *
 * @example
 * const outcomes = replay(cases, layout);
 */
import { Cpu } from "../../core/cpu/state.ts";
import { ARITH_FLAGS } from "../../core/cpu/state.ts";
import { eflags, setEflags } from "../../core/cpu/flags.ts";
import { Memory, PROT_READ, PROT_WRITE } from "../../core/memory/memory.ts";
import { GuestFault } from "../../core/fault.ts";
import { X87 } from "../../core/cpu/x87/x87.ts";
import type { Case, Layout, Outcome } from "./oracle.ts";

const SCRATCH = 0x50000000;

export function replay(cases: readonly Case[], layout: Layout): Outcome[] {
  const m = new Memory();
  m.map(layout.ea & ~0xfff, 0x2000, PROT_READ | PROT_WRITE);
  m.map(SCRATCH, 0x1000, PROT_READ | PROT_WRITE);
  const fpu = new X87();
  const c = new Cpu(fpu);
  const out: Outcome[] = [];
  for (const k of cases) {
    m.write(SCRATCH, k.state);
    fpu.exec(c, m, 0xdd, 0x25, SCRATCH, false, 0); // frstor
    m.write(layout.ea, k.mem);
    c.r[0] = k.eax;
    setEflags(c, k.eflags, ARITH_FLAGS);
    let trap = 0;
    try {
      fpu.exec(c, m, k.esc, k.modrm, layout.ea, k.o16, layout.eip);
    } catch (e) {
      if (!(e instanceof GuestFault)) throw e;
      if (e.kind === "x87") trap = 1;
      else if (e.kind === "undefined-opcode") trap = 2;
      else throw e;
    }
    if (trap) {
      fpu.reset();
      out.push({
        state: new Uint8Array(108),
        mem: k.mem.slice(),
        eflags: 0,
        eax: 0,
        trap,
      });
      continue;
    }
    fpu.exec(c, m, 0xdd, 0x35, SCRATCH + 0x100, false, 0); // fnsave
    out.push({
      state: m.read(SCRATCH + 0x100, 108),
      mem: m.read(layout.ea, k.mem.length),
      eflags: eflags(c),
      eax: c.r[0],
      trap: 0,
    });
  }
  return out;
}
