import type { X87 } from "./x87/x87.ts";

/** General-register numbers, in x86 encoding order. */
export const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6,
  EDI = 7;
/** Segment-register numbers, in x86 encoding order. */
export const ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;

/** EFLAGS bits. */
export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, TF = 0x100,
  IF = 0x200, DF = 0x400, OF = 0x800, NT = 0x4000, RF = 0x10000, AC = 0x40000, ID = 0x200000;
/** The six arithmetic flags, which are kept lazily. */
export const ARITH_FLAGS = CF | PF | AF | ZF | SF | OF;
/**
 * The non-arithmetic EFLAGS bits user code may change (POPF changes all but
 * TF; NT has no effect without task switches but reads back as written).
 */
export const USER_FLAGS = DF | NT | AC | ID | TF;

/** MXCSR at reset: all exceptions masked, round to nearest, flags clear. */
export const MXCSR_INIT = 0x1f80;
/**
 * The MXCSR bits that exist (FZ, RC, masks, DAZ, flags). Writing any other
 * bit with LDMXCSR or FXRSTOR raises #GP, as on processors whose
 * FXSAVE reports this MXCSR_MASK.
 */
export const MXCSR_MASK = 0xffff;

/** `Cpu.trap` for `int 0x80` (0 means no trap; Fx86 traps are in core/cpu/trap.ts). */
export const TRAP_SYSCALL = 1;

/** Resolves a segment selector to its base address; throws a GuestFault if invalid. */
export type SegmentResolver = (selector: number) => number;

/**
 * The architectural state of one guest CPU.
 *
 * Arithmetic flags are *lazy*: instead of six bits the CPU keeps the result
 * of the last flag-setting operation (`fr`, masked to its size), a carry
 * vector (`fa`: bit i = carry/borrow out of bit i) and the operand size in
 * bits (`fsz`). CF, OF and AF come from the carry vector, ZF, SF and PF from
 * the result. When `fsz` is 0 the flags are materialised as EFLAGS bits in
 * `fl` instead (after POPF, SAHF and friends). See core/cpu/flags.ts.
 *
 * @example
 * const c = new Cpu(new X87());
 * c.r[EAX] = 42;
 */
export class Cpu {
  /** EAX..EDI as int32. */
  readonly r = new Int32Array(8);
  /** Signed like the registers: code at 0x80000000 and above has a negative EIP. */
  eip = 0;
  fr = 0;
  fa = 0;
  fsz = 0;
  fl = 0;
  /** Non-arithmetic EFLAGS bits (IF is always set, bit 1 reads as 1). */
  ef = IF | 2;
  /** Selectors, by segment number. */
  readonly sreg = new Uint16Array(6);
  /** Bases, by segment number; flat segments have base 0. */
  readonly segBase = new Int32Array(6);
  /**
   * XMM0..XMM7, 16 bytes each, little-endian (XMMn is bytes 16n..16n+15);
   * `xmm32` views the same bytes as dwords (core/cpu/sse).
   */
  readonly xmm = new Uint8Array(128);
  readonly xmm32 = new Int32Array(this.xmm.buffer);
  /** MXCSR: SSE rounding control, FTZ/DAZ, exception masks and flags (reset 0x1f80). */
  mxcsr = MXCSR_INIT;
  /** Instructions retired so far (the guest's clock). */
  icount = 0;
  /** Set by system calls that end the guest (exit) or other stops. */
  halted = false;
  /**
   * A request to the host, raised by the last instruction of a block and
   * served by the run loop once the block's instructions are counted
   * (TRAP_SYSCALL for `int 0x80`). 0 = none.
   */
  trap = 0;
  /** Resolves selectors loaded into segment registers (the OS layer sets it). */
  resolveSegment: SegmentResolver = (sel) => {
    if ((sel & ~3) === 0) return 0;
    throw new Error(`no descriptor for selector ${sel}`);
  };

  constructor(readonly fpu: X87) {}
}
