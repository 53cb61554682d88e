/**
 * The SSE state as the session shows it: MXCSR and XMM0..XMM7 (MMX
 * registers live in the x87 registers, shown with them).
 *
 * @example
 * vectorLines(guest.cpu);
 * // ["mxcsr 0x00001f80", "  xmm0 0x000…0  xmm1 0x000…0", …]
 */
import type { Cpu } from "../cpu/state.ts";

/** An XMM register as one 128-bit hex number (most significant byte first). */
export function xmmHex(c: Cpu, n: number): string {
  const bytes = c.xmm.subarray(16 * n, 16 * n + 16);
  return "0x" + Array.from(bytes).reverse().map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The lines `regs` adds: MXCSR, then the XMM registers two to a line. */
export function vectorLines(c: Cpu): string[] {
  const lines = [` mxcsr 0x${c.mxcsr.toString(16).padStart(8, "0")}`];
  for (let n = 0; n < 8; n += 2) lines.push(`  xmm${n} ${xmmHex(c, n)}  xmm${n + 1} ${xmmHex(c, n + 1)}`);
  return lines;
}
