import { CS, FS, GS } from "../state.ts";
import type { Instr } from "../isa/instr.ts";
import { hasMemoryOperand } from "../isa/instr.ts";
import { immediateBytes, specSize } from "../isa/operands.ts";
import type { OperandSpec } from "../isa/operands.ts";
import { FRAME_BYTES } from "../../memory/memory.ts";

/**
 * The code-generation context of one instruction: what an emitter uses to
 * read and write operands without knowing how they are encoded.
 *
 * Generated code runs with these names in scope: `c` (the Cpu), `r`
 * (c.r), `m` (the Memory), `L` (the runtime helpers, core/cpu/runtime.ts),
 * and `ea` (the effective address of the memory operand, when there is
 * one). Values follow one convention: 32-bit values are int32, 8- and
 * 16-bit values are unsigned and masked.
 */
export class Gen {
  /** Size in bits of the first operand (the usual operation size). */
  readonly size: number;

  constructor(
    readonly i: Instr,
    /** Position of the instruction in its block (instructions retired before it in the block). */
    readonly index: number,
  ) {
    const first = i.def.operands[0];
    this.size = first ? specSize(first, i.opsize) : i.opsize;
  }

  /** Address of the following instruction. */
  get next(): number {
    return (this.i.addr + this.i.len) | 0;
  }

  /** Size in bits of operand `k`. */
  sizeOf(k: number): number {
    return specSize(this.i.def.operands[k], this.i.opsize);
  }

  /** Expression reading operand `k`. */
  get(k: number): string {
    const spec = this.i.def.operands[k];
    const i = this.i;
    const size = this.sizeOf(k);
    switch (spec) {
      case "Ib": case "Iw": case "Iz": case "Ibs": {
        const v = this.immediate(k);
        return param(size === 32 ? v | 0 : v & mask(size));
      }
      case "1":
        return "1";
      case "AL": case "eAX":
        return reg(0, size);
      case "CL":
        return reg(1, 8);
      case "DX":
        return reg(2, 16);
      case "Zb": case "Zv":
        return reg(i.opcode & 7, size, true);
      case "Gb": case "Gw": case "Gv":
        return reg(i.reg, size, true);
      case "Sw":
        return `c.sreg[${param(i.reg)}]`;
      case "ES": case "CS": case "SS": case "DS": case "FS": case "GS":
        return `c.sreg[${segNumber(spec)}]`;
      case "Ob": case "Ov":
        return load(size, this.moffs());
      default:
        // "Rv/Mw" has size 16: the low word of a register, or a word in memory.
        if (hasMemoryOperand(i)) return load(size, "ea");
        return reg(i.rm, size, true);
    }
  }

  /**
   * Expression reading operand `k` that the instruction also writes. A
   * memory operand must be writable before anything changes: the processor
   * faults on a read-only page before the flags or registers are updated.
   */
  update(k: number): string {
    const spec = this.i.def.operands[k];
    if (!hasMemoryOperand(this.i) || !isModrmOperand(spec)) return this.get(k);
    const size = this.sizeOf(k);
    if (this.readOnlySegment) return "L.codeSegmentWrite()";
    return load(size, "ea", "wi", `L.rmw${size}(m, ea)`);
  }

  /** The immediate of operand `k`: the decoder keeps the first in `imm`, a second (ENTER's level) in `imm2`. */
  private immediate(k: number): number {
    const ops = this.i.def.operands;
    for (let j = 0; j < k; j++) if (immediateBytes(ops[j], 32, 32) > 0) return this.i.imm2;
    return this.i.imm;
  }

  /** Statement writing `value` to operand `k` (the value is masked as needed). */
  set(k: number, value: string): string {
    const spec = this.i.def.operands[k];
    const i = this.i;
    const size = this.sizeOf(k);
    switch (spec) {
      case "AL": case "eAX":
        return setReg(0, size, value);
      case "Zb": case "Zv":
        return setReg(i.opcode & 7, size, value, true);
      case "Gb": case "Gw": case "Gv":
        return setReg(i.reg, size, value, true);
      case "Ob": case "Ov":
        return this.storeOperand(size, this.moffs(), value);
      default:
        if (hasMemoryOperand(i)) return this.storeOperand(size, "ea", value);
        return setReg(i.rm, size, value, true);
    }
  }

