/**
 * Runs a batch under fx86's engine with the same binary, addresses and
 * initial state the native runner uses, and reads back the same record.
 */
import { GuestFault } from "../../core/fault.ts";
import { Memory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../core/memory/memory.ts";
import { type Backend, Engine } from "../../core/cpu/engine.ts";
import { eflags } from "../../core/cpu/flags.ts";
import { Cpu, CS, DS, ES, FS, GS, SS, TRAP_SYSCALL } from "../../core/cpu/state.ts";
import { X87 } from "../../core/cpu/x87/x87.ts";
import type { Host } from "./native.ts";
import type { Outcome } from "./outcome.ts";
import {
  type Case,
  CODE_BASE,
  CTRL_BASE,
  DATA_BASE,
  DATA_SIZE,
  DATA_WRITABLE,
  DUMP,
  DUMP_EFLAGS,
  DUMP_REGS,
  DUMP_SEGS,
  initialData,
  LDT_SELECTOR,
  type Placed,
  SEGMENT_REGISTERS,
  stateBlock,
} from "./program.ts";

/** Longest a case may run (REP instructions over both data pages, plus the harness). */
const BUDGET = 100_000;

/** A guest machine laid out like the native runner's process. */
export class Fx86Machine {
  readonly mem = new Memory();
  private engine: Engine;
  private readonly cpu: Cpu;

  constructor(binary: Uint8Array, readonly backend: Backend = "tiered") {
    this.mem.map(CODE_BASE, binary.length, PROT_READ | PROT_EXEC);
    this.mem.poke(CODE_BASE, binary);
    this.mem.map(DATA_BASE, DATA_WRITABLE, PROT_READ | PROT_WRITE);
    this.mem.map(DATA_BASE + DATA_WRITABLE, DATA_SIZE - DATA_WRITABLE, PROT_READ);
    this.mem.map(CTRL_BASE, 0x1000, PROT_READ | PROT_WRITE);
    this.cpu = new Cpu(new X87());
    this.engine = new Engine(this.cpu, this.mem);
    this.engine.backend = backend;
  }

  /** A fresh CPU with the host's segment selectors; the LDT selector maps to DATA_BASE. */
  private resetCpu(h: Host): Cpu {
    const c = new Cpu(new X87());
    c.sreg[ES] = h.es;
    c.sreg[CS] = h.cs;
    c.sreg[SS] = h.ss;
    c.sreg[DS] = h.ds;
    c.sreg[FS] = h.fs;
    c.sreg[GS] = h.gs;
    const flat = new Set([h.cs, h.ds, h.es, h.ss, h.gs, 0, 1, 2, 3].map((s) => s & 0xffff));
    c.resolveSegment = (sel) => {
      if (sel === LDT_SELECTOR) return DATA_BASE;
      if (flat.has(sel)) return 0;
      throw new Error(`no descriptor for selector ${sel}`);
    };
    return c;
  }

  /** Runs a case from the state the reference started it in, `host`'s selectors included. */
  run(c: Case, placed: Placed, host: Host): Outcome {
    const data = initialData(c);
    this.mem.poke(DATA_BASE, data);
    const ctrl = new Uint8Array(0x1000);
    ctrl.set(new Uint8Array(stateBlock(c).buffer));
    this.mem.poke(CTRL_BASE, ctrl);
    // The engine keeps its compiled blocks; the CPU state is fresh.
    Object.assign(this.cpu, this.resetCpu(host));
    const cp = this.cpu;
    cp.eip = (CODE_BASE + placed.entry) | 0;
    const stop = this.engine.run(BUDGET);
    const out: Outcome = {
      fault: "ok",
      addr: 0,
      eip: 0,
      path: 0,
      regs: [...cp.r],
      eflags: eflags(cp) >>> 0,
      sregs: [...cp.sreg],
      diff: new Map(),
    };
    if (stop.fault) {
      out.fault = stop.fault.kind;
      out.addr = stop.fault.address >>> 0;
      out.eip = cp.eip >>> 0;
    } else if (cp.trap === TRAP_SYSCALL) {
      const m = this.mem;
      out.path = m.r32(DUMP);
      out.regs = DUMP_REGS.map((k) => m.r32(DUMP + 4 * k));
      out.eflags = m.r32(DUMP + 4 * DUMP_EFLAGS) >>> 0;
      out.sregs = SEGMENT_REGISTERS.map((_, k) => m.r16(DUMP_SEGS + 2 * k));
    } else {
      throw new GuestFault("page", 0, `case did not finish within ${BUDGET} instructions`);
    }
    const now = this.mem.read(DATA_BASE, DATA_SIZE);
    for (let k = 0; k < DATA_SIZE; k++) if (now[k] !== data[k]) out.diff.set(k, now[k]);
    return out;
  }
}
