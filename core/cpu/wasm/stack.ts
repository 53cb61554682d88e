/**
 * Stack accesses that skip the page tables (docs/engine.md, "Stack
 * windows"). Within a block, ESP mostly changes by amounts known when the
 * block is compiled (PUSH, POP, ADD/SUB ESP, imm), so most stack accesses
 * are at offsets known from ESP at the block's start. The block checks
 * once, at its start, that the bytes between the lowest and the highest
 * such offset lie in one page the page tables allow; each access is then
 * a plain load or store at a fixed offset from Local.SB. When the check
 * fails (the window crosses a page boundary, or its page has no frame
 * yet) the block leaves before its first instruction and the host runs
 * it, as for any access the fast path does not cover.
 */
import type { Instr } from "../isa/instr.ts";
import { CS, FS, GS } from "../state.ts";

const ESP = 4;
/** Bytes a window may span: the wider, the more often ESP puts it across a page boundary. */
const MAX_SPAN = 1024;
/** Offsets beyond this from ESP are not in windows; SB stays non-negative (see StackWindow.lo). */
const MAX_OFFSET = 4096;

/**
 * What a block's stack window holds so far, while the block is compiled:
 * ESP's offset from its value at the block's start, and the offsets
 * (from there) of the accesses admitted.
 *
 * @example
 * const w = new StackWindow();
 * w.admit(-4, 4, true); // true: a push at the block's start
 * w.after(pushInstr);   // w.delta === -4
 */
export class StackWindow {
  /** ESP before the current instruction minus ESP at the block's start; undefined once unknown. */
  delta: number | undefined = 0;
  /** Lowest offset admitted. Local.SB is the pool address of ESP at the block's start, so offsets above MAX_OFFSET stay out: frame 0 belongs to no page, so SB - lo >= 0. */
  lo = 0;
  /** One past the highest byte admitted. */
  hi = 0;
  /** Whether an admitted access writes. */
  writes = false;
  /** Accesses admitted. */
  count = 0;

  /** The offset of `bytes` bytes at ESP + `disp` now, if the window can take them. */
  offsetOf(disp: number, bytes: number, write: boolean): number | undefined {
    if (this.delta === undefined) return undefined;
    const o = (this.delta + disp) | 0;
    return this.admit(o, bytes, write) ? o : undefined;
  }

  /** Adds an access at offset `o` if the window stays within bounds; returns whether it did. */
  admit(o: number, bytes: number, write: boolean): boolean {
    if (o < -MAX_OFFSET || o + bytes > MAX_OFFSET) return false;
    const lo = this.count === 0 ? o : Math.min(this.lo, o);
    const hi = this.count === 0 ? o + bytes : Math.max(this.hi, o + bytes);
    if (hi - lo > MAX_SPAN) return false;
    this.lo = lo, this.hi = hi, this.count++;
    this.writes ||= write;
    return true;
  }

  /** Follows ESP over an instruction the region compiled itself. */
  after(i: Instr): void {
    if (this.delta !== undefined) this.delta = espAfter(i, this.delta);
  }

  /** Forgets ESP: after an instruction the host ran, which may have moved it or changed the page's frame. */
  forget(): void {
    this.delta = undefined;
  }
}

/**
 * True if `i`'s ModRM memory operand is [ESP + disp] through a flat
 * segment with 32-bit addressing: an address a window can cover.
 */
export function stackOperand(i: Instr): boolean {
  return i.base === ESP && i.index < 0 && i.adsize === 32 && i.seg !== FS && i.seg !== GS && i.seg !== CS;
}

/** ESP after `i` minus ESP at the block's start, given it before; undefined when not known. */
function espAfter(i: Instr, d: number): number | undefined {
  const m = i.def.mnemonic;
  const name = typeof m === "string" ? m : m[1];
  const bytes = i.opsize / 8;
  if (name === "push") return d - bytes;
  if (name === "pop") return namesEsp(i) ? undefined : d + bytes;
  if (i.opsize === 32 && !i.twoByte && i.modrm >= 0 && i.mod === 3 && i.rm === ESP && i.opcode >= 0x81 && i.opcode <= 0x83) {
    if (i.reg === 0) return (d + i.imm) | 0; // add esp, imm
    if (i.reg === 5) return (d - i.imm) | 0; // sub esp, imm
  }
  if (name === "lea" && i.reg === ESP && stackOperand(i) && i.opsize === 32) return (d + i.disp) | 0;
  return namesEsp(i) ? undefined : d;
}

/**
 * True if `i` has register 4 among its register operands (ESP, SP, or AH:
 * only ESP matters, the rest is caution). The instructions regions compile
 * that move ESP otherwise (CALL, RET) end their blocks.
 */
function namesEsp(i: Instr): boolean {
  for (const spec of i.def.operands) {
    if ((spec === "Zb" || spec === "Zv") && (i.opcode & 7) === ESP) return true;
    if (spec[0] === "G" && i.reg === ESP) return true;
    if ((spec[0] === "E" || spec[0] === "R") && i.modrm >= 0 && i.mod === 3 && i.rm === ESP) return true;
  }
  return false;
}
