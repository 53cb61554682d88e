/**
 * Breakpoints for a guest hierarchy (docs/debugging.md). A break is a
 * budget stop that comes early: the state it leaves is exactly the state a
 * run with a budget of the same instruction count leaves, so breaks work
 * with snapshots, replay and the timeline.
 */

/**
 * Where a run stopped early. The guest state then is exactly the state a
 * budget stop at the same instruction count gives (same tree hash).
 */
export type BreakHit =
  /** `guest` is about to execute the instruction at `eip`. */
  | { kind: "address"; guest: string; eip: number }
  /** Stopped before the system call executes: EIP on the `int 0x80`, EAX = number. */
  | { kind: "syscall"; guest: string; eip: number; number: number; name: string }
  /**
   * `guest` is about to RUN `child` (EIP on the RUN instruction, not yet
   * executed). A RUN that continues a sub-guest after a BUDGET_IN_RUN stop
   * of its caller is not an entry.
   */
  | { kind: "run-entry"; guest: string; child: string }
  /** RUN of `child` just retired in `guest` (EIP after it). */
  | { kind: "run-exit"; guest: string; child: string };

/** One breakpoint setting, as `Breakpoints.list` reports it. */
export type BreakpointSpec =
  | { kind: "address"; guest: string; eip: number }
  | { kind: "syscall"; guest?: string; number?: number }
  | { kind: "run-entry" | "run-exit"; child?: string };

/** Changes of any address set anywhere: engines compare it to know when to rebuild. */
let addressEpoch = 0;

/**
 * Breakpoint settings shared by a top-level guest and all its sub-guests.
 * Guest ids are tree paths relative to the top-level guest: "" for it,
 * "fs/child" for the sub-guest at /child in its file system,
 * "fs/child/fs/child" for that one's sub-guest.
 *
 * @example
 * const bps = new Breakpoints();
 * bps.addAddress("fs/child", 0x08049000);
 * bps.addSyscall(undefined, 4);       // write(2), in any guest
 * guest.breakpoints = bps;
 * const stop = guest.run(Infinity);   // stop.break: where it stopped, if early
 */
export class Breakpoints {
  private readonly addresses = new Map<string, Set<number>>();
  private readonly syscalls = new Map<string | undefined, Set<number | undefined>>();
  private readonly entries = new Set<string | undefined>();
  private readonly exits = new Set<string | undefined>();
  /** While false, guests run as if no breakpoint were set (e.g. while the timeline replays). */
  enabled = true;
  /** Changes when an address set changes (engines rebuild their blocks then). */
  epoch = ++addressEpoch;
  /** The last hit and the top-level instruction count it happened at. */
  last?: { at: number; hit: BreakHit };
  /**
   * Set while a run that started at the last hit has not retired anything:
   * hits are ignored up to and including this one (gdb's step over the
   * breakpoint it stopped at).
   */
  skipping?: BreakHit;

  addAddress(guest: string, eip: number): void {
    const set = this.addresses.get(guest) ?? new Set();
    set.add(address(eip));
    this.addresses.set(guest, set);
    this.epoch = ++addressEpoch;
  }

  removeAddress(guest: string, eip: number): void {
    const set = this.addresses.get(guest);
    if (!set?.delete(address(eip))) return;
    if (set.size === 0) this.addresses.delete(guest);
    this.epoch = ++addressEpoch;
  }

  /** System-call breakpoints: guest undefined = any guest; number undefined = any call. */
  addSyscall(guest?: string, number?: number): void {
    if (number !== undefined && !(Number.isInteger(number) && number >= 0 && number < 2 ** 32)) {
      throw new RangeError(`not a system-call number: ${number}`);
    }
    const set = this.syscalls.get(guest) ?? new Set();
    set.add(number);
    this.syscalls.set(guest, set);
  }

  removeSyscall(guest?: string, number?: number): void {
    const set = this.syscalls.get(guest);
    set?.delete(number);
    if (set?.size === 0) this.syscalls.delete(guest);
  }

  /** Breaks when a guest is about to RUN `child` (a guest id; undefined = any RUN). */
  addRunEntry(child?: string): void {
    this.entries.add(child);
  }

