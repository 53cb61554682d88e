/**
 * A bare fx86 machine for tests that need no native counterpart: code at
 * CODE_BASE, the same data pages as the differential test (two writable,
 * one read-only) and a 64 KiB work area, a fresh CPU with flat segments.
 */
import { Memory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../core/memory/memory.ts";
import { type Backend, Engine } from "../../core/cpu/engine.ts";
import { eflags, setEflags } from "../../core/cpu/flags.ts";
import { Cpu } from "../../core/cpu/state.ts";
import { X87 } from "../../core/cpu/x87/x87.ts";
import { CODE_BASE, DATA_BASE, DATA_SIZE, DATA_WRITABLE } from "./program.ts";

export const WORK_BASE = 0x40000000;
export const WORK_SIZE = 0x10000;

export interface Machine {
  cpu: Cpu;
  mem: Memory;
  engine: Engine;
}

/** Largest program a machine holds. */
export const CODE_SIZE = 0x10000;

/**
 * Address spaces by slot, reused: building a Memory costs far more than a
 * test case. Machines that run at the same time need different slots.
 */
const spaces: Memory[] = [];

/**
 * Loads `code` at CODE_BASE (the rest of the code area, the data pages and
 * the work area are zeroed) and points EIP at it, with a fresh CPU and
 * engine running `backend`, in the address space of `slot`.
 */
export function machine(code: Uint8Array, backend: Backend = "tiered", slot = 0): Machine {
  if (code.length > CODE_SIZE) throw new Error("program too large");
  if (!spaces[slot]) {
    const m = new Memory();
    m.map(CODE_BASE, CODE_SIZE, PROT_READ | PROT_EXEC);
    m.map(DATA_BASE, DATA_WRITABLE, PROT_READ | PROT_WRITE);
    m.map(DATA_BASE + DATA_WRITABLE, DATA_SIZE - DATA_WRITABLE, PROT_READ);
    m.map(WORK_BASE, WORK_SIZE, PROT_READ | PROT_WRITE);
    spaces[slot] = m;
  }
  const mem = spaces[slot];
  // The memory is reused, its last machine discarded: the new CPU's engine may make regions (Memory.regionsOwner).
  mem.regionsOwner = undefined;
  const cpu = new Cpu(new X87());
  const engine = new Engine(cpu, mem);
  const image = new Uint8Array(CODE_SIZE);
  image.set(code);
  mem.poke(CODE_BASE, image);
  mem.poke(DATA_BASE, new Uint8Array(DATA_SIZE));
  mem.poke(WORK_BASE, new Uint8Array(WORK_SIZE));
  cpu.eip = CODE_BASE;
  cpu.r[4] = WORK_BASE + WORK_SIZE - 0x100;
  engine.backend = backend;
  return { cpu, mem, engine };
}

/** Sets the arithmetic flags and DF from an EFLAGS image. */
export function loadFlags(cpu: Cpu, value: number): void {
  setEflags(cpu, value, 0x8d5 | 0x400);
}

/** Everything a guest can observe, for comparing two runs. */
export interface Snapshot {
  regs: number[];
  eip: number;
  eflags: number;
  icount: number;
  trap: number;
  /** The x87 unit's complete state (its 108-byte FSAVE image). */
  x87: number[];
  /** The work area and the data pages. */
  memory: Uint8Array;
}

export function snapshot(m: Machine): Snapshot {
  const c = m.cpu;
  const memory = new Uint8Array(WORK_SIZE + DATA_SIZE);
  memory.set(m.mem.read(WORK_BASE, WORK_SIZE));
  memory.set(m.mem.read(DATA_BASE, DATA_SIZE), WORK_SIZE);
  return {
    regs: [...c.r], eip: c.eip >>> 0, eflags: eflags(c) >>> 0, icount: c.icount, trap: c.trap,
    x87: [...c.fpu.save()], memory,
  };
}
