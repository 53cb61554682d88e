/**
 * Bits of the x87 status and control words.
 *
 * @example
 * const rc = (cw & RC_MASK) >>> RC_SHIFT; // RC_NEAREST .. RC_ZERO
 */

// Status word: exception flags (also the control word's mask bits), then
// stack fault, error summary, condition codes, TOP and busy.
export const IE = 0x01, DE = 0x02, ZE = 0x04, OE = 0x08, UE = 0x10, PE = 0x20;
export const SF = 0x40,
  ES = 0x80,
  C0 = 0x100,
  C1 = 0x200,
  C2 = 0x400,
  C3 = 0x4000,
  B = 0x8000;
export const TOP_SHIFT = 11, TOP_MASK = 0x3800;
export const CC_MASK = C0 | C1 | C2 | C3;
/** The six exception flags / masks. */
export const EXC_MASK = 0x3f;

// Control word: precision control and rounding control.
export const PC_SHIFT = 8, PC_MASK = 0x300;
export const RC_SHIFT = 10, RC_MASK = 0xc00;
export const RC_NEAREST = 0, RC_DOWN = 1, RC_UP = 2, RC_ZERO = 3;

/**
 * The control word as stored: bit 6 always reads 1, bits 7 and 13..15
 * read 0 (bit 12, the 287's infinity control, is kept but has no effect).
 */
export function controlWord(v: number): number {
  return (v & 0x1f3f) | 0x40;
}

/** The control word after FNINIT (and what Linux starts programs with). */
export const CW_INIT = 0x037f;

/** Significand bits for a PC field value (1 is reserved; see docs/x87.md). */
export function precisionBits(cw: number): number {
  const pc = (cw & PC_MASK) >>> PC_SHIFT;
  return pc === 0 ? 24 : pc === 2 ? 53 : 64;
}

/** The rounding-control field (RC_NEAREST .. RC_ZERO). */
export function rcOf(cw: number): number {
  return (cw & RC_MASK) >>> RC_SHIFT;
}
