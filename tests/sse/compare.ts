/**
 * What must agree between the CPU and fx86 after an MMX/SSE case, and the
 * one-line description of a difference.
 *
 * Compared: the signal; after a completed instruction EAX..EDI but ESP,
 * the arithmetic flags and DF, the data bytes (but `Case.ignore`), and from the FXSAVE
 * image FCW, FSW (TOP, flags), the abridged tag byte, MXCSR, the eight
 * x87/MMX registers and XMM0..7. Not compared: FOP/FIP/FDP and their
 * selectors (AMD processors save them only while an x87 exception is
 * pending), MXCSR_MASK (processors differ: 0xffff or 0x2ffff), reserved
 * bytes. After a fault fx86's state must be the one the case started
 * from (the faulting instruction changed nothing), except for the MXCSR
 * flags a SIMD floating-point exception (SIGFPE) sets, which must be the
 * CPU's. The results of RCPPS/RSQRTPS, which differ between processors,
 * are compared against the SDM's error bound (`closeSingles`).
 *
 * @example
 * const problem = difference(c, native, fx86); // undefined when equal
 */
import { type Case, type Outcome, SIGFPE } from "./oracle.ts";

const FLAGS = 0x8d5 | 0x400;

/** [offset, length, name] of the compared parts of an FXSAVE image. */
const FX_FIELDS: [number, number, string][] = [
  [0, 2, "fcw"], [2, 2, "fsw"], [4, 1, "ftw"], [24, 4, "mxcsr"],
  ...Array.from({ length: 8 }, (_, i) => [32 + 16 * i, 10, `st${i}/mm`] as [number, number, string]),
  ...Array.from({ length: 8 }, (_, i) => [160 + 16 * i, 16, `xmm${i}`] as [number, number, string]),
];

function hex(b: Uint8Array): string {
  return Array.from(b).reverse().map((x) => x.toString(16).padStart(2, "0")).join("");
}

/**
 * For RCPPS/RSQRTPS: two single lanes that both approximate the same value
 * within the SDM's bound (relative error 1.5 × 2^-12 each) are at most
 * 3 × 2^-12 apart, relative to the CPU's; both must be normal numbers of
 * the same sign (specials are compared exactly).
 */
function closeSingles(x: Uint8Array, y: Uint8Array): boolean {
  const a = new DataView(x.buffer, x.byteOffset, 16), b = new DataView(y.buffer, y.byteOffset, 16);
  for (let k = 0; k < 16; k += 4) {
    const u = a.getUint32(k, true), v = b.getUint32(k, true);
    if (u === v) continue;
    const normal = (w: number) => ((w >>> 23) & 0xff) !== 0 && ((w >>> 23) & 0xff) !== 0xff;
    const p = a.getFloat32(k, true), q = b.getFloat32(k, true);
    if (!normal(u) || !normal(v) || Math.sign(p) !== Math.sign(q)) return false;
    if (Math.abs(p - q) > 3 * 2 ** -12 * Math.abs(p)) return false;
  }
  return true;
}

function fxDifference(a: Uint8Array, b: Uint8Array, approximate: boolean): string | undefined {
  for (const [off, len, name] of FX_FIELDS) {
    const x = a.subarray(off, off + len), y = b.subarray(off, off + len);
    if (approximate && name.startsWith("xmm") && closeSingles(x, y)) continue;
    if (x.some((v, k) => v !== y[k])) return `${name}: expected ${hex(x)} got ${hex(y)}`;
  }
  return undefined;
}

function stateDifference(
  expected: Pick<Outcome, "fx" | "gpr" | "eflags" | "mem">,
  got: Outcome,
  approximate = false,
  ignore: readonly [number, number][] = [],
): string | undefined {
  for (let k = 0; k < 8; k++) {
    if (k !== 4 && expected.gpr[k] >>> 0 !== got.gpr[k] >>> 0) {
      return `${["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"][k]}: expected ${
        (expected.gpr[k] >>> 0).toString(16)
      } got ${(got.gpr[k] >>> 0).toString(16)}`;
    }
  }
  if ((expected.eflags & FLAGS) !== (got.eflags & FLAGS)) {
    return `eflags: expected ${(expected.eflags & FLAGS).toString(16)} got ${(got.eflags & FLAGS).toString(16)}`;
  }
  const m = expected.mem.findIndex((v, k) => v !== got.mem[k] && !ignore.some(([from, to]) => k >= from && k < to));
  if (m >= 0) return `data byte ${m}: expected ${expected.mem[m]} got ${got.mem[m]}`;
  return fxDifference(expected.fx, got.fx, approximate);
}

/** How fx86's outcome differs from the CPU's, or undefined. */
export function difference(c: Case, native: Outcome, fx86: Outcome): string | undefined {
  if (native.signal !== fx86.signal) return `signal: expected ${native.signal} got ${fx86.signal}`;
  if (native.signal === 0) return stateDifference(native, fx86, c.approximate, c.ignore);
  // #XM sets MXCSR flags; everything else stays as it was.
  const fx = c.fx.slice();
  if (native.signal === SIGFPE) fx.set(native.fx.subarray(24, 28), 24);
  const before = stateDifference({ fx, gpr: c.gpr, eflags: c.eflags, mem: c.mem }, fx86);
  return before && `changed state although it faulted: ${before}`;
}
