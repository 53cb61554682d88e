/**
 * What a new process or thread, and a program replacing its image, keep of
 * the signal records (fork(2), clone(2), execve(2)): for the processes work
 * to call when it makes them.
 *
 * @example
 * child.signals = forkSignals(parent.signals);  // fork: actions and mask, nothing pending
 * execSignals(linux.signals);                    // execve: handlers back to default
 */
import { type SignalState, SIG_IGN, type ThreadSignals } from "../signals.ts";
import { SS_DISABLE } from "./frame.ts";

/**
 * fork: the child has its parent's actions, mask and alternate stack, no
 * pending signals and no timers.
 *
 * @example
 * child.signals = forkSignals(parent.signals);
 */
export function forkSignals(parent: SignalState): SignalState {
  const s = structuredClone(parent);
  return {
    actions: s.actions,
    blocked: s.blocked,
    pending: [0, 0],
    altstack: s.altstack,
  };
}

/**
 * A new thread (clone with CLONE_VM): its creator's mask, nothing pending,
 * and no alternate stack (it would share its creator's).
 *
 * @example
 * const t = threadSignals(records(k).thread); // the new thread's record
 */
export function threadSignals(creator: ThreadSignals): ThreadSignals {
  return {
    blocked: [creator.blocked[0], creator.blocked[1]],
    pending: [0, 0],
    altstack: { sp: 0, flags: SS_DISABLE, size: 0 },
  };
}

/**
 * execve, in place: caught signals go back to their default action
 * (ignored ones stay ignored), the alternate stack is gone and POSIX
 * timers are deleted; the mask, pending signals and setitimer timers stay.
 *
 * @example
 * execSignals(k.signals); // as execve replaces the image
 */
export function execSignals(s: SignalState): void {
  for (const [sig, action] of Object.entries(s.actions)) {
    if (action.handler !== SIG_IGN) delete s.actions[Number(sig)];
    else action.flags = action.restorer = 0;
  }
  s.altstack = { sp: 0, flags: SS_DISABLE, size: 0 };
  delete s.saved;
  delete s.sleepUntil;
  if (s.timers) {
    delete s.timers.posix;
    if (!s.timers.real && !s.timers.virtual && !s.timers.prof) delete s.timers;
  }
}
