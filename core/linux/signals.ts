/** The signal numbers (i386) the personality treats specially. */
export const SIGKILL = 9,
  SIGPIPE = 13,
  SIGCHLD = 17,
  SIGCONT = 18,
  SIGSTOP = 19,
  SIGTSTP = 20,
  SIGTTIN = 21,
  SIGTTOU = 22,
  SIGURG = 23,
  SIGWINCH = 28;
/** Highest signal number (real-time signals included). */
export const NSIG = 64;

/** The two handler values that are not handlers: default action, ignore. */
export const SIG_DFL = 0, SIG_IGN = 1;

/** Signals whose default action is to do nothing (stop signals count: nobody could continue us). */
const HARMLESS = new Set([
  SIGCHLD,
  SIGCONT,
  SIGURG,
  SIGWINCH,
  SIGSTOP,
  SIGTSTP,
  SIGTTIN,
  SIGTTOU,
]);

/** What the guest asked for with rt_sigaction (recorded; handlers are never run). */
export interface SigAction {
  handler: number;
  flags: number;
  restorer: number;
  /** sa_mask as [signals 1-32, signals 33-64]. */
  mask: [number, number];
}

/** The signal state of the process. */
export interface SignalState {
  /** Non-default actions by signal number. */
  actions: Record<number, SigAction>;
  /** Blocked signals as [signals 1-32, signals 33-64]. */
  blocked: [number, number];
  /** Signals raised while blocked or caught, as [1-32, 33-64]; never delivered. */
  pending: [number, number];
  altstack: { sp: number; flags: number; size: number };
}

/**
 * A fresh process: default actions, nothing blocked, no alternate stack.
 *
 * @example
 * signalEffect(initialSignals(), SIGPIPE); // "kill"
 */
export function initialSignals(): SignalState {
  return {
    actions: {},
    blocked: [0, 0],
    pending: [0, 0],
    altstack: { sp: 0, flags: 2, /* SS_DISABLE */ size: 0 },
  };
}

/** Whether `sig` is in a [1-32, 33-64] set. */
function inSet(set: [number, number], sig: number): boolean {
  return ((set[(sig - 1) >> 5] >>> ((sig - 1) & 31)) & 1) === 1;
}

/** Adds `sig` to a [1-32, 33-64] set. */
export function addToSet(set: [number, number], sig: number): void {
  set[(sig - 1) >> 5] |= 1 << ((sig - 1) & 31);
}

/**
 * What raising `sig` does to this process: "kill" (the default action
 * terminates it), "pend" (blocked or caught: recorded, since fx86 delivers no
 * signals), or "ignore".
 */
export function signalEffect(
  s: SignalState,
  sig: number,
): "kill" | "pend" | "ignore" {
  const handler = s.actions[sig]?.handler ?? SIG_DFL;
  if (sig !== SIGKILL && sig !== SIGSTOP) {
    if (handler === SIG_IGN) return "ignore";
    if (inSet(s.blocked, sig) || handler !== SIG_DFL) return "pend";
  }
  return HARMLESS.has(sig) ? "ignore" : "kill";
}
