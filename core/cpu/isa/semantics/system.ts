/** Emitters for flags, CPUID, RDTSC, ENTER/LEAVE, BOUND and the x87 escape. */
import { param } from "../../codegen/gen.ts";
import type { Emitter } from "../instr.ts";

export const clc: Emitter = () => `L.setCF(c, 0);`;
export const stc: Emitter = () => `L.setCF(c, 1);`;
export const cmc: Emitter = () => `L.setCF(c, L.cf(c) ^ 1);`;
export const cld: Emitter = () => `c.ef &= ~0x400;`;
export const std: Emitter = () => `c.ef |= 0x400;`;
export const nop: Emitter = () => ``;

export const cpuid: Emitter = () => `L.doCpuid(c);`;
export const rdtsc: Emitter = (g) => `L.rdtsc(c, ${param(g.index)});`;

export const enter: Emitter = (g) =>
  `L.enter(c, m, ${g.i.opsize}, ${g.get(0)}, ${g.get(1)});`;

export const leave: Emitter = (g) =>
  g.i.opsize === 32
    ? `{ const v = m.r32(r[5]); r[4] = (r[5] + 4) | 0; r[5] = v; }`
    : `{ const v = m.r16(r[5]); r[4] = (r[5] + 2) | 0; r[5] = (r[5] & -65536) | v; }`;

export const bound: Emitter = (g) => `L.bound(m, ${g.i.opsize}, ${g.get(0)}, ea);`;

/** D8..DF: the x87 unit decodes its own ModRM. */
export const x87: Emitter = (g) =>
  `c.fpu.exec(c, m, ${param(g.i.opcode)}, ${param(g.i.modrm)}, ${g.i.mod === 3 ? 0 : "ea"}, ${
    g.i.opsize === 16
  }, ${param(g.i.addr | 0)});`;

export const fwait: Emitter = () => `c.fpu.fwait(c);`;

/** FX86 fn: the host performs the operation (core/vm/fx86.ts). */
export const fx86: Emitter = (g) => `throw new L.Fx86Call(${param(g.i.imm)});`;