  /**
   * Statement storing through the instruction's memory operand. With a CS
   * override it raises #GP instead (a code segment is not writable), before
   * anything else happens, as segment checks precede the access.
   */
  storeOperand(size: number, addr: string, value: string): string {
    if (this.readOnlySegment) return "L.codeSegmentWrite();";
    return store(size, addr, value);
  }

  /** True when the memory operand is addressed through CS, which cannot be written. */
  get readOnlySegment(): boolean {
    return this.i.seg === CS;
  }

  /** Expression reading a general register at a given size. */
  reg(n: number, size: number): string {
    return reg(n, size);
  }

  /** Statement writing a general register at a given size. */
  setReg(n: number, size: number, value: string): string {
    return setReg(n, size, value);
  }

  /** Expression loading `size` bits from linear address `addr`. */
  load(size: number, addr: string): string {
    return load(size, addr);
  }

  /** Statement storing `size` bits to linear address `addr`. */
  store(size: number, addr: string, value: string): string {
    return store(size, addr, value);
  }

  /** The ModRM memory operand's offset (no segment base): what LEA computes. */
  offset(): string {
    const i = this.i;
    const terms: string[] = [];
    if (i.base >= 0) terms.push(`r[${param(i.base)}]`);
    if (i.index >= 0) {
      terms.push(i.scale ? `(r[${param(i.index)}] << ${param(i.scale)})` : `r[${param(i.index)}]`);
    }
    if (i.disp !== 0 || terms.length === 0) terms.push(param(i.disp));
    const sum = terms.join(" + ");
    return i.adsize === 16 ? `((${sum}) & 65535)` : `((${sum}) | 0)`;
  }

  /** Linear address of the memory operand, including an FS/GS base. */
  linear(): string {
    return this.withSegment(this.offset());
  }

  /** Adds the segment base of the override, when it is FS or GS. */
  withSegment(offset: string): string {
    const s = this.i.seg;
    return s === FS || s === GS ? `((${offset} + c.segBase[${s}]) | 0)` : offset;
  }

  private moffs(): string {
    return this.withSegment(param(this.i.imm | 0));
  }

  /** Statement that pushes a value of `size` bits. */
  push(size: number, value: string): string {
    const n = size / 8;
    return `{ const sp = (r[4] - ${n}) | 0; ${store(size, "sp", value)} r[4] = sp; }`;
  }

  /** Statements that pop `size` bits into a new local `name`. */
  pop(size: number, name: string): string {
    return `const ${name} = ${load(size, "r[4]")}; r[4] = (r[4] + ${size / 8}) | 0;`;
  }
}

function isModrmOperand(spec: OperandSpec): boolean {
  return spec[0] === "E" || spec[0] === "M" || spec === "Rv/Mw";
}

/** All-ones mask for a size in bits (-1 for 32). */
export function mask(size: number): number {
  return size === 32 ? -1 : (1 << size) - 1;
}

/**
 * A number taken from the instruction's encoding (a register field, an
 * immediate, a displacement, an address), marked in the generated source
 * so that the template tier (core/cpu/codegen/template.ts) makes it a
 * parameter: instructions that differ only in such numbers share one
 * template. Every other literal in the source is the same for every
 * instruction of the form, and stays a literal the JIT can fold.
 * `plainSource` removes the marks.
 *
 * @example
 * `r[${param(i.reg)}] = ${param(i.imm)};` // a template's "r[K[0]] = K[1];"
 */
export function param(n: number): string {
  return `${MARK}${n}${MARK}`;
}

/** Brackets a parameter in generated source; no generated code contains it otherwise. */
export const MARK = "\x01";

