/**
 * Runs an MMX/SSE case under fx86 the way the native runner runs it on
 * the CPU (tests/sse/oracle.ts): same addresses, registers, FXSAVE image
 * and data bytes, the instruction followed by `int 0x80` to stop.
 *
 * @example
 * const outcome = runFx86(cases[0], "single");
 */
import { type Backend, Engine } from "../../core/cpu/engine.ts";
import { eflags, setEflags } from "../../core/cpu/flags.ts";
import { fxrstor, fxsave } from "../../core/cpu/sse/control.ts";
import { Cpu } from "../../core/cpu/state.ts";
import { X87 } from "../../core/cpu/x87/x87.ts";
import type { FaultKind } from "../../core/fault.ts";
import { Memory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../core/memory/memory.ts";
import { type Case, CODE_ADDR, DATA_ADDR, MEM_ADDR, MEM_LEN, type Outcome, SIGFPE, SIGILL, SIGSEGV } from "./oracle.ts";

/** Where fx86 keeps the FXSAVE images it loads and stores (not visible to the case). */
const IMAGE_ADDR = 0x40000000;

/** The signal Linux delivers for each fault kind the cases can raise. */
const SIGNALS: Partial<Record<FaultKind, number>> = {
  "page": SIGSEGV,
  "general-protection": SIGSEGV,
  "undefined-opcode": SIGILL,
  "x87": SIGFPE,
  "simd": SIGFPE,
};

let shared: Memory | undefined;

/** What fx86 did with the case, and its state afterwards (also after a fault, to check nothing changed). */
export function runFx86(c: Case, backend: Backend): Outcome {
  // One memory for all cases (a Memory's page tables are large); each case rewrites what it uses.
  if (shared === undefined) {
    shared = new Memory();
    shared.map(CODE_ADDR, 4096, PROT_READ | PROT_EXEC);
    shared.map(DATA_ADDR, 4096, PROT_READ | PROT_WRITE);
    shared.map(IMAGE_ADDR, 4096, PROT_READ | PROT_WRITE);
  }
  const mem = shared;
  // Each case is a new CPU on the memory: its engine may make regions (Memory.regionsOwner).
  mem.regionsOwner = undefined;
  const code = new Uint8Array(18);
  code.set([...c.code, 0xcd, 0x80]);
  mem.poke(CODE_ADDR, code);
  mem.poke(MEM_ADDR, c.mem);
  mem.poke(IMAGE_ADDR, c.fx);
  const cpu = new Cpu(new X87());
  fxrstor(cpu, mem, IMAGE_ADDR);
  c.gpr.forEach((v, k) => cpu.r[k] = v);
  setEflags(cpu, c.eflags, 0xffffffff);
  cpu.eip = CODE_ADDR;
  const engine = new Engine(cpu, mem);
  engine.backend = backend;
  const stop = engine.run(10);
  let signal = 0;
  if (stop.fault) {
    signal = SIGNALS[stop.fault.kind] ?? -1;
  } else if (cpu.trap === 0 || (cpu.eip >>> 0) !== CODE_ADDR + c.code.length + 2) {
    throw new Error(`${c.name}: fx86 stopped at 0x${(cpu.eip >>> 0).toString(16)} without reaching int 0x80`);
  }
  fxsave(cpu, mem, IMAGE_ADDR + 1024);
  return {
    signal,
    fx: mem.read(IMAGE_ADDR + 1024, 512),
    gpr: Array.from(cpu.r, (v) => v >>> 0),
    eflags: eflags(cpu) >>> 0,
    mem: mem.read(MEM_ADDR, MEM_LEN),
  };
}
