/**
 * The x87 floating-point unit: register stack, status/control/tag words,
 * last-instruction pointers, and the entry points the integer CPU calls.
 *
 * Instruction semantics live in the instr-*.ts files, dispatched through
 * the one opcode table in table.ts (which also drives the disassembler via
 * {@link describeX87}). See docs/x87.md for the numeric model.
 */
import type { Cpu } from "../state.ts";
import type { Memory } from "../../memory/memory.ts";
import { GuestFault } from "../../fault.ts";
import { INDEF_HI, INDEF_SE, type Reg80, tagOf } from "./float80.ts";
import { entryAt } from "./table.ts";
import { loadImage, saveImage } from "./instr-env.ts";
import {
  B,
  C1,
  CW_INIT,
  DE,
  ES,
  EXC_MASK,
  IE,
  SF,
  TOP_MASK,
  TOP_SHIFT,
  ZE,
} from "./words.ts";

export { describeX87 } from "./table.ts";

/** An instruction implementation; `i` is ModRM.rm (the ST(i) of register forms). */
export type Run = (
  f: X87,
  c: Cpu,
  m: Memory,
  ea: number,
  i: number,
  o16: boolean,
) => void;

/** Word indices of the scalar x87 state in its buffer (see {@link X87.relocate}). */
export const X87_WORD = { CW: 0, SW: 1, TOP: 2, EMPTY: 3, FIP: 4, FCS: 5, FOP: 6, FDP: 7, FDS: 8 } as const;
/** Byte offsets of the physical registers' sign/exponent (8 x u16) and significand limbs (8 x u32 each). */
export const X87_SE = 48, X87_HI = 64, X87_LO = 96;
/** Bytes of the x87 state. */
export const X87_STATE_BYTES = 128;

/** Linux i386 user code and data selectors, stored as FCS and FDS. */
export const USER_CS = 0x73, USER_DS = 0x7b;

/**
 * One x87 FPU. `exec` runs an instruction, `fwait` is FWAIT, `save` and
 * `restore` move the complete state through a 108-byte image, `reset` is
 * FNINIT. The public fields and helpers below `tagWord` are for the
 * instruction implementations (and tests). The fields are views of one
 * small buffer, which `relocate` can move into a guest's wasm memory:
 * regions then run the commonest x87 instructions on it themselves
 * (core/cpu/wasm/x87-inline.ts).
 *
 * @example
 * const fpu = new X87();
 * const c = new Cpu(fpu);
 * fpu.exec(c, mem, 0xd9, 0xe8, 0, false, eip); // fld1
 * fpu.exec(c, mem, 0xdd, 0x1d, addr, false, eip + 2); // fstp qword [addr]
 */
export class X87 {
  /** The scalar state, as X87_WORD lays it out. */
  private words!: Int32Array;
  /** Physical registers: sign/exponent and the two significand limbs. */
  se!: Uint16Array;
  hi!: Uint32Array;
  lo!: Uint32Array;
  /** The buffer the state lives in (see {@link relocate}). */
  private home!: ArrayBuffer;

  constructor() {
    this.view(new ArrayBuffer(X87_STATE_BYTES), 0);
    this.cw = CW_INIT;
    this.empty = 0xff;
  }

  /** Control word. */
  get cw(): number {
    return this.words[X87_WORD.CW];
  }
  set cw(v: number) {
    this.words[X87_WORD.CW] = v;
  }
  /** Status word without the TOP field (see {@link statusWord}). */
  get sw(): number {
    return this.words[X87_WORD.SW];
  }
  set sw(v: number) {
    this.words[X87_WORD.SW] = v;
  }
  get top(): number {
    return this.words[X87_WORD.TOP];
  }
  set top(v: number) {
    this.words[X87_WORD.TOP] = v;
  }
  /** Bit p set = physical register p is empty. */
  get empty(): number {
    return this.words[X87_WORD.EMPTY];
  }
  set empty(v: number) {
    this.words[X87_WORD.EMPTY] = v;
  }
  /** Last instruction pointer, selector and 11-bit opcode; last data pointer and selector. */
  get fip(): number {
    return this.words[X87_WORD.FIP];
  }
  set fip(v: number) {
    this.words[X87_WORD.FIP] = v;
  }
  get fcs(): number {
    return this.words[X87_WORD.FCS];
  }
  set fcs(v: number) {
    this.words[X87_WORD.FCS] = v;
  }
  get fop(): number {
    return this.words[X87_WORD.FOP];
  }
  set fop(v: number) {
    this.words[X87_WORD.FOP] = v;
  }
  get fdp(): number {
    return this.words[X87_WORD.FDP];
  }
  set fdp(v: number) {
    this.words[X87_WORD.FDP] = v;
  }
  get fds(): number {
    return this.words[X87_WORD.FDS];
  }
  set fds(v: number) {
    this.words[X87_WORD.FDS] = v;
  }

