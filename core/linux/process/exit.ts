/**
 * The end of a process other than the guest's first: its descriptors are
 * closed and its CPU and memory dropped at once; what is left (its exit
 * status) waits in the table for its parent's wait4. Orphans are adopted
 * by "init" (pid 1), which fx86 does not run: it reaps them at once; a
 * group the end orphans with a stopped member is hung up and continued.
 */
import { endThreadTime } from "./cputime.ts";
import { putU32 } from "../abi.ts";
import type { Exit, Linux } from "../linux.ts";
import { SA_NOCLDWAIT, SIG_IGN, SIGCHLD, SIGCONT, SIGHUP, type SigInfoWords } from "../signals.ts";
import { orphanedStoppedGroups } from "./stop.ts";
import { threadsOf } from "./list.ts";
import { UID } from "../identity.ts";
import { futexWake } from "./futexes.ts";
import { abandonFifoOpen } from "../fifo.ts";

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
  if (!procs || procs.values().next().value === k || k.cpu === undefined || procs.get(k.pid) !== k) return;
  abandonFifoOpen(k);
  for (const fd of [...k.fds.keys()].sort((a, b) => a - b)) k.closeFd(fd);
  k.cpu = undefined;
  k.mem = undefined;
  k.blocked = undefined;
  k.vforkChild = 0;
  const children: Linux[] = [];
  for (const p of procs.values()) {
    if (p.vforkChild === k.pid) p.vforkChild = 0;
    if (p.ppid !== k.pid) continue;
    p.ppid = 1;
    if (p.exit) procs.delete(p.pid);
    else if (p.pid === p.tgid) children.push(p);
  }
  // Stopped processes that nothing could continue now are hung up and continued.
  for (const p of orphanedStoppedGroups(k, children)) {
    p.signal(SIGHUP);
    p.signal(SIGCONT);
    if (p.exit && p.cpu) exitGroup(p, p.exit);
  }
  const parent = procs.get(k.ppid);
  const action = parent?.signals.actions[SIGCHLD];
  // SA_NOCLDWAIT still sends SIGCHLD (to a handler); SIG_IGN drops it.
  parent?.signal(SIGCHLD, childInfo(k));
  if (!parent || action?.handler === SIG_IGN || (action && action.flags & SA_NOCLDWAIT)) procs.delete(k.pid);
}

/** si_code of SIGCHLD and waitid: the child exited, or was killed (fx86 never dumps core). */
const CLD_EXITED = 1, CLD_KILLED = 2;

/**
 * The siginfo words (si_code, si_pid, si_uid, si_status, si_utime,
 * si_stime) that describe how the ended process `p` ended, as its parent's
 * SIGCHLD handler and waitid see them.
 *
 * @example
 * childInfo(child); // [CLD_EXITED, 101, 1000, 3, 0, 0] after exit(3)
 */
export function childInfo(p: Linux): SigInfoWords {
  const e = p.exit!;
  return e.kind === "exited" ? [CLD_EXITED, p.pid, UID, e.code, 0, 0] : [CLD_KILLED, p.pid, UID, e.signal, 0, 0];
}

/** CLONE_CHILD_CLEARTID at a thread's end: zero the word and wake one waiter (pthread_join). */
function clearChildTid(t: Linux): void {
  if (t.tidAddress === 0 || !t.mem) return;
  try {
    putU32(t.mem, t.tidAddress, 0);
  } catch {
    return; // An unmapped word: Linux ignores it too.
  }
  futexWake(t, t.tidAddress, 1);
}

/**
 * exit(2): ends the calling thread. The process ends with its last thread,
 * or when its first thread exits (fx86 does not keep a process whose first
 * thread has gone).
 *
 * @example
 * exitThread(thread, 0);
 */
export function exitThread(k: Linux, code: number): void {
  const exit: Exit = { kind: "exited", code: code & 0xff };
  if (k.pid === k.tgid || threadsOf(k).length <= 1) {
    exitGroup(k, exit);
    return;
  }
  clearChildTid(k);
  k.exit = exit;
  endThreadTime(k);
  k.machine.procs!.delete(k.pid);
}

/**
 * exit_group(2), or a fatal signal: every thread of `k`'s process ends and
 * the process takes `exit` as its status.
 *
 * @example
 * exitGroup(k, { kind: "killed", signal: 9 });
 */
export function exitGroup(k: Linux, exit: Exit): void {
  const leader = k.group;
  for (const t of threadsOf(k)) {
    if (t === leader) continue;
    abandonFifoOpen(t);
    clearChildTid(t);
    t.exit = exit;
    t.cpu!.halted = true;
    endThreadTime(t);
    k.machine.procs!.delete(t.pid);
  }
  k.exit ??= exit;
  leader.exit ??= exit;
  // A stopped process that is killed ends stopped no more (nor reportable as stopped).
  leader.stopSig = 0;
  leader.stopReport = undefined;
  leader.cpu && (leader.cpu.halted = true);
  endProcess(leader);
}
