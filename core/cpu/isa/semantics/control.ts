/** Emitters for control transfer: jumps, calls, returns, loops, interrupts. */
import { type Gen, param } from "../../codegen/gen.ts";
import type { Emitter } from "../instr.ts";

/** Condition expressions by condition code (the low nibble of Jcc/SETcc/CMOVcc). */
export const CONDITIONS: readonly string[] = [
  "L.of(c)",
  "!L.of(c)",
  "L.cf(c)",
  "!L.cf(c)",
  "L.zf(c)",
  "!L.zf(c)",
  "(L.cf(c) | L.zf(c))",
  "!(L.cf(c) | L.zf(c))",
  "L.sf(c)",
  "!L.sf(c)",
  "L.pf(c)",
  "!L.pf(c)",
  "(L.sf(c) ^ L.of(c))",
  "!(L.sf(c) ^ L.of(c))",
  "((L.sf(c) ^ L.of(c)) | L.zf(c))",
  "!((L.sf(c) ^ L.of(c)) | L.zf(c))",
];

/** Branch target of a relative jump (16-bit operand size truncates EIP). */
export function target(g: Gen): number {
  const t = (g.next + g.i.imm) | 0;
  return g.i.opsize === 16 ? t & 0xffff : t;
}

/** An EIP value computed at run time, truncated for 16-bit operand size. */
function eipFrom(g: Gen, v: string): string {
  return g.i.opsize === 16 ? `(${v}) & 65535` : v;
}

export const jcc = (cond: string): Emitter => (g) =>
  `c.eip = ${cond} ? ${param(target(g))} : ${param(g.next)};`;

export const jmp: Emitter = (g) => `c.eip = ${param(target(g))};`;

export const jmpIndirect: Emitter = (g) => `c.eip = ${eipFrom(g, g.get(0))};`;

export const call: Emitter = (g) =>
  `${g.push(g.i.opsize, param(g.next))} c.eip = ${param(target(g))};`;

export const callIndirect: Emitter = (g) =>
  `{ const t = ${g.get(0)}; ${g.push(g.i.opsize, param(g.next))} c.eip = ${
    eipFrom(g, "t")
  }; }`;

export const ret: Emitter = (g) => {
  const release = g.i.def.operands.length ? `r[4] = (r[4] + ${g.get(0)}) | 0; ` : "";
  return `{ ${g.pop(g.i.opsize, "t")} ${release}c.eip = ${eipFrom(g, "t")}; }`;
};

/** LOOP/LOOPE/LOOPNE/JECXZ: the counter is CX or ECX by address size. */
export const loop = (cond: string | null): Emitter => (g) => {
  const dec = g.i.adsize === 16
    ? `r[1] = (r[1] & -65536) | ((r[1] - 1) & 65535); const n = r[1] & 65535;`
    : `r[1] = (r[1] - 1) | 0; const n = r[1];`;
  const test = cond ? `n !== 0 && ${cond}` : "n !== 0";
  return `{ ${dec} c.eip = ${test} ? ${param(target(g))} : ${param(g.next)}; }`;
};

export const jecxz: Emitter = (g) => {
  const count = g.i.adsize === 16 ? "(r[1] & 65535)" : "r[1]";
  return `c.eip = ${count} === 0 ? ${param(target(g))} : ${param(g.next)};`;
};

/** INT n: vector 0x80 is the Linux system-call gate; others fault. */
export const int: Emitter = (g) =>
  g.i.imm === 0x80
    ? `c.eip = ${param(g.next)}; c.trap = 1;`
    : fault("interrupt", `INT 0x${g.i.imm.toString(16)}`)(g);

export const into: Emitter = (g) =>
  `if (L.of(c)) { ${fault("bound", "INTO with OF set")(g)} }`;

/** An instruction that always faults with the given kind. */
export const fault = (kind: string, what: string): Emitter => () =>
  `throw L.fault(${JSON.stringify(kind)}, ${JSON.stringify(what)});`;
