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

/**
 * MXCSR and XMM0..XMM7 by name, each as dwords, most significant first:
 * what the shell's registers panel shows (and marks when changed).
 *
 * @example
 * vectorValues(guest.cpu).get("xmm0"); // [0, 0, 0, 0x3f800000]
 */
export function vectorValues(c: Cpu): Map<string, number[]> {
  const values = new Map<string, number[]>([["mxcsr", [c.mxcsr >>> 0]]]);
  for (let n = 0; n < 8; n++) values.set(`xmm${n}`, Array.from(c.xmm32.subarray(4 * n, 4 * n + 4), (d) => d >>> 0).reverse());
  return values;
}

/** The lines `regs` adds: MXCSR, then the XMM registers two to a line. */
export function vectorLines(c: Cpu): string[] {
  const lines = [` mxcsr 0x${c.mxcsr.toString(16).padStart(8, "0")}`];
  for (let n = 0; n < 8; n += 2) lines.push(`  xmm${n} ${xmmHex(c, n)}  xmm${n + 1} ${xmmHex(c, n + 1)}`);
  return lines;
}
