/**
 * Job control's stop and continue (docs/linux.md, "Signals" and
 * "Processes"): SIGSTOP, and SIGTSTP, SIGTTIN or SIGTTOU with their default
 * action, stop every thread of a process until SIGCONT continues it; the
 * parent hears of both through SIGCHLD (CLD_STOPPED, CLD_CONTINUED) and
 * wait's WUNTRACED and WCONTINUED. The state is the first thread's
 * `stopSig` and `stopReport`, kept in its os blob.
 */
import { UID } from "../identity.ts";
import type { Linux } from "../linux.ts";
import {
  inSet,
  NSIG,
  removeFromSet,
  SIGCHLD,
  signalEffect,
  signalName,
  SIGCONT,
  SIGSTOP,
  type SigInfoWords,
  SIGTSTP,
  SIGTTIN,
  SIGTTOU,
} from "../signals.ts";
import { processList, threadsOf } from "./list.ts";

/** SIGCHLD's sa_flags bit: no SIGCHLD when a child stops or continues. */
export const SA_NOCLDSTOP = 1;
/** si_code of SIGCHLD and waitid: the child stopped, or continued. */
export const CLD_STOPPED = 5, CLD_CONTINUED = 6;

/** The signals whose default action stops the process. */
const STOP_SIGNALS = [SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU];

/**
 * Whether `sig`'s default action is to stop the process.
 *
 * @example
 * isStopSignal(SIGTSTP); // true
 */
export function isStopSignal(sig: number): boolean {
  return STOP_SIGNALS.includes(sig);
}

/**
 * Whether `p`'s process is stopped: none of its threads is scheduled.
 *
 * @example
 * if (isStopped(p)) return false; // not runnable until SIGCONT
 */
export function isStopped(p: Linux): boolean {
  return p.group.stopSig !== 0;
}

/**
 * What sending `sig` to `k`'s process does before anything else, as in
 * Linux's prepare_signal: a stop signal discards a pending SIGCONT; SIGCONT
 * discards pending stop signals and continues a stopped process, whatever
 * its action (a handler then runs as usual).
 *
 * Returns whether it continued the process.
 *
 * @example
 * prepareSignal(child, SIGCONT); // true: the child runs again; its parent gets CLD_CONTINUED
 */
export function prepareSignal(k: Linux, sig: number): boolean {
  if (isStopSignal(sig)) discardPending(k, [SIGCONT]);
  else if (sig === SIGCONT) {
    discardPending(k, STOP_SIGNALS);
    const leader = k.group;
    if (leader.stopSig === 0 || leader.exit) return false;
    leader.stopSig = 0;
    leader.stopReport = "continued";
    notifyParent(leader, [CLD_CONTINUED, leader.pid, UID, SIGCONT, 0, 0]);
    // Running again, it takes first a fatal signal that came while it was stopped.
    const fatal = pendingFatal(k);
    if (fatal !== undefined) k.exit ??= { kind: "killed", signal: fatal };
    return true;
  }
  return false;
}

/** The lowest pending signal of `k`'s process whose action now is to end it, if any. */
function pendingFatal(k: Linux): number | undefined {
  for (let sig = 1; sig <= NSIG; sig++) {
    for (const t of threadsOf(k)) {
      if (inSet(t.signals.pending, sig) && signalEffect(t.signals, sig) === "kill") return sig;
    }
  }
  return undefined;
}

/**
 * What a process list says of `p` while its process is stopped (undefined when it is not).
 *
 * @example
 * stoppedState(child); // "stopped by SIGTSTP"
 */
export function stoppedState(p: Linux): string | undefined {
  return isStopped(p) ? `stopped by ${signalName(p.group.stopSig)}` : undefined;
}

/**
 * The default action of stop signal `sig` for `k`'s process: every thread
 * stops and the parent is told, unless the process is stopped already or
 * the signal is SIGTSTP, SIGTTIN or SIGTTOU and its process group is
 * orphaned (nobody could continue it: Linux discards those).
 *
 * @example
 * stopProcess(child, SIGSTOP); // isStopped(child): true
 */
