/**
 * kill/tkill/tgkill between processes: which processes a pid argument
 * names, and sending them a signal (its default action, or recorded as
 * pending while signal delivery is the signals module's).
 */
import { EPERM, ESRCH, LinuxError } from "../errno.ts";
import type { Linux } from "../linux.ts";
import { exitGroup } from "./exit.ts";
import { processList } from "./list.ts";
import { raiseSignal } from "../signals/deliver.ts";
import type { SigInfoWords } from "../signals.ts";

/**
 * The processes `pid` names for kill(2): itself (> 0), the caller's group
 * (0), a group (< -1), or all but the caller (-1). ESRCH if none.
 *
 * @example
 * killTargets(k, 0); // every live process in the caller's process group
 */
export function killTargets(k: Linux, pid: number): Linux[] {
  if (!k.machine.procs) {
    // One process: it is every process, group and session there is.
    if (pid !== 0 && pid !== -1 && pid !== k.pid && pid !== -k.pgid) throw new LinuxError(ESRCH);
    return [k];
  }
  // Signals go to processes (their first threads).
  const live = processList(k).filter((p) => p.exit === undefined);
  const out = pid > 0
    ? live.filter((p) => p.pid === pid)
    : pid === -1
    ? live.filter((p) => p.tgid !== k.tgid)
    : live.filter((p) => p.pgid === (pid === 0 ? k.pgid : -pid));
  if (out.length === 0) throw new LinuxError(pid === -1 ? EPERM : ESRCH);
  return out;
}

/**
 * Raises `sig` in each of `targets` (with the sender's siginfo words, to
 * the process or to the thread); a process it kills ends at once.
 *
 * @example
 * sendSignal(killTargets(k, childPid), SIGTERM);
 */
export function sendSignal(
  targets: Linux[],
  sig: number,
  info?: SigInfoWords,
  to: "process" | "thread" = "process",
): void {
  for (const p of targets) {
    raiseSignal(p, sig, info, to);
    if (p.exit && p.cpu) exitGroup(p, p.exit);
  }
}
