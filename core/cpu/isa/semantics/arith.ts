/** Emitters for arithmetic, logic, shifts, multiply/divide, BCD and bit instructions. */
import type { Emitter } from "../instr.ts";
import { hasMemoryOperand } from "../instr.ts";

/** Two-operand ALU op that writes its result (ADD, OR, ADC, SBB, AND, SUB, XOR). */
export const alu = (fn: string): Emitter => (g) =>
  g.set(0, `L.${fn}(c, ${g.size}, ${g.get(0)}, ${g.get(1)})`);

/** Two-operand ALU op that only sets flags (CMP, TEST). */
export const aluFlags = (fn: string): Emitter => (g) =>
  `L.${fn}(c, ${g.size}, ${g.get(0)}, ${g.get(1)});`;

/** One-operand read-modify-write op (INC, DEC, NEG). */
export const unary = (fn: string): Emitter => (g) =>
  g.set(0, `L.${fn}(c, ${g.size}, ${g.get(0)})`);

export const not: Emitter = (g) => g.set(0, `~${g.get(0)}`);

/** Shift/rotate group: `fn` applied with the count operand (1, CL or Ib). */
export const shift = (fn: string): Emitter => (g) =>
  g.set(0, `L.${fn}(c, ${g.size}, ${g.get(0)}, ${g.get(1)})`);

/** SHLD/SHRD Ev, Gv, Ib|CL. */
export const doubleShift = (fn: string): Emitter => (g) =>
  g.set(0, `L.${fn}(c, ${g.size}, ${g.get(0)}, ${g.get(1)}, ${g.get(2)})`);

/** MUL/IMUL/DIV/IDIV with an implicit accumulator. */
export const accumulatorOp = (fn: string): Emitter => (g) =>
  `L.${fn}(c, ${g.size}, ${g.get(0)});`;

/** IMUL Gv, Ev (two operands). */
export const imul2: Emitter = (g) =>
  g.set(0, `L.imul(c, ${g.size}, ${g.get(0)}, ${g.get(1)})`);

/** IMUL Gv, Ev, imm (three operands). */
export const imul3: Emitter = (g) =>
  g.set(0, `L.imul(c, ${g.size}, ${g.get(1)}, ${g.get(2)})`);

/** DAA, DAS, AAA, AAS (no operands) and AAM/AAD (immediate base). */
export const bcd = (fn: string): Emitter => (g) =>
  g.i.def.operands.length ? `L.${fn}(c, ${g.get(0)});` : `L.${fn}(c);`;

/**
 * BT/BTS/BTR/BTC. With a register bit offset and a memory operand the
 * offset is signed and selects a word relative to the operand's address.
 */
export const bitTest = (op: number): Emitter => (g) => {
  const size = g.size;
  const bits = size - 1;
  if (g.i.def.operands[1] === "Ib" || !hasMemoryOperand(g.i)) {
    const bit = `(${g.get(1)} & ${bits})`;
    const res = `L.bitOp(c, ${op}, ${g.get(0)}, ${bit})`;
    return op === 0 ? `${res};` : g.set(0, res);
  }
  const shift = size === 32 ? 5 : 4;
  const off = size === 32 ? g.get(1) : `((${g.get(1)} << 16) >> 16)`;
  const load = g.load(size, "a");
  const body = `const o = ${off}; const a = (ea + ((o >> ${shift}) << ${
    size === 32 ? 2 : 1
  })) | 0; const v = L.bitOp(c, ${op}, ${load}, o & ${bits});`;
  return op === 0 ? body : `${body} ${g.store(size, "a", "v")}`;
};

/** BSF/BSR: the destination is left unchanged for a zero source. */
export const bitScan = (fn: string): Emitter => (g) =>
  `{ const v = L.${fn}(c, ${g.size}, ${g.get(1)}); if (v >= 0) { ${g.set(0, "v")} } }`;

export const cmpxchg: Emitter = (g) =>
  g.set(0, `L.cmpxchg(c, ${g.size}, ${g.get(0)}, ${g.get(1)})`);

export const cmpxchg8b: Emitter = () => `L.cmpxchg8b(c, m, ea);`;

/** XADD: dst = dst + src, src = old dst. */
export const xadd: Emitter = (g) =>
  `{ const d = ${g.get(0)}, s = ${g.get(1)}; const v = L.add(c, ${g.size}, d, s); ${
    g.set(0, "v")
  } ${g.set(1, "d")} }`;