export function stopProcess(k: Linux, sig: number): void {
  const leader = k.group;
  if (leader.stopSig !== 0 || leader.exit) return;
  if (sig !== SIGSTOP && orphanedGroup(leader)) return;
  leader.stopSig = sig;
  leader.stopReport = "stopped";
  notifyParent(leader, [CLD_STOPPED, leader.pid, UID, sig, 0, 0]);
}

/**
 * For a deadlock's message: the stopped processes that nothing can
 * continue now (empty when none is stopped).
 *
 * @example
 * stoppedNote(main); // " (stopped: process 101 by SIGSTOP)"
 */
export function stoppedNote(k: Linux): string {
  const stopped = processList(k).filter((p) => p.stopSig !== 0 && !p.exit);
  if (stopped.length === 0) return "";
  return ` (stopped: ${stopped.map((p) => `process ${p.pid} by ${signalName(p.stopSig)}`).join(", ")})`;
}

/** SIGCHLD to the parent of `leader`'s process, unless the parent asked for SA_NOCLDSTOP. */
function notifyParent(leader: Linux, info: SigInfoWords): void {
  const parent = leader.machine.procs?.get(leader.ppid);
  if (!parent || (parent.signals.actions[SIGCHLD]?.flags ?? 0) & SA_NOCLDSTOP) return;
  parent.signal(SIGCHLD, info);
}

/** Removes `sigs` from the pending sets of every thread of `k`'s process. */
function discardPending(k: Linux, sigs: number[]): void {
  for (const t of threadsOf(k)) {
    for (const sig of sigs) {
      removeFromSet(t.signals.pending, sig);
      if (t.signals.info) {
        delete t.signals.info[sig];
        if (Object.keys(t.signals.info).length === 0) delete t.signals.info;
      }
    }
  }
}

/**
 * The processes Linux's kill_orphaned_pgrp sends SIGHUP then SIGCONT as
 * `k` ends (after its `children` went to init): every member of a group
 * that the end orphans — `k`'s own, if its parent is in another group of
 * its session, and its children's groups of that kind — when one of the
 * members is stopped, since nothing could continue it any more.
 *
 * @example
 * for (const p of orphanedStoppedGroups(k, children)) { p.signal(SIGHUP); p.signal(SIGCONT); }
 */
export function orphanedStoppedGroups(k: Linux, children: Linux[]): Linux[] {
  const procs = k.machine.procs;
  if (!procs) return [];
  const parent = procs.get(k.ppid);
  const bridges = [...(parent ? [{ from: parent, to: k }] : []), ...children.map((c) => ({ from: k, to: c }))];
  const groups = new Set<number>();
  for (const { from, to } of bridges) if (from.pgid !== to.pgid && from.sid === to.sid) groups.add(to.pgid);
  const out: Linux[] = [];
  for (const pgid of [...groups].sort((a, b) => a - b)) {
    const members = processList(k).filter((p) => p.pgid === pgid && !p.exit);
    if (members.some((p) => p.stopSig !== 0) && orphanedGroup(members[0])) out.push(...members);
  }
  return out;
}

/**
 * Whether the process group of `member` is orphaned (Linux's
 * will_become_orphaned_pgrp): no live member has a parent in another
 * group of the same session. The first process's parent is outside the
 * guest, a shell in another group of its session as far as this goes.
 */
function orphanedGroup(member: Linux): boolean {
  const procs = member.machine.procs;
  if (!procs) return false;
  const first = procs.values().next().value;
  for (const p of procs.values()) {
    if (p.pid !== p.tgid || p.pgid !== member.pgid || p.exit) continue;
    // Children of init (orphans fx86 reaps, ppid 1) do not count, as in Linux.
    const parent = procs.get(p.ppid);
    if (p === first || (parent !== undefined && parent.pgid !== p.pgid && parent.sid === p.sid)) return false;
  }
  return true;
}
