/**
 * Generates MMX/SSE cases from the opcode table's SIMD rows: every row in
 * its register and memory forms, random registers, immediates, operand
 * values (integer lanes at their edges, and for floating point the
 * specials in values.ts), MXCSR settings, x87 states (TOP, tags, pending
 * exceptions for MMX's #MF) and memory offsets (aligned, misaligned,
 * crossing into the unmapped page).
 *
 * @example
 * const cases = generateCases(new Rng(1), simdRows(), 24);
 */
import { type OperandSpec, VECTOR_BYTES, type VectorSpec } from "../../core/cpu/isa/operands.ts";
import { hasModrm, type Row } from "../cpu/rows.ts";
import type { Rng } from "../x87/rng.ts";
import { type Case, MEM_ADDR, MEM_LEN } from "./oracle.ts";
import { randomLanes } from "./values.ts";

/** ModRM r/m specs of general registers: ESP cannot take part (it is the runner's stack pointer). */
const GPR_RM = new Set<OperandSpec>(["Ed", "Ry/Mw"]);
const ARITH_FLAGS = 0x8d5, DF = 0x400;


/** The forms of a row: register and/or memory. */
export function rowForms(row: Row): ("register" | "memory")[] {
  const ops = row.def.operands;
  if (row.modForms !== "any") return [row.modForms];
  if (ops.some((s) => s[0] === "M")) return ["memory"];
  if (ops.some((s) => s === "Ux" || s === "Nq")) return ["register"];
  if (!ops.some((s) => ["Wx", "Wq", "Wd", "Qq", "Qd", "Ed", "Ry/Mw"].includes(s))) return ["register"];
  return ["register", "memory"];
}

function memoryBytes(row: Row): number {
  for (const s of row.def.operands) {
    if (s === "Ed") return 4;
    if (s === "Mq") return 8;
    if (s in VECTOR_BYTES && !["Vx", "Pq", "Gd"].includes(s)) return VECTOR_BYTES[s as VectorSpec];
  }
  return 0;
}

/** An offset into the 64 data bytes for an operand of `size` bytes: usually aligned and inside, sometimes not. */
function offset(rng: Rng, size: number): number {
  const roll = rng.below(20);
  if (roll === 0) return MEM_LEN - 64 + rng.below(64); // misaligned, may cross into the unmapped page
  if (roll === 1) return MEM_LEN - size + 1 + rng.below(size); // crosses the page end
  // Mostly within the last 64 bytes, as most operands are small.
  const lo = Math.max(0, MEM_LEN - Math.max(size, 64));
  const slots = Math.floor((MEM_LEN - lo - size) / 16) + 1;
  return size >= 16 ? lo + 16 * rng.below(slots) : lo + size * rng.below((MEM_LEN - lo) / size);
}

/** A 512-byte FXSAVE image with a random x87 state (MMX registers), MXCSR and XMM registers. */
export function randomImage(rng: Rng, floats: "single" | "double" | "none"): Uint8Array {
  const fx = new Uint8Array(512);
  const dv = new DataView(fx.buffer);
  // Exceptions masked, except now and then one unmasked and pending (MMX instructions then raise #MF).
  let fcw = 0x037f, fsw = rng.below(8) << 11;
  if (rng.chance(0.04)) {
    fcw &= ~0x01;
    fsw |= 0x01 | 0x80 | 0x8000; // IE pending, ES and B
  }
  dv.setUint16(0, fcw, true);
  dv.setUint16(2, fsw, true);
  fx[4] = rng.chance(0.5) ? 0 : rng.below(256);
  // Reset value; with PE set (as in most programs after their first inexact result: fx86's fast path); or random.
  let mxcsr = rng.chance(0.5) ? 0x1f80 : 0x1fa0;
  if (rng.chance(0.6)) mxcsr = (rng.below(0x10000) & 0xffff) | (rng.chance(0.7) ? 0x1f80 : 0);
  dv.setUint32(24, mxcsr, true);
  for (let i = 0; i < 8; i++) {
    for (let k = 0; k < 10; k++) fx[32 + 16 * i + k] = rng.below(256);
  }
  for (let x = 0; x < 8; x++) fx.set(randomLanes(rng, floats), 160 + 16 * x);
  return fx;
}

