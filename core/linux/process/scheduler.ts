/**
 * The deterministic scheduler. Processes take turns in ascending pid
 * order, starting after the one that ran last (round-robin); a process
 * runs until it blocks, ends, or has run QUANTUM instructions. A blocked
 * process is runnable again when its system call, retried, no longer
 * blocks: the retry completes the call (the `int 0x80` was counted when it
 * first ran). A sleeping process wakes once the machine clock (the
 * instructions all processes ran, 1 ns each) reaches the end of its sleep,
 * or earlier in guest terms when no process can run: the clock then jumps
 * to the earliest end of a sleep. Nothing here depends on anything but the
 * guest's state.
 */
import type { Linux } from "../linux.ts";
import { QUANTUM } from "./machine.ts";

/** Whether `p` can run on without the scheduler (it neither ended, blocks nor waits for a vfork child). */
export function running(p: Linux | undefined): boolean {
  return p?.cpu !== undefined && !p.cpu.halted && p.vforkChild === 0;
}

/** Whether a process other than `k` (or its threads) is still alive. */
export function othersLive(k: Linux): boolean {
  for (const p of k.machine.procs?.values() ?? []) {
    if (p !== k && p.exit === undefined && p.cpu !== undefined) return true;
  }
  return false;
}

/** Whether `p` can run now; a blocked call is retried (and may complete). */
function runnable(p: Linux, wake: boolean): boolean {
  const c = p.cpu;
  if (c === undefined || p.exit !== undefined || p.vforkChild !== 0) return false;
  if (p.sleeping === "asleep") {
    if (!wake && p.machine.clock < p.sleepUntil) return false;
    p.machine.clock = Math.max(p.machine.clock, p.sleepUntil);
    p.sleeping = "woken";
  }
  if (!c.halted) return true;
  // Halted by vfork, and the child has exec'd or ended since.
  if (p.blocked === undefined) {
    c.halted = false;
    return true;
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
      if (p && runnable(p, false)) return pick(p);
    }
    // Nobody can run: time jumps to the earliest end of a sleep.
    const sleepers = [...procs.values()].filter((p) => p.sleeping === "asleep" && p.exit === undefined && p.cpu);
    sleepers.sort((a, b) => a.sleepUntil - b.sleepUntil || a.pid - b.pid);
    for (const p of sleepers) if (runnable(p, true)) return pick(p);
  }
  m.current = first.pid;
  return false;
}