/**
 * The source with its parameters' marks removed: what the marked source
 * means as JavaScript.
 *
 * @example
 * plainSource(`r[${param(3)}] = 0;`); // "r[3] = 0;"
 */
export function plainSource(source: string): string {
  return source.replaceAll(MARK, "");
}

/** Register `n` (a parameter when the number comes from the encoding) read at `size` bits. */
function reg(n: number, size: number, encoded = false): string {
  const at = (k: number) => encoded ? param(k) : String(k);
  if (size === 32) return `r[${at(n)}]`;
  if (size === 16) return `(r[${at(n)}] & 65535)`;
  return n < 4 ? `(r[${at(n)}] & 255)` : `((r[${at(n - 4)}] >> 8) & 255)`;
}

function setReg(n: number, size: number, v: string, encoded = false): string {
  const at = (k: number) => encoded ? param(k) : String(k);
  if (size === 32) return `r[${at(n)}] = ${v};`;
  if (size === 16) return `r[${at(n)}] = (r[${at(n)}] & -65536) | ((${v}) & 65535);`;
  if (n < 4) return `r[${at(n)}] = (r[${at(n)}] & -256) | ((${v}) & 255);`;
  return `r[${at(n - 4)}] = (r[${at(n - 4)}] & -65281) | (((${v}) & 255) << 8);`;
}

/**
 * Loads and stores are inlined into generated code: the page-table lookup
 * and one typed-array access into the memory's frame pool (an aligned
 * 32-bit one through `h32`, else through the DataView), with the Memory
 * method as the slow path (no page, page-crossing, fault, first write).
 * The pool's views are read from `m` at each access: growing the pool
 * replaces them. The temporaries `$i` and `$o` are declared once per block
 * function. Addresses that are not simple names are not inlined (they
 * would be evaluated more than once).
 */
const SIMPLE = /^(\w+|r\[\x01?\d\x01?\])$/;

function load(size: number, addr: string, table = "ri", slow = `m.r${size}(${addr})`): string {
  if (!SIMPLE.test(addr)) return slow;
  const page = `($i = m.${table}[${addr} >>> 12]) !== 0`;
  if (size === 8) return `(${page} ? m.h8[($i & ${FRAME_BYTES}) | (${addr} & 4095)] : ${slow})`;
  if (size === 16) {
    return `(${page} && ($o = ${addr} & 4095) < 4095 ? m.dv.getUint16(($i & ${FRAME_BYTES}) | $o, true) : ${slow})`;
  }
  return `(${page} && (($o = ${addr} & 4095) & 3) === 0 ? m.h32[(($i & ${FRAME_BYTES}) | $o) >> 2] : ` +
    `$i !== 0 && $o < 4093 ? m.dv.getInt32(($i & ${FRAME_BYTES}) | $o, true) : ${slow})`;
}

function store(size: number, addr: string, v: string): string {
  if (!SIMPLE.test(addr)) return `m.w${size}(${addr}, ${v});`;
  const page = `($i = m.wi[${addr} >>> 12]) !== 0`;
  const slow = `m.w${size}(${addr}, $v);`;
  let access: string;
  if (size === 8) access = `if (${page}) m.h8[($i & ${FRAME_BYTES}) | (${addr} & 4095)] = $v; else ${slow}`;
  else if (size === 16) {
    access = `if (${page} && ($o = ${addr} & 4095) < 4095) m.dv.setInt16(($i & ${FRAME_BYTES}) | $o, $v, true); else ${slow}`;
  } else {
    access = `if (${page} && (($o = ${addr} & 4095) & 3) === 0) m.h32[(($i & ${FRAME_BYTES}) | $o) >> 2] = $v; ` +
      `else if ($i !== 0 && $o < 4093) m.dv.setInt32(($i & ${FRAME_BYTES}) | $o, $v, true); else ${slow}`;
  }
  return `{ const $v = ${v}; ${access} }`;
}

function segNumber(spec: OperandSpec): number {
  return ["ES", "CS", "SS", "DS", "FS", "GS"].indexOf(spec);
}
