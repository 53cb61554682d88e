/**
 * The session's breakpoints, numbered as the user set them. Instruction
 * counts are the session's own (it limits each run to the next one); the
 * others are handed to the engine (core/vm/debug.ts) of the machine about
 * to run, with guest ids made relative to it.
 */
import { type BreakHit, Breakpoints } from "../vm/debug.ts";
import type { Machine } from "./machine.ts";
import { hex32 } from "./numbers.ts";

/**
 * A breakpoint as the user describes it (without its number). Guest ids
 * are session ids ("nest/fs/child"); undefined: any guest. A watchpoint
 * watches `len` bytes at `addr` of a top-level guest for writes that change
 * them (`write`), reads (`read`) or both (`access`).
 */
export type NewBreak = (
  | { kind: "address"; guest: string; eip: number }
  | { kind: "icount"; count: number }
  | { kind: "syscall"; guest?: string; number?: number; name?: string }
  | { kind: "run-entry" | "run-exit"; guest?: string }
  | { kind: "watch"; access: WatchAccess; guest: string; addr: number; len: number; expr: string }
) & BreakOptions;

/** What gdb's watch, rwatch and awatch watch for. */
export type WatchAccess = "write" | "read" | "access";

/** Options any breakpoint can have. */
export interface BreakOptions {
  /** Stop only when this expression (core/session/expr.ts) is non-zero at the hit. */
  condition?: string;
  /** Delete it at its first stop (tbreak). */
  temporary?: boolean;
}

/** One numbered breakpoint or watchpoint. */
export type BreakSpec = NewBreak & { id: number };

/** A watchpoint of the table. */
export type WatchSpec = Extract<BreakSpec, { kind: "watch" }>;

/**
 * Numbered breakpoints.
 *
 * @example
 * const t = new BreakpointTable();
 * t.add({ kind: "icount", count: 1000 }); // 1
 * t.lines(); // ["1 icount 1000"]
 */
export class BreakpointTable {
  private list: BreakSpec[] = [];
  private nextId = 1;
  /** Breakpoints the session sets for itself (next, trace): not listed, not numbered. */
  private hidden: NewBreak[] = [];
  /** Bumped by every change, so each machine's engine settings are rebuilt only when needed. */
  private version = 0;
  private readonly engines = new WeakMap<Machine, { bps: Breakpoints; version: number }>();

  add(b: NewBreak): BreakSpec {
    const spec = { ...b, id: this.nextId++ } as BreakSpec;
    this.list.push(spec);
    this.version++;
    return spec;
  }

  /** Removes breakpoint `id`; false if there is none. */
  remove(id: number): boolean {
    const before = this.list.length;
    this.list = this.list.filter((b) => b.id !== id);
    this.version++;
    return this.list.length < before;
  }

  /** Removes all breakpoints; numbering starts again at 1. */
  clear(): void {
    this.list = [];
    this.nextId = 1;
    this.version++;
  }

  /** Sets the session's own breakpoints for the runs that follow. */
  setHidden(list: NewBreak[]): void {
    this.hidden = list;
    this.version++;
  }

  get all(): readonly BreakSpec[] {
    return this.list;
  }

  /** One line per breakpoint, e.g. "1 address 0x08049000 in nest/fs/child". */
  lines(): string[] {
    return this.list.map(describe);
  }

  /** The watchpoints on top-level guest `top`. */
  watches(top: string): WatchSpec[] {
    return this.list.filter((b): b is WatchSpec => b.kind === "watch" && b.guest === top);
  }

  /** Sets or clears (undefined) the condition of breakpoint `id`; false if there is none. */
  setCondition(id: number, condition: string | undefined): boolean {
    const b = this.list.find((x) => x.id === id);
    if (!b) return false;
    if (condition === undefined) delete b.condition;
    else b.condition = condition;
    return true;
  }

  /**
   * Forgets the last hit of machine `m`'s engine breakpoints, so that a run
   * starting there reports a hit at its first instruction (reverse
   * execution replays windows that start at a hit).
   */
  forgetLast(m: Machine): void {
    this.engine(m).last = undefined;
  }

  /** Machine `m`'s last hit and its position (to put back after a replay elsewhere: when). */
  lastOf(m: Machine): { at: number; hit: BreakHit } | undefined {
    return this.engine(m).last;
  }

  /** Records `hit` as machine `m`'s last, at position `at`: a run from there steps over it (after reverse execution). */
  setLast(m: Machine, at: number, hit: BreakHit): void {
    this.engine(m).last = { at, hit };
  }

  /** Addresses with a breakpoint in guest `id`. */
  addresses(id: string): Set<number> {
    return new Set(this.list.flatMap((b) => (b.kind === "address" && b.guest === id ? [b.eip] : [])));
  }

