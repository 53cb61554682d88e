/**
 * wait4 and waitid: a parent collects the exit status of a child that has
 * ended, or hears that one stopped or continued (oldest matching child
 * first), or waits until one does.
 */
import { Struct } from "../abi.ts";
import { Blocked, ECHILD, EINVAL, LinuxError } from "../errno.ts";
import type { Linux } from "../linux.ts";
import { UID } from "../identity.ts";
import { SIGCHLD, SIGCONT, type SigInfoWords } from "../signals.ts";
import { childInfo } from "./exit.ts";
import { CLD_CONTINUED, CLD_STOPPED } from "./stop.ts";
import { reapedTime } from "./cputime.ts";
import { usage } from "./rusage.ts";

export const WNOHANG = 1, WEXITED = 4, WNOWAIT = 0x01000000;
/** Report children that stopped (wait4's WUNTRACED, waitid's WSTOPPED), or continued. */
export const WSTOPPED = 2, WCONTINUED = 8;
/** Linux's __WNOTHREAD, __WALL and __WCLONE: accepted, and change nothing here. */
const WTHREADS = 0x20000000 | 0x40000000 | 0x80000000;
/** waitid's idtype. */
const P_ALL = 0, P_PID = 1, P_PGID = 2;

/** Which children a wait is for: pid > 0, a group (-pgid, or 0: the caller's), or any (-1). */
function matching(k: Linux, pid: number): Linux[] {
  const out: Linux[] = [];
  for (const p of k.machine.procs?.values() ?? []) {
    if (p.ppid !== k.tgid || p.pid !== p.tgid || p.tgid === k.tgid) continue;
    if (pid > 0 ? p.pid === pid : pid === -1 ? true : p.pgid === (pid === 0 ? k.pgid : -pid)) out.push(p);
  }
  if (out.length === 0) throw new LinuxError(ECHILD);
  return out;
}

/** What a wait with `options` can report of child `p` now: its end, its stop or its continuing. */
type Event = "exited" | "stopped" | "continued";
function eventOf(p: Linux, options: number): Event | undefined {
  if (p.exit !== undefined) return options & WEXITED ? "exited" : undefined;
  if (options & WSTOPPED && p.stopSig !== 0 && p.stopReport === "stopped") return "stopped";
  if (options & WCONTINUED && p.stopReport === "continued") return "continued";
  return undefined;
}

/**
 * The first child among `children` with something to report, and what:
 * an ended child is removed from the table, a stop or continue is
 * reported only once (unless `keep`: WNOWAIT).
 */
function collect(k: Linux, children: Linux[], options: number, keep: boolean): { p: Linux; event: Event } | undefined {
  for (const p of children) {
    const event = eventOf(p, options);
    if (event === undefined) continue;
    if (!keep && event === "exited") {
      k.machine.procs!.delete(p.pid);
      k.group.cpuTimeChildren += reapedTime(p);
    }
    else if (!keep) p.stopReport = undefined;
    return { p, event };
  }
  if (options & WNOHANG) return undefined;
  throw new Blocked(
    options & (WSTOPPED | WCONTINUED)
      ? "waiting for a child process to end, stop or continue"
      : "waiting for a child process to end",
  );
}

/**
 * The status word wait4 reports: exit code << 8, the signal that killed
 * it, 0x7f | stop signal << 8 (WIFSTOPPED), or 0xffff (WIFCONTINUED).
 */
function statusWord(p: Linux, event: Event): number {
  if (event === "stopped") return (p.stopSig << 8) | 0x7f;
  if (event === "continued") return 0xffff;
  const e = p.exit!;
  return e.kind === "exited" ? (e.code & 0xff) << 8 : e.signal & 0x7f;
}

/** The siginfo words of waitid's answer: childInfo's for an end, CLD_STOPPED or CLD_CONTINUED else. */
function eventInfo(p: Linux, event: Event): SigInfoWords {
  if (event === "stopped") return [CLD_STOPPED, p.pid, UID, p.stopSig, 0, 0];
  if (event === "continued") return [CLD_CONTINUED, p.pid, UID, SIGCONT, 0, 0];
  return childInfo(p);
}

/**
 * wait4(pid, &status, options, &rusage): returns the child's pid, or 0
 * with WNOHANG while none has anything to report. Children that ended are
 * always reported; with WUNTRACED also one that stopped, with WCONTINUED
 * one that continued, each once.
 *
 * @example
 * wait4(k, -1, statusAddr, 0, 0); // blocks until a child ends
 */
export function wait4(k: Linux, pid: number, status: number, options: number, rusage: number): number {
  if (options & ~(WNOHANG | WSTOPPED | WCONTINUED | WTHREADS)) throw new LinuxError(EINVAL);
  const found = collect(k, matching(k, pid | 0), options | WEXITED, false);
  if (!found) return 0;
  if (status) new Struct(4).u32(0, statusWord(found.p, found.event)).write(k.mem!, status);
  if (rusage) usage(reapedTime(found.p)).write(k.mem!, rusage);
  return found.p.pid;
}

/**
 * waitid(idtype, id, &siginfo, options, &rusage): fills a siginfo with
 * CLD_EXITED, CLD_KILLED, CLD_STOPPED or CLD_CONTINUED (as WEXITED,
 * WSTOPPED and WCONTINUED ask; WNOWAIT leaves it to report again); returns 0.
 *
 * @example
 * waitid(k, 1, childPid, infoAddr, WEXITED, 0);
 */
export function waitid(k: Linux, idtype: number, id: number, info: number, options: number, rusage: number): number {
  const events = WEXITED | WSTOPPED | WCONTINUED;
  if (options & ~(WNOHANG | WNOWAIT | events | WTHREADS) || !(options & events) || idtype > P_PGID) {
    throw new LinuxError(EINVAL);
  }
  const pid = idtype === P_ALL ? -1 : idtype === P_PID ? id | 0 : -(id | 0) || 0;
  const found = collect(k, matching(k, pid), options, (options & WNOWAIT) !== 0);
  const si = new Struct(128);
  if (found) {
    si.u32(0, SIGCHLD);
    eventInfo(found.p, found.event).forEach((word, i) => si.u32(8 + 4 * i, word));
  }
  if (info) si.write(k.mem!, info);
  if (rusage) usage(found ? reapedTime(found.p) : 0).write(k.mem!, rusage);
  return 0;
}
