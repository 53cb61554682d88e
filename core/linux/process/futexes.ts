/**
 * Futex waits between threads. A waiting thread records the word it waits
 * on; a wake marks up to n waiters on that word of the same address space
 * (lowest thread id first) as woken, and the scheduler's retry of their
 * FUTEX_WAIT then returns 0.
 */
import type { Linux } from "../linux.ts";

/** The threads waiting on `addr` in `k`'s address space, lowest tid first. */
export function futexWaiters(k: Linux, addr: number): Linux[] {
  const out: Linux[] = [];
  for (const t of k.machine.procs?.values() ?? []) {
    if (t !== k && t.mem === k.mem && t.futexAddr === addr && !t.futexWoken && t.exit === undefined) out.push(t);
  }
  return out;
}

/**
 * Wakes up to `n` threads waiting on `addr`; returns how many.
 *
 * @example
 * futexWake(k, lockAddr, 1); // FUTEX_WAKE of one waiter
 */
export function futexWake(k: Linux, addr: number, n: number): number {
  const woken = futexWaiters(k, addr).slice(0, Math.max(0, n));
  for (const t of woken) {
    t.futexAddr = 0;
    t.futexWoken = true;
  }
  return woken.length;
}

/**
 * Moves up to `n` waiters from `from` to wait on `to` (FUTEX_CMP_REQUEUE); returns how many.
 *
 * @example
 * futexRequeue(k, condAddr, mutexAddr, 0x7fffffff);
 */
export function futexRequeue(k: Linux, from: number, to: number, n: number): number {
  const moved = futexWaiters(k, from).slice(0, Math.max(0, n));
  for (const t of moved) t.futexAddr = to;
  return moved.length;
}
