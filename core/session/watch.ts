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
 * write of the same value is not a change). Read and access watchpoints
 * (`rwatch`, `awatch`) cannot be told by values: while they are set, the
 * memory reports every instruction access to their pages
 * (`Memory.trapAccesses`, which sends those pages down the slow path), and a
 * chunk in which one touched the watched bytes is replayed the same way.
 * Accesses that system calls make (`write(2)` reading its buffer) are not
 * instructions and do not count, as with the processor's debug registers.
 */
import { memoryToTree } from "../vm/layout.ts";
import type { Guest } from "../vm/guest.ts";
import { PAGE_SHIFT } from "../memory/memory.ts";
import { WATCH_NAMES, type WatchSpec } from "./breakpoints.ts";
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

/** A watchpoint that stopped: its bytes before and after the instruction (equal for a read). */
export interface WatchChange {
  spec: WatchSpec;
  before: (number | null)[];
  after: (number | null)[];
}

/**
 * How a watch hit is reported, gdb's way: old and new values for a change,
 * the value for a read (or an access that left it as it was).
 *
 * @example
 * describeChange(change); // "watchpoint 2: counter\nOld value = 0\nNew value = 1"
 */
export function describeChange(c: WatchChange): string {
  const head = `${WATCH_NAMES[c.spec.access]} ${c.spec.id}: ${c.spec.expr}`;
  if (c.spec.access === "read" || sameBytes(c.before, c.after)) return `${head}\nValue = ${valueText(c.after)}`;
  return `${head}\nOld value = ${valueText(c.before)}\nNew value = ${valueText(c.after)}`;
}

/** The pages a range covers. */
function pagesOf(w: { addr: number; len: number }): number[] {
  const pages: number[] = [];
  for (let p = w.addr >>> PAGE_SHIFT; p <= ((w.addr + w.len - 1) >>> 0) >>> PAGE_SHIFT; p++) pages.push(p);
  return pages;
}

function overlaps(w: { addr: number; len: number }, addr: number, size: number): boolean {
  return addr < w.addr + w.len && w.addr < addr + size;
}

/**
 * The watchpoints of one top-level guest over one chunk of a run. Write
 * watchpoints (`watch`) compare values; read and access watchpoints
 * (`rwatch`, `awatch`) trap the instruction accesses to their pages
 * (`Memory.trapAccesses`) and note those that touch their bytes.
 *
 * @example
 * const w = new WatchScan(specs);
 * w.arm(g); g.run(n);
 * if (w.touched(g)) { … replay the chunk, calling w.changed(g) after each instruction … }
 * w.release(g);
 */
export class WatchScan {
  private values: (number | null)[][] = [];
  /** Per watchpoint: an access it watches for touched its bytes since the last look. */
  private hits: boolean[] = [];
  private readonly trapping: boolean;

  constructor(readonly specs: WatchSpec[]) {
    this.trapping = specs.some((w) => w.access !== "write");
  }

  /** Records the watched values and starts a fresh change list (the way a snapshot takes it). */
  arm(g: Guest): void {
    memoryToTree(g.mem);
    this.remember(g);
  }

  /** Records the watched values only (at the start of a replay), and traps the accesses of `g`. */
  remember(g: Guest): void {
    this.values = this.specs.map((w) => bytesAt(g, w.addr, w.len));
    this.hits = this.specs.map(() => false);
    if (!this.trapping) return;
    g.mem.onTrap = (addr, size, write) => {
      this.specs.forEach((w, i) => {
        if (w.access !== "write" && (w.access === "access" || !write) && overlaps(w, addr, size)) this.hits[i] = true;
      });
    };
    g.mem.trapAccesses(this.specs.filter((w) => w.access !== "write").flatMap(pagesOf));
  }

  /** Stops trapping the accesses of `g` (when the run ends). */
  release(g: Guest): void {
    if (!this.trapping) return;
    g.mem.trapAccesses(undefined);
    g.mem.onTrap = () => {};
  }

  /** True if anything wrote a page a write watchpoint watches, or a watched access happened, since `arm`. */
  touched(g: Guest): boolean {
    return this.hits.some((h) => h) ||
      this.specs.some((w) => w.access === "write" && pagesOf(w).some((p) => g.mem.written(p)));
  }

  /** True if a watchpoint would stop here (for a chunk of one instruction). */
  differs(g: Guest): boolean {
    return this.specs.some((w, i) => this.stops(w, i, bytesAt(g, w.addr, w.len)));
  }

  /** The first watchpoint that stops after the instruction just run, if any; values and accesses are then taken anew. */
  changed(g: Guest): WatchChange | undefined {
    const now = this.specs.map((w) => bytesAt(g, w.addr, w.len));
    const i = this.specs.findIndex((w, k) => this.stops(w, k, now[k]));
    const change = i < 0 ? undefined : { spec: this.specs[i], before: this.values[i], after: now[i] };
    this.values = now;
    this.hits = this.specs.map(() => false);
    return change;
  }

  private stops(w: WatchSpec, i: number, now: (number | null)[]): boolean {
    return w.access === "write" ? !sameBytes(now, this.values[i]) : this.hits[i];
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
