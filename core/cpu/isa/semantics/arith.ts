/** Emitters for arithmetic, logic, shifts, multiply/divide, BCD and bit instructions. */
import type { Emitter } from "../instr.ts";
import { hasMemoryOperand } from "../instr.ts";

/**
 * ADD, SUB, AND, OR and XOR are the most frequent instructions: their
 * result and lazy flags are generated inline (into `v`), exactly as
 * core/cpu/runtime/alu.ts computes them, instead of a call.
 */
function inlineAlu(fn: string, size: number, a: string, b: string): string | undefined {
  const fit = (e: string) => size === 32 ? `(${e}) | 0` : `(${e}) & ${(1 << size) - 1}`;
  const flags = (carries: string) => `c.fr = v; c.fa = ${carries}; c.fsz = ${size};`;
  switch (fn) {
    case "add":
      return `const x = ${a}, y = ${b}, v = ${fit("x + y")}; ${flags("(x & y) | ((x | y) & ~v)")}`;
    case "sub":
      return `const x = ${a}, y = ${b}, v = ${fit("x - y")}; ${flags("(~x & y) | (~(x ^ y) & v)")}`;
    case "and":
      return `const v = ${a} & ${b}; ${flags("0")}`;
    case "or":
      return `const v = ${a} | ${b}; ${flags("0")}`;
    case "xor":
      return `const v = ${a} ^ ${b}; ${flags("0")}`;
  }
}

/** Two-operand ALU op that writes its result (ADD, OR, ADC, SBB, AND, SUB, XOR). */
export const alu = (fn: string): Emitter => (g) => {
  const inline = inlineAlu(fn, g.size, g.update(0), g.get(1));
  if (inline) return `{ ${inline} ${g.set(0, "v")} }`;
  return g.set(0, `L.${fn}(c, ${g.size}, ${g.update(0)}, ${g.get(1)})`);
};

/** Two-operand ALU op that only sets flags (CMP, TEST). */
export const aluFlags = (fn: string): Emitter => (g) =>
  `{ ${inlineAlu(fn, g.size, g.get(0), g.get(1)) ?? `L.${fn}(c, ${g.size}, ${g.get(0)}, ${g.get(1)});`} }`;

/** One-operand read-modify-write op (INC, DEC, NEG). */
export const unary = (fn: string): Emitter => (g) =>
  g.set(0, `L.${fn}(c, ${g.size}, ${g.update(0)})`);

export const not: Emitter = (g) => g.set(0, `~${g.update(0)}`);

/** Shift/rotate group: `fn` applied with the count operand (1, CL or Ib). */
export const shift = (fn: string): Emitter => (g) =>
  g.set(0, `L.${fn}(c, ${g.size}, ${g.update(0)}, ${g.get(1)})`);

/** SHLD/SHRD Ev, Gv, Ib|CL. */
export const doubleShift = (fn: string): Emitter => (g) =>
  g.set(0, `L.${fn}(c, ${g.size}, ${g.update(0)}, ${g.get(1)}, ${g.get(2)})`);

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
    return op === 0 ? `L.bitOp(c, 0, ${g.get(0)}, ${bit});` : g.set(0, `L.bitOp(c, ${op}, ${g.update(0)}, ${bit})`);
  }
  const shift = size === 32 ? 5 : 4;
  const off = size === 32 ? g.get(1) : `((${g.get(1)} << 16) >> 16)`;
  // The word offset joins the effective address, so it wraps at 64 KiB with a 16-bit address size.
  const sum = `${g.offset()} + ((o >> ${shift}) << ${size === 32 ? 2 : 1})`;
  const addr = `const o = ${off}; const a = ${g.withSegment(g.i.adsize === 16 ? `((${sum}) & 65535)` : `((${sum}) | 0)`)};`;
  if (op === 0) return `{ ${addr} L.bitOp(c, 0, ${g.load(size, "a")}, o & ${bits}); }`;
  const probe = g.readOnlySegment ? "L.codeSegmentWrite()" : `L.writable(m, a, ${size >> 3})`;
  return `{ ${addr} const v = L.bitOp(c, ${op}, ${g.load(size, probe)}, o & ${bits}); ${
    g.storeOperand(size, "a", "v")
  } }`;
};

/** BSF/BSR: the destination is left unchanged for a zero source. */
export const bitScan = (fn: string): Emitter => (g) =>
  `{ const v = L.${fn}(c, ${g.size}, ${g.get(1)}); if (v >= 0) { ${g.set(0, "v")} } }`;

/**
 * CMPXCHG: the destination is written first (with the source if it equals
 * the accumulator, else with its own value, as the processor does), then
 * the flags and, on a mismatch, the accumulator.
 */
export const cmpxchg: Emitter = (g) =>
  `{ const a = ${g.reg(0, g.size)}, d = ${g.update(0)}, s = ${g.get(1)}; ${
    g.set(0, "a === d ? s : d")
  } L.cmpxchg(c, ${g.size}, a, d); }`;

export const cmpxchg8b: Emitter = (g) =>
  g.readOnlySegment ? "L.codeSegmentWrite();" : `L.cmpxchg8b(c, m, ea);`;

/** XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP (so XADD r, r leaves the sum). */
export const xadd: Emitter = (g) =>
  `{ const d = ${g.update(0)}, s = ${g.get(1)}; const v = L.add(c, ${g.size}, d, s); ${
    g.set(1, "d")
  } ${g.set(0, "v")} }`;
