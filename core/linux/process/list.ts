/**
 * The processes of a guest as /proc and `ps` see them: one entry per
 * process (its first thread), in pid order, those that ended and wait for
 * their parent's wait4 included; and the threads of one process.
 */
import type { Linux } from "../linux.ts";

/**
 * Every process of `k`'s guest: just `k` in a guest that never forked.
 *
 * @example
 * for (const p of processList(k)) console.log(p.pid, p.comm, p.exit ? "zombie" : "alive");
 */
export function processList(k: Linux): Linux[] {
  const procs = k.machine.procs;
  if (!procs) return [k];
  return [...procs.values()].filter((p) => p.pid === p.tgid);
}

/**
 * The live threads of `k`'s process, first thread first (just `k` in a
 * guest that never forked).
 *
 * @example
 * threadsOf(k).length; // 1 for a process without threads
 */
export function threadsOf(k: Linux): Linux[] {
  const procs = k.machine.procs;
  if (!procs) return [k];
  return [...procs.values()].filter((t) => t.tgid === k.tgid && t.exit === undefined);
}
