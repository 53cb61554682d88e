/**
 * The session's breakpoints, numbered as the user set them. Instruction
 * counts are the session's own (it limits each run to the next one); the
 * others are handed to the engine (core/vm/debug.ts) of the machine about
 * to run.
 */
import type { Stop } from "../vm/guest.ts";
import type { Machine } from "./machine.ts";
import { hex32 } from "./numbers.ts";

/** One breakpoint. Guest ids are session ids ("nest/fs/child"); undefined: any guest. */
export type BreakSpec =
  | { id: number; kind: "address"; guest: string; eip: number }
  | { id: number; kind: "icount"; count: number }
  | { id: number; kind: "syscall"; guest?: string; number?: number; name?: string }
  | { id: number; kind: "run-entry" | "run-exit"; guest?: string };

/** A breakpoint as the user describes it (without its number). */
export type NewBreak =
  | { kind: "address"; guest: string; eip: number }
  | { kind: "icount"; count: number }
  | { kind: "syscall"; guest?: string; number?: number; name?: string }
  | { kind: "run-entry" | "run-exit"; guest?: string };

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

  add(b: NewBreak): BreakSpec {
    const spec = { ...b, id: this.nextId++ } as BreakSpec;
    this.list.push(spec);
    return spec;
  }

  /** Removes breakpoint `id`; false if there is none. */
  remove(id: number): boolean {
    const before = this.list.length;
    this.list = this.list.filter((b) => b.id !== id);
    return this.list.length < before;
  }

  /** Removes all breakpoints; numbering starts again at 1. */
  clear(): void {
    this.list = [];
    this.nextId = 1;
  }

  get all(): readonly BreakSpec[] {
    return this.list;
  }

  /** One line per breakpoint, e.g. "1 address 0x08049000 in nest/fs/child". */
  lines(): string[] {
    return this.list.map(describe);
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

  /** Hands the engine breakpoints of machine `m` to its guest (replaced by goto/back, so before each run). */
  attach(_m: Machine): void {}

  /** Runs machine `m` without engine breakpoints (goto, back). */
  detach(_m: Machine): void {}

  /** The line reporting a breakpoint the engine stopped at, if it did. */
  describeHit(_stop: Stop, _m: Machine): string | undefined {
    return undefined;
  }
}

function describe(b: BreakSpec): string {
  switch (b.kind) {
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
