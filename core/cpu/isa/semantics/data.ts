/** Emitters for data movement: MOV and friends, stack, exchange, conversions. */
import { param } from "../../codegen/gen.ts";
import type { Emitter } from "../instr.ts";
import { hasMemoryOperand } from "../instr.ts";

export const mov: Emitter = (g) => g.set(0, g.get(1));

/** MOVZX / MOVSX Gv, Eb|Ew. */
export const movzx: Emitter = (g) => g.set(0, g.get(1));
export const movsx: Emitter = (g) => {
  const from = g.sizeOf(1);
  return g.set(0, `((${g.get(1)} << ${32 - from}) >> ${32 - from})`);
};

export const lea: Emitter = (g) => g.set(0, g.offset());

/** XCHG: with memory a locked read-modify-write, so a read-only operand faults as a write. */
export const xchg: Emitter = (g) =>
  `{ const a = ${g.update(0)}, b = ${g.get(1)}; ${g.set(0, "b")} ${g.set(1, "a")} }`;

export const push: Emitter = (g) => g.push(g.i.opsize, g.get(0));

/**
 * POP r/m. A memory destination's address is computed with ESP already
 * incremented (as x86 does), but ESP only changes once the store succeeded.
 */
export const pop: Emitter = (g) => {
  const size = g.i.opsize;
  if (hasMemoryOperand(g.i)) {
    const n = size >> 3;
    return `{ const v = ${g.load(size, "r[4]")}; const sp = r[4]; r[4] = (sp + ${n}) | 0; const a = ${g.linear()}; ` +
      `r[4] = sp; ${g.storeOperand(size, "a", "v")} r[4] = (sp + ${n}) | 0; }`;
  }
  return `{ ${g.pop(size, "v")} ${g.set(0, "v")} }`;
};

/** PUSH segment register: a 32-bit push writes only the low word (as P6 does). */
export const pushSeg: Emitter = (g) => {
  const n = g.i.opsize >> 3;
  return `{ const sp = (r[4] - ${n}) | 0; m.w16(sp, ${g.get(0)}); r[4] = sp; }`;
};

export const popSeg: Emitter = (g) =>
  `{ const v = ${g.load(16, "r[4]")}; L.loadSegment(c, ${segOf(g.i.def.operands[0])}, v); r[4] = (r[4] + ${
    g.i.opsize >> 3
  }) | 0; }`;

function segOf(spec: string): number {
  return ["ES", "CS", "SS", "DS", "FS", "GS"].indexOf(spec);
}

export const pusha: Emitter = (g) => {
  const size = g.i.opsize, n = size >> 3;
  const stores = [0, 1, 2, 3, 4, 5, 6, 7].map((reg, k) =>
    g.store(size, `(sp0 - ${(k + 1) * n}) | 0`, g.reg(reg, size).replace("r[4]", "sp0"))
  );
  return `{ const sp0 = r[4]; ${stores.join(" ")} r[4] = (sp0 - ${8 * n}) | 0; }`;
};

export const popa: Emitter = (g) => {
  const size = g.i.opsize, n = size >> 3;
  const loads = [7, 6, 5, 4, 3, 2, 1, 0].map((reg, k) =>
    reg === 4 ? "" : g.setReg(reg, size, g.load(size, `(sp0 + ${k * n}) | 0`))
  );
  return `{ const sp0 = r[4]; ${loads.join(" ")} r[4] = (sp0 + ${8 * n}) | 0; }`;
};

/** CBW/CWDE. */
export const extendAccumulator: Emitter = (g) =>
  g.i.opsize === 16
    ? g.setReg(0, 16, "((r[0] << 24) >> 24)")
    : `r[0] = (r[0] << 16) >> 16;`;

/** CWD/CDQ. */
export const extendIntoDx: Emitter = (g) =>
  g.i.opsize === 16
    ? g.setReg(2, 16, "((r[0] << 16) >> 31)")
    : `r[2] = r[0] >> 31;`;

/** MOV r/m, Sreg: a 32-bit register destination receives the zero-extended selector. */
export const movFromSeg: Emitter = (g) =>
  hasMemoryOperand(g.i)
    ? g.storeOperand(16, "ea", g.get(1))
    : g.setReg(g.i.rm, g.i.opsize, g.get(1));

export const movToSeg: Emitter = (g) =>
  `L.loadSegment(c, ${param(g.i.reg)}, ${g.get(1)});`;

/** LDS/LES/LSS/LFS/LGS Gv, Mp. */
export const loadFarPointer = (seg: number): Emitter => (g) => {
  const size = g.i.opsize;
  return `{ const o = ${g.load(size, "ea")}; L.loadSegment(c, ${seg}, ${
    g.load(16, `(ea + ${size >> 3}) | 0`)
  }); ${g.set(0, "o")} }`;
};

/** XLAT: AL = [seg:EBX + AL] (BX + AL, wrapped to 16 bits, with a 16-bit address size). */
export const xlat: Emitter = (g) => {
  const offset = g.i.adsize === 16 ? "((r[3] + (r[0] & 255)) & 65535)" : "((r[3] + (r[0] & 255)) | 0)";
  return g.setReg(0, 8, g.load(8, g.withSegment(offset)));
};

export const bswap: Emitter = (g) =>
  g.i.opsize === 16
    ? g.set(0, "0")
    : `{ const v = ${g.get(0)}; ${
      g.set(0, "(v << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)")
    } }`;

/** SETcc Eb. */
export const setcc = (cond: string): Emitter => (g) => g.set(0, `(${cond} ? 1 : 0)`);

/** CMOVcc Gv, Ev: the source is always read (and may fault). */
export const cmov = (cond: string): Emitter => (g) =>
  `{ const v = ${g.get(1)}; if (${cond}) { ${g.set(0, "v")} } }`;

/** LAHF / SAHF. */
export const lahf: Emitter = (g) => g.setReg(4, 8, "L.eflags(c)");
export const sahf: Emitter = () => `L.setEflags(c, (r[0] >> 8) & 255, 0xd5);`;

export const pushf: Emitter = (g) =>
  g.push(g.i.opsize, g.i.opsize === 16 ? "(L.eflags(c) & 65535)" : "L.eflags(c)");

/** POPF: user code may change the arithmetic flags, DF, NT, AC and ID (TF is ignored). */
export const popf: Emitter = (g) =>
  `{ ${g.pop(g.i.opsize, "v")} L.setEflags(c, v, ${g.i.opsize === 16 ? "0x4cd5" : "0x244cd5"}); }`;

export const salc: Emitter = () => `r[0] = (r[0] & -256) | (L.cf(c) ? 255 : 0);`;

/** ARPL Ew, Gw: raise the destination's RPL to the source's. */
export const arpl: Emitter = (g) =>
  `{ const d = ${g.get(0)}, s = ${g.get(1)}; if ((d & 3) < (s & 3)) { ${
    g.set(0, "(d & ~3) | (s & 3)")
  } L.setEflags(c, 0x40, 0x40); } else L.setEflags(c, 0, 0x40); }`;