/** The float format a row's operands hold, from its mnemonic (ps/ss: single, pd/sd: double). */
export function floatKind(row: Row): "single" | "double" | "none" {
  const m = typeof row.def.mnemonic === "string" ? row.def.mnemonic : row.def.mnemonic[1];
  if (/(ps|ss)$|2ps|2ss|^cvt.*ss|comiss/.test(m)) return "single";
  if (/(pd|sd)$|2pd|2sd|^cvt.*sd|comisd/.test(m)) return "double";
  return "none";
}

/** `count` cases of one row in one form. */
export function rowCases(rng: Rng, row: Row, form: "register" | "memory", count: number): Case[] {
  const ops = row.def.operands;
  const out: Case[] = [];
  const floats = floatKind(row);
  for (let n = 0; n < count; n++) {
    let reg = row.reg ?? rng.below(8);
    if (row.reg === undefined && ops.includes("Gd")) while (reg === 4) reg = rng.below(8);
    let rm = rng.below(8);
    if (form === "register" && ops.some((s) => GPR_RM.has(s))) while (rm === 4) rm = rng.below(8);
    const gpr = Array.from({ length: 8 }, () => rng.u32());
    const code: number[] = [];
    if (row.prefix) code.push(row.prefix);
    code.push(0x0f, row.opcode);
    let where = "";
    if (!hasModrm(row)) {
      // No ModRM (EMMS).
    } else if (form === "register") {
      code.push(0xc0 | (reg << 3) | rm);
    } else {
      const size = memoryBytes(row);
      const off = offset(rng, size);
      code.push((reg << 3) | 3); // [ebx]
      gpr[3] = MEM_ADDR + off;
      where = ` [data+${off}]`;
    }
    if (row.def.mnemonic === "maskmovq" || row.def.mnemonic === "maskmovdqu") {
      gpr[7] = MEM_ADDR + offset(rng, row.def.mnemonic === "maskmovq" ? 8 : 16);
    }
    if (ops.includes("Ib")) code.push(rng.chance(0.5) ? rng.below(20) : rng.below(256));
    const mem = new Uint8Array(MEM_LEN);
    for (let k = 0; k < MEM_LEN; k += 16) mem.set(randomLanes(rng, floats), k);
    // FXRSTOR's operand: a valid image most of the time (random bytes set reserved MXCSR bits: #GP).
    const off = gpr[3] - MEM_ADDR;
    if (row.def.mnemonic === "fxrstor" && off >= 0 && off + 512 <= MEM_LEN && rng.chance(0.9)) {
      mem.set(randomImage(rng, "none"), off);
    }
    // FXSAVE's image: XMM8..15 (see Case.ignore), and what the state comparison leaves out as
    // differing between processors: FOP, FIP and FDP with their selectors, and MXCSR_MASK.
    const ignore: [number, number][] | undefined = row.def.mnemonic === "fxsave"
      ? [[off + 6, off + 24], [off + 28, off + 32], [off + 288, off + 464]]
      : undefined;
    out.push({
      code,
      fx: randomImage(rng, floats),
      gpr,
      eflags: 0x202 | (rng.u32() & ARITH_FLAGS) | (rng.chance(0.1) ? DF : 0),
      mem,
      name: `${row.name} ${form}${where}: ${code.map((b) => b.toString(16).padStart(2, "0")).join(" ")}`,
      approximate: /^r(cp|sqrt)(ps|ss)$/.test(String(row.def.mnemonic)),
      ignore,
    });
  }
  return out;
}
