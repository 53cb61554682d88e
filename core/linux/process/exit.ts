/**
 * The end of a process other than the guest's first: its descriptors are
 * closed and its CPU and memory dropped at once; what is left (its exit
 * status) waits in the table for its parent's wait4. Orphans are adopted
 * by "init" (pid 1), which fx86 does not run: it reaps them at once.
 */
import type { Linux } from "../linux.ts";
import { SIG_IGN, SIGCHLD } from "../signals.ts";

/** sa_flags bit: children that exit are not kept for wait. */
const SA_NOCLDWAIT = 2;

/**
 * Releases a process that has just exited or been killed (`k.exit` set).
 * The first process is left whole: the guest ends with it.
 *
 * @example
 * k.exit = { kind: "exited", code: 0 };
 * endProcess(k);
 */
export function endProcess(k: Linux): void {
  const procs = k.machine.procs;
  if (!procs || procs.values().next().value === k || k.cpu === undefined) return;
  for (const fd of [...k.fds.keys()].sort((a, b) => a - b)) k.closeFd(fd);
  k.cpu = undefined;
  k.mem = undefined;
  k.blocked = undefined;
  k.vforkChild = 0;
  for (const p of procs.values()) {
    if (p.vforkChild === k.pid) p.vforkChild = 0;
    if (p.ppid !== k.pid) continue;
    p.ppid = 1;
    if (p.exit) procs.delete(p.pid);
  }
  const parent = procs.get(k.ppid);
  const action = parent?.signals.actions[SIGCHLD];
  if (!parent || action?.handler === SIG_IGN || (action && action.flags & SA_NOCLDWAIT)) {
    procs.delete(k.pid);
    return;
  }
  parent.signal(SIGCHLD);
}
