/**
 * wait4 and waitid: a parent collects the exit status of a child that has
 * ended (oldest matching child first), or waits until one does.
 */
import { Struct } from "../abi.ts";
import { Blocked, ECHILD, EINVAL, LinuxError } from "../errno.ts";
import type { Linux } from "../linux.ts";
import { SIGCHLD } from "../signals.ts";
import { childInfo } from "./exit.ts";

export const WNOHANG = 1, WEXITED = 4, WNOWAIT = 0x01000000;
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

/** The first ended child among `children`, removed from the table unless `keep`. */
function collect(k: Linux, children: Linux[], options: number, keep: boolean): Linux | undefined {
  const done = children.find((p) => p.exit !== undefined);
  if (!done) {
    if (options & WNOHANG) return undefined;
    throw new Blocked("waiting for a child process to end");
  }
  if (!keep) k.machine.procs!.delete(done.pid);
  return done;
}

/** The status word wait4 reports: exit code << 8, or the signal that killed it. */
function statusWord(p: Linux): number {
  const e = p.exit!;
  return e.kind === "exited" ? (e.code & 0xff) << 8 : e.signal & 0x7f;
}

/**
 * wait4(pid, &status, options, &rusage): returns the child's pid, or 0
 * with WNOHANG while none has ended.
 *
 * @example
 * wait4(k, -1, statusAddr, 0, 0); // blocks until a child ends
 */
export function wait4(k: Linux, pid: number, status: number, options: number, rusage: number): number {
  if (options & ~(WNOHANG | 2 | 8 | 0x40000000 | 0x80000000 | 0x20000000)) throw new LinuxError(EINVAL);
  const p = collect(k, matching(k, pid | 0), options, false);
  if (!p) return 0;
  if (status) new Struct(4).u32(0, statusWord(p)).write(k.mem!, status);
  if (rusage) new Struct(72).write(k.mem!, rusage);
  return p.pid;
}

/**
 * waitid(idtype, id, &siginfo, options, &rusage): fills a siginfo with
 * CLD_EXITED or CLD_KILLED; returns 0.
 *
 * @example
 * waitid(k, 1, childPid, infoAddr, WEXITED, 0);
 */
export function waitid(k: Linux, idtype: number, id: number, info: number, options: number, rusage: number): number {
  if (!(options & WEXITED) || idtype > P_PGID) throw new LinuxError(EINVAL);
  const pid = idtype === P_ALL ? -1 : idtype === P_PID ? id | 0 : -(id | 0) || 0;
  const p = collect(k, matching(k, pid), options, (options & WNOWAIT) !== 0);
  const si = new Struct(128);
  if (p) {
    si.u32(0, SIGCHLD);
    childInfo(p).forEach((word, i) => si.u32(8 + 4 * i, word));
  }
  if (info) si.write(k.mem!, info);
  if (rusage) new Struct(72).write(k.mem!, rusage);
  return 0;
}