  /** The smallest instruction-count breakpoint after `position` (Infinity: none). */
  nextCount(position: number): number {
    let n = Infinity;
    for (const b of this.list) if (b.kind === "icount" && b.count > position) n = Math.min(n, b.count);
    return n;
  }

  /** How a stop at an instruction-count breakpoint is reported. */
  countLabel(count: number): string {
    const b = this.list.find((x) => x.kind === "icount" && x.count === count)!;
    return `breakpoint ${b.id}: ${describe(b).replace(/^\d+ /, "")}`;
  }

  /** Hands the engine breakpoints of machine `m` to its guest (goto and back replace it, so before each run). */
  attach(m: Machine): void {
    const bps = this.engine(m);
    bps.enabled = true;
    m.guest.breakpoints = bps;
  }

  /** Runs machine `m` as if no breakpoint were set (goto, back). */
  detach(m: Machine): void {
    const bps = this.engine(m);
    bps.enabled = false;
    m.guest.breakpoints = bps;
  }

  private engine(m: Machine): Breakpoints {
    let e = this.engines.get(m);
    if (!e) {
      e = { bps: new Breakpoints(), version: -1 };
      this.engines.set(m, e);
    }
    if (e.version !== this.version) {
      e.bps.clear();
      for (const b of [...this.list, ...this.hidden]) addTo(e.bps, b, m.name);
      e.version = this.version;
    }
    return e.bps;
  }

  /** The user's breakpoints a hit in machine `m` belongs to (empty: one of the session's own). */
  matches(hit: BreakHit, m: Machine): BreakSpec[] {
    const full = (id: string) => (id === "" ? m.name : `${m.name}/${id}`);
    return this.list.filter((b) => {
      switch (hit.kind) {
        case "address":
          return b.kind === "address" && b.guest === full(hit.guest) && b.eip === hit.eip >>> 0;
        case "syscall":
          return b.kind === "syscall" && (b.guest === undefined || b.guest === full(hit.guest)) &&
            (b.number === undefined || b.number === hit.number);
        default:
          return b.kind === hit.kind && (b.guest === undefined || b.guest === full(hit.child));
      }
    });
  }
}

/**
 * How a hit is reported, e.g. "RUN entry of nest/fs/child (in nest)".
 *
 * @example
 * describeHit({ kind: "run-exit", guest: "", child: "fs/child" }, "nest"); // "RUN exit of nest/fs/child (in nest)"
 */
export function describeHit(hit: BreakHit, top: string): string {
  const full = (id: string) => (id === "" ? top : `${top}/${id}`);
  switch (hit.kind) {
    case "address":
      return `address ${hex32(hit.eip)} in ${full(hit.guest)}`;
    case "syscall":
      return `system call ${hit.name} (${hit.number}) in ${full(hit.guest)}`;
    default:
      return `RUN ${hit.kind === "run-entry" ? "entry" : "exit"} of ${full(hit.child)} (in ${full(hit.guest)})`;
  }
}

/** How watchpoints are listed and reported, by what they watch for (gdb's words). */
export const WATCH_NAMES: Record<WatchAccess, string> = { write: "watchpoint", read: "read watchpoint", access: "access watchpoint" };

/** Adds a breakpoint to the engine settings of machine `top`, if it concerns it. */
function addTo(bps: Breakpoints, b: NewBreak, top: string): void {
  const guest = "guest" in b ? b.guest : undefined;
  let rel: string | undefined;
  if (guest !== undefined) {
    if (guest === top) rel = "";
    else if (guest.startsWith(top + "/")) rel = guest.slice(top.length + 1);
    else return;
  }
  switch (b.kind) {
    case "address":
      bps.addAddress(rel!, b.eip);
      break;
    case "syscall":
      bps.addSyscall(rel, b.number);
      break;
    case "run-entry":
      bps.addRunEntry(rel);
      break;
    case "run-exit":
      bps.addRunExit(rel);
      break;
    // Watchpoints are the session's (core/session/watch.ts), not the engine's.
  }
}

function describe(b: BreakSpec): string {
  const extra = `${b.temporary ? " (temporary)" : ""}${b.condition ? ` if ${b.condition}` : ""}`;
  return describeKind(b) + extra;
}

function describeKind(b: BreakSpec): string {
  switch (b.kind) {
    case "watch":
      return `${b.id} ${WATCH_NAMES[b.access]} ${b.expr} (${b.len} byte${b.len === 1 ? "" : "s"} at ${hex32(b.addr)}) in ${b.guest}`;
    case "address":
      return `${b.id} address ${hex32(b.eip)} in ${b.guest}`;
    case "icount":
      return `${b.id} icount ${b.count}`;
    case "syscall":
      return `${b.id} syscall ${b.name ?? b.number ?? "any"}${b.guest ? ` in ${b.guest}` : ""}`;
    default:
      return `${b.id} ${b.kind}${b.guest ? ` ${b.guest}` : ""}`;
  }
}