  /**
   * Moves the state into `buffer` at byte `offset` (X87_STATE_BYTES bytes,
   * laid out as X87_WORD, X87_SE, X87_HI and X87_LO say), copying it there:
   * where compiled code can reach it (core/cpu/wasm/x87.ts keeps the state
   * of the CPU whose engine runs regions in its memory's scratch frame).
   * `sameBytes` re-points the views after the buffer was replaced by one
   * holding the same bytes (a grown WebAssembly.Memory).
   *
   * @example
   * fpu.relocate(new ArrayBuffer(X87_STATE_BYTES), 0);
   */
  relocate(buffer: ArrayBuffer, offset: number, sameBytes = false): void {
    if (!sameBytes) new Uint8Array(buffer, offset, X87_STATE_BYTES).set(new Uint8Array(this.home, this.words.byteOffset, X87_STATE_BYTES));
    this.view(buffer, offset);
  }

  /** True if the state lives in `buffer` at `offset`. */
  livesAt(buffer: ArrayBuffer, offset: number): boolean {
    return this.home === buffer && this.words.byteOffset === offset;
  }

  private view(buffer: ArrayBuffer, offset: number): void {
    this.home = buffer;
    this.words = new Int32Array(buffer, offset, X87_STATE_BYTES / 4);
    this.se = new Uint16Array(buffer, offset + X87_SE, 8);
    this.hi = new Uint32Array(buffer, offset + X87_HI, 8);
    this.lo = new Uint32Array(buffer, offset + X87_LO, 8);
  }

  /**
   * Executes one x87 instruction (escape byte 0xd8..0xdf and its ModRM).
   * `ea` is the memory operand's linear address when ModRM.mod != 3, `o16`
   * whether an operand-size prefix selects the 16-bit environment formats,
   * and `eip` the instruction's address (recorded as FIP).
   * Throws GuestFault: "undefined-opcode" for encodings a P6 lacks, "x87"
   * when a waiting instruction finds an unmasked exception pending, and
   * memory faults from its operand.
   */
  exec(
    c: Cpu,
    m: Memory,
    esc: number,
    modrm: number,
    ea: number,
    o16: boolean,
    eip: number,
  ): void {
    const e = entryAt(esc, modrm);
    if (e === undefined) {
      throw new GuestFault(
        "undefined-opcode",
        0,
        `x87 opcode ${esc.toString(16)} ${modrm.toString(16)}`,
      );
    }
    if (e.waiting) this.fwait(c);
    if (!e.control) {
      this.fip = eip;
      this.fcs = USER_CS;
      this.fop = ((esc & 7) << 8) | modrm;
      if (modrm < 0xc0) {
        this.fdp = ea;
        this.fds = USER_DS;
      }
    }
    e.run(this, c, m, ea, modrm & 7, o16);
  }

  /**
   * FWAIT, and the check every waiting x87 instruction makes first: a
   * pending unmasked exception (ES set) raises the x87 fault (#MF).
   */
  fwait(_c?: Cpu): void {
    if (this.sw & ES) {
      throw new GuestFault(
        "x87",
        0,
        `unmasked x87 exception pending (status ${
          this.statusWord().toString(16)
        })`,
      );
    }
  }

