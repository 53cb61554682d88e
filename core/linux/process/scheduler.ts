/**
 * The deterministic scheduler. Processes take turns in ascending pid
 * order, starting after the one that ran last (round-robin); a process
 * runs until it blocks, ends, or has run QUANTUM instructions. A blocked
 * process is runnable again when its system call, retried, no longer
 * blocks: the retry completes the call (the `int 0x80` was counted when it
 * first ran). Nothing here depends on anything but the guest's state.
 */
import type { Linux } from "../linux.ts";
import { QUANTUM } from "./machine.ts";

/** Whether `p` can run on without the scheduler (it neither ended, blocks nor waits for a vfork child). */
export function running(p: Linux | undefined): boolean {
  return p?.cpu !== undefined && !p.cpu.halted && p.vforkChild === 0;
}

/** Whether `p` can run now; a blocked call is retried (and may complete). */
function runnable(p: Linux): boolean {
  const c = p.cpu;
  if (c === undefined || p.exit !== undefined || p.vforkChild !== 0) return false;
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
    for (let i = 0; i < order.length; i++) {
      const p = procs.get(order[(start + i) % order.length]);
      if (p && runnable(p)) {
        m.current = p.pid;
        m.quantum = QUANTUM;
        return true;
      }
    }
  }
  m.current = first.pid;
  return false;
}
