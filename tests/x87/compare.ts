/**
 * Compares an emulator outcome with the native one. The only differences
 * allowed are the selectors: the host runs 32-bit code under a 64-bit
 * kernel (CS 0x23, DS 0x2b) where fx86 records Linux i386's 0x73/0x7b.
 *
 * @example
 * const why = difference(k, native, emulated); // "" when equal
 */
import type { Case, Outcome } from "./oracle.ts";

const ARITH_FLAGS = 0x8d5;

/** The native outcome with host selectors mapped to fx86's. */
export function normalize(k: Case, o: Outcome): Outcome {
  const state = o.state.slice();
  mapSelector(state, 16, 0x23, 0x73);
  mapSelector(state, 24, 0x2b, 0x7b);
  const mem = o.mem.slice();
  if (k.modrm < 0xc0 && (k.esc === 0xd9 || k.esc === 0xdd) && ((k.modrm >> 3) & 7) === 6) {
    // FNSTENV / FNSAVE wrote an environment with the selectors in it.
    mapSelector(mem, k.o16 ? 8 : 16, 0x23, 0x73);
    mapSelector(mem, k.o16 ? 12 : 24, 0x2b, 0x7b);
  }
  return { ...o, state, mem };
}

function mapSelector(b: Uint8Array, off: number, from: number, to: number): void {
  if (b.length >= off + 2 && b[off] === from && b[off + 1] === 0) b[off] = to;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** "" if the outcomes agree, else what differs. */
export function difference(hw: Outcome, emu: Outcome): string {
  if (hw.trap !== emu.trap) return `trap native=${hw.trap} emulated=${emu.trap}`;
  if (hw.trap) return "";
  const why: string[] = [];
  if (hex(hw.state) !== hex(emu.state)) why.push("state");
  if (hex(hw.mem) !== hex(emu.mem)) why.push("memory");
  if ((hw.eflags & ARITH_FLAGS) !== (emu.eflags & ARITH_FLAGS)) why.push("eflags");
  if (hw.eax !== emu.eax) why.push("eax");
  return why.join(", ");
}

export { hex };