  removeRunEntry(child?: string): void {
    this.entries.delete(child);
  }

  /** Breaks when a RUN of `child` (a guest id; undefined = any) has retired. */
  addRunExit(child?: string): void {
    this.exits.add(child);
  }

  removeRunExit(child?: string): void {
    this.exits.delete(child);
  }

  clear(): void {
    if (this.addresses.size > 0) this.epoch = ++addressEpoch;
    this.addresses.clear();
    this.syscalls.clear();
    this.entries.clear();
    this.exits.clear();
  }

  /** Every setting, addresses first (by guest, then address), for listings. */
  list(): BreakpointSpec[] {
    const out: BreakpointSpec[] = [];
    for (const guest of [...this.addresses.keys()].sort()) {
      const eips = [...this.addresses.get(guest)!].map((a) => a >>> 0).sort((a, b) => a - b);
      for (const eip of eips) out.push({ kind: "address", guest, eip });
    }
    for (const [guest, numbers] of this.syscalls) {
      for (const number of numbers) {
        out.push({
          kind: "syscall",
          ...(guest !== undefined ? { guest } : {}),
          ...(number !== undefined ? { number } : {}),
        });
      }
    }
    for (const [kind, set] of [["run-entry", this.entries], ["run-exit", this.exits]] as const) {
      for (const child of set) out.push({ kind, ...(child !== undefined ? { child } : {}) });
    }
    return out;
  }

  /** The address breakpoints of one guest, as the engine compares EIP (signed 32-bit). */
  addressesOf(guest: string): ReadonlySet<number> | undefined {
    return this.addresses.get(guest);
  }

  hasAddress(guest: string, eip: number): boolean {
    return this.addresses.get(guest)?.has(eip | 0) === true;
  }

  hasSyscall(guest: string, number: number): boolean {
    if (this.syscalls.size === 0) return false;
    const n = number >>> 0;
    for (const g of [guest, undefined]) {
      const set = this.syscalls.get(g);
      if (set !== undefined && (set.has(n) || set.has(undefined))) return true;
    }
    return false;
  }

  hasRunEntry(child: string): boolean {
    return this.entries.size > 0 && (this.entries.has(child) || this.entries.has(undefined));
  }

  hasRunExit(child: string): boolean {
    return this.exits.size > 0 && (this.exits.has(child) || this.exits.has(undefined));
  }

  /**
   * Decides whether an event stops the run: `set` says whether a
   * breakpoint is set for it. While stepping over the last hit (see
   * `skipping`) nothing stops, and meeting that hit again ends the step
   * over, so that the events after it at the same position do stop.
   */
  stops(hit: BreakHit, set: boolean): boolean {
    if (this.skipping === undefined) return set;
    if (sameHit(this.skipping, hit)) this.skipping = undefined;
    return false;
  }
}

function address(eip: number): number {
  if (!(Number.isInteger(eip) && eip >= -(2 ** 31) && eip < 2 ** 32)) {
    throw new RangeError(`not a 32-bit address: ${eip}`);
  }
  return eip | 0;
}

/**
 * True if two hits are the same event (kind, guest and where).
 *
 * @example
 * sameHit({ kind: "run-entry", guest: "", child: "fs/child" }, stop.break!);
 */
export function sameHit(a: BreakHit, b: BreakHit): boolean {
  if (a.kind !== b.kind || a.guest !== b.guest) return false;
  switch (a.kind) {
    case "address":
      return a.eip === (b as typeof a).eip;
    case "syscall":
      return a.eip === (b as typeof a).eip && a.number === (b as typeof a).number;
    default:
      return a.child === (b as typeof a).child;
  }
}

/**
 * The id of the sub-guest at absolute path `path` of guest `parent`'s file
 * system.
 *
 * @example
 * childId("", "/child") === "fs/child";
 * childId("fs/child", "/child") === "fs/child/fs/child";
 */
export function childId(parent: string, path: string): string {
  return `${parent === "" ? "" : parent + "/"}fs${path}`;
}
