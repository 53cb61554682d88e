/**
 * Reading a guest for display: disassembly (also around EIP) and memory
 * rows. Nothing here changes the guest: instruction bytes are read with
 * `read`, never fetched through the engine.
 */
import { disassemble } from "../cpu/isa/disasm.ts";
import type { Memory } from "../memory/memory.ts";
import type { DisasmRow, MemoryRow } from "./view.ts";
import type { SymbolTable } from "../elf/symbols.ts";

/** The byte at `a`, or null if it is not mapped readable. */
export function peek(m: Memory, a: number): number | null {
  try {
    return m.read(a >>> 0, 1)[0];
  } catch {
    return null;
  }
}

/** The symbol label of a branch's target (`call 0x08049abc`: "puts"), or "". */
function targetLabel(text: string, symbols?: SymbolTable): string {
  const m = /^(call|j[a-z]+|loop[a-z]*) (0x[0-9a-f]+)$/.exec(text);
  return (m && symbols?.label(Number(m[2]))) || "";
}

function row(m: Memory, a: number, eip: number, marks: Set<number>, symbols?: SymbolTable): DisasmRow {
  let text: string, len: number;
  try {
    const d = disassemble((x) => {
      const b = peek(m, x);
      if (b === null) throw new RangeError("unmapped");
      return b;
    }, a >>> 0);
    ({ text, len } = d);
  } catch (e) {
    text = e instanceof RangeError && e.message === "unmapped" ? "(unmapped)" : "(bad)";
    len = 1;
  }
  const bytes: string[] = [];
  for (let i = 0; i < len; i++) {
    const b = peek(m, a + i);
    bytes.push(b === null ? "??" : b.toString(16).padStart(2, "0"));
  }
  return {
    address: a >>> 0,
    bytes: bytes.join(" "),
    text,
    current: (a >>> 0) === (eip >>> 0),
    breakpoint: marks.has(a >>> 0),
    label: symbols?.label(a) ?? "",
    targetLabel: targetLabel(text, symbols),
  };
}

/**
 * `count` instructions from `addr`, labelled with `symbols` if given.
 *
 * @example
 * disasmFrom(guest.mem, guest.cpu.eip, 8, guest.cpu.eip, new Set());
 */
export function disasmFrom(
  m: Memory,
  addr: number,
  count: number,
  eip: number,
  marks: Set<number>,
  symbols?: SymbolTable,
): DisasmRow[] {
  const rows: DisasmRow[] = [];
  let a = addr >>> 0;
  for (let i = 0; i < count; i++) {
    const r = row(m, a, eip, marks, symbols);
    rows.push(r);
    a = (a + r.bytes.split(" ").length) >>> 0;
  }
  return rows;
}

/**
 * About `count` instructions with EIP's in the middle. x86 cannot be
 * decoded backwards, so the rows before EIP come from the furthest start
 * (within 64 bytes) whose decoding lands exactly on EIP.
 */
export function disasmAround(m: Memory, eip: number, count: number, marks: Set<number>, symbols?: SymbolTable): DisasmRow[] {
  const before = Math.floor(count / 2);
  const target = eip >>> 0;
  // The start that decodes into the most instructions before EIP.
  let best = { start: target, n: 0 };
  for (let back = 64; back > 0 && best.n < before; back--) {
    const s = (target - back) >>> 0;
    let a = s, n = 0;
    while (a !== target && ((target - a) >>> 0) <= 64) {
      const r = row(m, a, eip, marks);
      if (r.text === "(unmapped)" || r.text === "(bad)") break;
      a = (a + r.bytes.split(" ").length) >>> 0;
      n++;
    }
    if (a === target && n > best.n) best = { start: s, n };
  }
  // Keep at most `before` rows: skip the extra ones at the front.
  let start = best.start;
  for (let k = 0; k < best.n - before; k++) start = (start + row(m, start, eip, marks).bytes.split(" ").length) >>> 0;
  return disasmFrom(m, start, count, eip, marks, symbols);
}

/**
 * Memory in rows of 16 bytes from `addr` (rounded down to 16); null for
 * bytes that are not mapped.
 *
 * @example
 * memoryRows(guest.mem, guest.cpu.r[ESP], 4);
 */
export function memoryRows(m: Memory, addr: number, rows: number): MemoryRow[] {
  const out: MemoryRow[] = [];
  const start = (addr >>> 0) & ~15;
  for (let r = 0; r < rows; r++) {
    const a = (start + 16 * r) >>> 0;
    const bytes: (number | null)[] = [];
    for (let i = 0; i < 16; i++) bytes.push(peek(m, a + i));
    out.push({ address: a, bytes });
  }
  return out;
}
