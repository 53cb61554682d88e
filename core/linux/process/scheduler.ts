/**
 * The deterministic scheduler. Processes take turns in ascending pid
 * order, starting after the one that ran last (round-robin); a process
 * runs until it blocks, ends, is stopped (process/stop.ts), or has run
 * QUANTUM instructions; a stopped one is skipped until it is continued. A blocked
 * process is runnable again when its system call, retried, no longer
 * blocks: the retry completes the call (the `int 0x80` was counted when it
 * first ran).
 *
 * Time is the machine's clock (docs/linux.md, "Guest time"): every
 * instruction any process runs moves it 1 ns, and a process that did not
 * run meanwhile finds its clock (its CPU's instruction count) moved up to
 * the machine's when it is considered again. So a timer of a waiting
 * process is due once the clock passes its deadline: it fires when the
 * scheduler next looks at the process, and its signal interrupts the wait.
 * A sleeping process wakes once the clock reaches the end of its sleep,
 * and a poll or select with a timeout times out then.
 * When no process can run, the clock jumps to the earliest end of a sleep
 * or timer that can wake one. Nothing here depends on anything but the
 * guest's state.
 */
import { Blocked } from "../errno.ts";
import type { Linux } from "../linux.ts";
import { exitGroup } from "./exit.ts";
import { isStopped } from "./stop.ts";
import { type Machine, QUANTUM } from "./machine.ts";
import { fireTimers, nextDeadline, nextWakeup } from "../signals/timers.ts";

/** Whether `p` can run on without the scheduler (it neither ended, blocks, is stopped nor waits for a vfork child). */
export function running(p: Linux | undefined): boolean {
  return p?.cpu !== undefined && !p.cpu.halted && p.vforkChild === 0 && !isStopped(p);
}

/** Whether a process other than `k` (or its threads) is still alive. */
export function othersLive(k: Linux): boolean {
  for (const p of k.machine.procs?.values() ?? []) {
    if (p !== k && p.exit === undefined && p.cpu !== undefined) return true;
  }
  return false;
}

/**
 * A wait of `ns` nanoseconds among other processes (a sleep, or a poll or
 * select timeout): returns at once while the process is alone or when the
 * time is up; else it blocks (throws Blocked) until the clock has advanced
 * by `ns` — "asleep" without being retried before, "polling" retried as
 * any blocked call, whose readiness may end the wait first.
 *
 * @example
 * if (nothingReady) { timedWait(k, 1e9, "polling"); return 0; } // poll(…, 1000)
 */
export function timedWait(k: Linux, ns: number, how: "asleep" | "polling"): void {
  if (ns <= 0 || k.sleeping === "woken" || !othersLive(k)) {
    k.sleeping = undefined;
    return;
  }
  if (k.sleeping === undefined) {
    k.sleeping = how;
    k.sleepUntil = k.now + ns;
  }
  throw new Blocked(how === "asleep" ? "sleeping" : "waiting for descriptors or a timeout");
}

/**
 * Moves the machine clock up to `p`'s, the process that ran last (its
 * instructions, and any time it waited alone, are the machine's time).
 *
 * @example
 * syncClock(k.machine, k); // after k ran
 */
export function syncClock(m: Machine, p: Linux | undefined): void {
  if (p?.cpu) m.clock = Math.max(m.clock, p.cpu.icount);
}

/**
 * Whether `p` can run now; a blocked call is retried (and may complete).
 * A sleep or timed wait whose end the clock has reached is woken: its
 * retried call returns as timed out.
 */
function runnable(p: Linux): boolean {
  const c = p.cpu;
  if (c === undefined || p.exit !== undefined || p.vforkChild !== 0 || isStopped(p)) return false;
  const m = p.machine;
  if (p.sleeping === "asleep" || p.sleeping === "polling") {
    if (m.clock >= p.sleepUntil) p.sleeping = "woken";
    else if (p.sleeping === "asleep") return false;
  }
  // Time passed for it while others ran.
  c.icount = Math.max(c.icount, m.clock);
  if (!c.halted) return true;
  // Halted by vfork, and the child has exec'd or ended since.
  if (p.blocked === undefined) {
    c.halted = false;
    return true;
  }
  // Its timers that came due while it waited fire now: their signals interrupt the wait.
  if (nextDeadline(p) <= c.icount) {
    fireTimers(p, c.icount);
    if (p.exit !== undefined) {
      exitGroup(p, p.exit);
      return false;
    }
  }
  // Retry the call: Linux.syscall expects EIP past the int 0x80.
  c.halted = false;
  c.eip = (c.eip + 2) | 0;
  p.syscall(c, p.mem!);
  return !c.halted;
}

/**
 * Picks the process to run next and gives it a fresh quantum; returns
 * false (leaving the first process current) when the guest has ended or no
 * process can run.
 *
 * @example
 * if (!schedule(k)) { // every process waits: the guest is stopped }
 */
export function schedule(k: Linux): boolean {
  const m = k.machine;
  const procs = m.procs;
  if (!procs) return false;
  const first = procs.values().next().value!;
  syncClock(m, procs.get(m.current));
  if (first.exit === undefined) {
    const order = [...procs.keys()];
    // The next pid after the current one, wrapping around (the current one comes last).
    const start = Math.max(0, order.findIndex((pid) => pid > m.current));
    const pick = (p: Linux) => {
      m.current = p.pid;
      m.quantum = QUANTUM;
      return true;
    };
    for (let i = 0; i < order.length; i++) {
      const p = procs.get(order[(start + i) % order.length]);
      if (p && runnable(p)) return pick(p);
    }
    // Nobody can run: time jumps to the earliest end of a sleep or timer
    // that can wake a process (firing a timer may re-arm it, or leave its
    // signal pending without waking anyone: look again, until none is left).
    for (let w = earliestWakeup(procs); w !== undefined; w = earliestWakeup(procs)) {
      m.clock = Math.max(m.clock, w.at);
      if (runnable(w.p)) return pick(w.p);
    }
  }
  m.current = first.pid;
  return false;
}

/**
 * When a waiting process `p` can wake on its own: the end of its sleep, or
 * its next timer that can wake it (never while it is stopped: its timers
 * fire once it is continued).
 */
function wakeupOf(p: Linux): number {
  if (p.exit !== undefined || !p.cpu?.halted || p.vforkChild !== 0 || isStopped(p)) return Infinity;
  const timed = p.sleeping === "asleep" || p.sleeping === "polling";
  return Math.min(timed ? p.sleepUntil : Infinity, p.blocked !== undefined ? nextWakeup(p) : Infinity);
}

/** The waiting process that wakes first (the lowest pid among those due together), if any does. */
function earliestWakeup(procs: Map<number, Linux>): { p: Linux; at: number } | undefined {
  let best: { p: Linux; at: number } | undefined;
  for (const p of procs.values()) {
    const at = wakeupOf(p);
    if (at < (best?.at ?? Infinity)) best = { p, at };
  }
  return best;
}
