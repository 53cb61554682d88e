/**
 * Reverse execution: `reverse-continue` finds the last stop a forward run
 * would have made before the current position, and goes there. The history
 * is scanned backwards one checkpoint interval at a time: each interval is
 * replayed forward with the breakpoints and watchpoints armed, recording
 * every stop instead of stopping, and the last one recorded wins. So the
 * answer is exact (the same stops a forward run makes, same state), and it
 * costs one replay of each interval between the position and the stop.
 *
 * A breakpoint stops reverse execution where it stops a forward run (about
 * to execute its instruction); a watchpoint stops *before* the instruction
 * that changed the value (gdb's and rr's convention), so a forward step
 * from there makes the change again.
 */
import type { Machine } from "./machine.ts";
import type { BreakSpec } from "./breakpoints.ts";
import type { RunEnd, RunHow, SessionState, StopEvent } from "./state.ts";
import { nearest } from "../vm/timeline.ts";
import type { ExecuteOptions } from "./view.ts";
import { travel } from "./commands/run.ts";

/**
 * The session's own stops for a reverse run (reverse-finish): hidden
 * breakpoints and when they count; `accept` keeps only some stops (why).
 */
export type ReverseHow = Pick<RunHow, "hidden" | "until"> & { accept?: (e: StopEvent) => boolean };

/** What a reverse run ended with: the stop, or the start of the history. */
export interface ReverseEnd {
  reason: string;
  /** False when it went all the way back to the start of the history. */
  found: boolean;
  /** The breakpoint or watchpoint it stopped at. */
  spec?: BreakSpec;
  /** The stop, as the scan recorded it. */
  event?: StopEvent;
}

/**
 * Runs machine `m` backwards to the last stop before its position, or to
 * the start of its history.
 *
 * @example
 * const end = await reverseContinue(s, s.machine(), {});
 * end.found; // false: "no more reverse-execution history"
 */
export async function reverseContinue(s: SessionState, m: Machine, opts: ExecuteOptions, how: ReverseHow = {}): Promise<ReverseEnd> {
  const cur = m.position;
  const first = m.timeline.checkpoints[0].at;
  s.remember();
  for (let hi = cur; hi > first;) {
    const lo = nearest(m.timeline.checkpoints, hi - 1)!.at;
    await travel(s, m, lo, opts, "went back to instruction");
    s.breakpoints.forgetLast(m);
    let last: StopEvent | undefined;
    const end: RunEnd = await s.run(m, hi - lo, opts, {
      hidden: how.hidden,
      until: how.until,
      remember: false,
      record: (e) => {
        if (how.accept?.(e) !== false) last = e;
      },
    });
    if (end.kind === "interrupt") return { reason: end.reason, found: true };
    if (last) {
      await travel(s, m, last.at, opts, "went back to instruction");
      if (last.hit) s.breakpoints.setLast(m, last.at, last.hit);
      s.dropTemporary([last.spec]);
      s.lastStop = last.reason;
      return { reason: last.reason, found: true, spec: last.spec, event: last };
    }
    hi = lo;
  }
  await travel(s, m, first, opts, "went back to instruction");
  s.lastStop = `no more reverse-execution history: at the start, instruction ${first}`;
  return { reason: s.lastStop, found: false };
}

/** A register change found by {@link lastRegisterChange}. */
export interface RegisterChange {
  /** The position before the instruction that changed it (where the search left the machine). */
  at: number;
  eip: number;
  before: number;
  after: number;
}

/**
 * Goes back to the last instruction before the position that changed
 * `read(guest)` (a register of the top-level guest), one checkpoint
 * interval at a time, stepping each interval one instruction at a time
 * (about a microsecond an instruction). Undefined, at the start of the
 * history, if nothing since the start changed it.
 *
 * @example
 * await lastRegisterChange(s, m, (g) => g.cpu.r[EAX], {}); // { at: 9386, eip: 0x0804971d, before: 2, after: 3 }
 */
export async function lastRegisterChange(
  s: SessionState,
  m: Machine,
  read: (g: Machine["guest"]) => number,
  opts: ExecuteOptions,
): Promise<RegisterChange | undefined> {
  const first = m.timeline.checkpoints[0].at;
  s.remember();
  for (let hi = m.position; hi > first;) {
    const lo = nearest(m.timeline.checkpoints, hi - 1)!.at;
    await travel(s, m, lo, opts, "went back to instruction");
    s.breakpoints.detach(m);
    let last: RegisterChange | undefined;
    while (m.position < hi) {
      const eip = m.guest.cpu.eip >>> 0, before = read(m.guest);
      m.timeline.run(1);
      const after = read(m.guest);
      if (after !== before) last = { at: m.position - 1, eip, before, after };
      if (m.position % 65536 === 0 && opts.signal?.aborted) return undefined;
    }
    if (last) {
      await travel(s, m, last.at, opts, "went back to instruction");
      return last;
    }
    hi = lo;
  }
  await travel(s, m, first, opts, "went back to instruction");
  return undefined;
}
