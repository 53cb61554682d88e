/**
 * CPU time of threads, processes and the children a process waited for,
 * counted in instructions (the guest runs 10^9 a second): what times(),
 * getrusage, wait4's rusage, the CPU-time clocks and /proc/PID/stat report.
 * A guest with one process has run nothing but it, so its CPU time is its
 * instruction count; from the first fork on, the engine loop charges each
 * thread what it runs (core/vm/guest.ts), and the time of a thread that
 * ends goes to its process's first thread.
 */
import type { Linux } from "../linux.ts";

/**
 * Instructions thread `k` has run.
 *
 * @example
 * threadCpuTime(k); // k.cpu.icount before the guest's first fork
 */
export function threadCpuTime(k: Linux): number {
  return k.machine.procs ? k.cpuTime : k.cpu?.icount ?? 0;
}

/**
 * Instructions `k`'s process has run: its live threads' and ended threads'.
 *
 * @example
 * processCpuTime(k) >= threadCpuTime(k); // true
 */
export function processCpuTime(k: Linux): number {
  const procs = k.machine.procs;
  if (!procs) return k.cpu?.icount ?? 0;
  const leader = k.group;
  let total = leader.cpuTime + leader.cpuTimeEnded;
  for (const t of procs.values()) if (t.tgid === leader.tgid && t !== leader && t.exit === undefined) total += t.cpuTime;
  return total;
}

/** Charges an ending thread's time to its process's first thread. */
export function endThreadTime(t: Linux): void {
  if (t !== t.group) t.group.cpuTimeEnded += t.cpuTime;
}

/** What wait4 reports of reaped child `p` and adds to its parent's children time: its own and its children's. */
export function reapedTime(p: Linux): number {
  return processCpuTime(p) + p.group.cpuTimeChildren;
}