  /** FNINIT. */
  reset(): void {
    this.cw = CW_INIT;
    this.sw = 0;
    this.top = 0;
    this.empty = 0xff;
    this.fip =
      this.fcs =
      this.fop =
      this.fdp =
      this.fds =
        0;
  }

  /**
   * The complete state as the 108-byte 32-bit FNSAVE image (layout in
   * docs/x87.md); {@link restore} reads it back.
   *
   * @example
   * const copy = new X87();
   * copy.restore(fpu.save());
   */
  save(): Uint8Array {
    const b = new Uint8Array(108);
    saveImage(this, b, 0, false);
    return b;
  }

  restore(bytes: Uint8Array): void {
    loadImage(this, bytes, 0, false);
  }

  /** The status word with TOP. */
  statusWord(): number {
    return (this.sw & ~TOP_MASK) | (this.top << TOP_SHIFT);
  }

  /** The full 2-bit-per-register tag word. */
  tagWord(): number {
    let tw = 0;
    for (let p = 0; p < 8; p++) {
      const t = (this.empty >>> p) & 1
        ? 3
        : tagOf(this.se[p], this.hi[p], this.lo[p]);
      tw |= t << (2 * p);
    }
    return tw;
  }

  // ---- helpers for the instruction implementations ----------------------

  /** Physical register of ST(i). */
  phys(i: number): number {
    return (this.top + i) & 7;
  }

  isEmpty(i: number): boolean {
    return ((this.empty >>> ((this.top + i) & 7)) & 1) === 1;
  }

  /** Writes ST(i) and tags it non-empty. */
  set(i: number, se: number, hi: number, lo: number): void {
    const p = (this.top + i) & 7;
    this.se[p] = se;
    this.hi[p] = hi;
    this.lo[p] = lo;
    this.empty &= ~(1 << p);
  }

  setIndefinite(i: number): void {
    this.set(i, INDEF_SE, INDEF_HI, 0);
  }

  /** Marks ST(0) empty and increments TOP. */
  pop(): void {
    this.empty |= 1 << this.top;
    this.top = (this.top + 1) & 7;
  }

  /** Decrements TOP (the caller then writes ST(0)). */
  push(): void {
    this.top = (this.top - 1) & 7;
  }

  /** Sets C1 to `v` (0/1) and clears nothing else. */
  setC1(v: number): void {
    this.sw = v ? this.sw | C1 : this.sw & ~C1;
  }

  /**
   * Records exception flags (IE..PE, SF) and updates ES/B: ES summarizes
   * the unmasked ones, and a later waiting instruction faults on it.
   */
  raise(flags: number): void {
    this.sw |= flags & (EXC_MASK | SF);
    if (this.sw & ~this.cw & EXC_MASK) this.sw |= ES | B;
  }

  /** True when every flag in `flags` is masked in the control word. */
  masked(flags: number): boolean {
    return (flags & ~this.cw & EXC_MASK) === 0;
  }

  /**
   * Completes an operation whose result `r` goes to ST(i). Unmasked
   * invalid, denormal or zero-divide exceptions suppress the result (they
   * are detected before the operation) and clear C1; anything else is
   * delivered, with C1 = "rounded up". Returns false when the result was
   * suppressed.
   */
  deliver(i: number, r: Reg80, flags: number): boolean {
    const pre = flags & (IE | DE | ZE);
    if (pre & ~this.cw) {
      this.setC1(0);
      this.raise(pre);
      return false;
    }
    this.set(i, r.se, r.hi, r.lo);
    this.setC1(flags & C1 ? 1 : 0);
    this.raise(flags);
    return true;
  }

  /**
   * Stack underflow (an empty register was read): IE+SF, C1 = 0. Returns
   * true when masked, i.e. the caller should deliver the indefinite.
   */
  underflow(): boolean {
    this.setC1(0);
    this.raise(IE | SF);
    return (this.cw & IE) !== 0;
  }

  /** Stack overflow (push onto a full stack): IE+SF, C1 = 1. */
  overflow(): boolean {
    this.setC1(1);
    this.raise(IE | SF);
    return (this.cw & IE) !== 0;
  }
}
