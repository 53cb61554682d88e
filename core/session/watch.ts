/**
 * Watchpoints, exact to the instruction without slowing runs that do not
 * touch what they watch. A run goes in chunks as usual; before each chunk
 * the memory's change list is taken (as a snapshot takes it), and after it
 * the watched pages are asked whether anything wrote them
 * (`Memory.written`). Only a chunk that wrote a watched page is replayed,
 * from its start, one instruction at a time, comparing the watched bytes
 * after each: the first instruction that changes them is the hit. So a
 * value that changes and changes back inside a chunk is still caught, and
 * a watch on a quiet page costs one page-table test per chunk.
 *
 * A checkpoint takes the change list too, so a watched chunk ends one
 * instruction before each checkpoint, and the instruction that reaches it
 * is checked by comparing values.
 *
 * Watchpoints stop when the value changes (gdb's semantics for `watch`: a
 * write of the same value is not a change).
 */
import { memoryToTree } from "../vm/layout.ts";
import type { Guest } from "../vm/guest.ts";
import { PAGE_SHIFT } from "../memory/memory.ts";
import type { WatchSpec } from "./breakpoints.ts";
import { peek } from "./inspect.ts";
import { hex32 } from "./numbers.ts";

/** The bytes of a range, null where unmapped. */
function bytesAt(g: Guest, addr: number, len: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let i = 0; i < len; i++) out.push(peek(g.mem, (addr + i) >>> 0));
  return out;
}

function sameBytes(a: (number | null)[], b: (number | null)[]): boolean {
  return a.every((x, i) => x === b[i]);
}

/**
 * A range's value as gdb prints a watched int: little-endian, decimal for
 * 1, 2 and 4 bytes, else hex bytes.
 *
 * @example
 * valueText([0xff, 0xff, 0xff, 0xff]); // "-1"
 */
export function valueText(bytes: (number | null)[]): string {
  if (bytes.some((b) => b === null)) return "<unmapped>";
  const b = bytes as number[];
  if (b.length === 1 || b.length === 2 || b.length === 4) {
    const v = b.reduceRight((acc, x) => acc * 256 + x, 0);
    const signed = v >= 2 ** (8 * b.length - 1) ? v - 2 ** (8 * b.length) : v;
    return String(signed);
  }
  return b.map((x) => x.toString(16).padStart(2, "0")).join(" ");
}

/** A write watchpoint that saw its bytes change. */
export interface WatchChange {
  spec: WatchSpec;
  before: (number | null)[];
  after: (number | null)[];
}

/**
 * How a watch hit is reported, gdb's way.
 *
 * @example
 * describeChange(change); // "watchpoint 2: counter\nOld value = 0\nNew value = 1"
 */
export function describeChange(c: WatchChange): string {
  return `watchpoint ${c.spec.id}: ${c.spec.expr}\nOld value = ${valueText(c.before)}\nNew value = ${valueText(c.after)}`;
}

/**
 * The write watchpoints of one top-level guest over one chunk of a run.
 *
 * @example
 * const w = new WatchScan(specs);
 * w.arm(g); g.run(n);
 * if (w.touched(g)) { … replay the chunk, calling w.changed(g) after each instruction … }
 */
export class WatchScan {
  private values: (number | null)[][] = [];

  constructor(readonly specs: WatchSpec[]) {}

  /** Records the watched values and starts a fresh change list (the way a snapshot takes it). */
  arm(g: Guest): void {
    memoryToTree(g.mem);
    this.values = this.specs.map((w) => bytesAt(g, w.addr, w.len));
  }

  /** Records the watched values only (at the start of a replay). */
  remember(g: Guest): void {
    this.values = this.specs.map((w) => bytesAt(g, w.addr, w.len));
  }

  /** True if anything wrote a watched page since `arm`. */
  touched(g: Guest): boolean {
    return this.specs.some((w) => {
      for (let p = w.addr >>> PAGE_SHIFT; p <= ((w.addr + w.len - 1) >>> 0) >>> PAGE_SHIFT; p++) {
        if (g.mem.written(p)) return true;
      }
      return false;
    });
  }

  /** True if any watched bytes differ from the recorded ones (for a chunk of one instruction). */
  differs(g: Guest): boolean {
    return this.specs.some((w, i) => !sameBytes(bytesAt(g, w.addr, w.len), this.values[i]));
  }

  /** The first watchpoint whose bytes differ from the recorded ones (then recorded anew), if any. */
  changed(g: Guest): WatchChange | undefined {
    for (let i = 0; i < this.specs.length; i++) {
      const now = bytesAt(g, this.specs[i].addr, this.specs[i].len);
      if (!sameBytes(now, this.values[i])) {
        const before = this.values[i];
        this.values[i] = now;
        return { spec: this.specs[i], before, after: now };
      }
    }
    return undefined;
  }
}

/**
 * `N bytes at 0x…`, for messages.
 *
 * @example
 * rangeText({ addr: 0x80ed2e0, len: 4 }); // "4 bytes at 0x080ed2e0"
 */
export function rangeText(w: { addr: number; len: number }): string {
  return `${w.len} byte${w.len === 1 ? "" : "s"} at ${hex32(w.addr)}`;
}
