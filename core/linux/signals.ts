/**
 * Signal numbers, dispositions and the signal records of a process
 * (docs/linux.md, "Signals"). Delivery to handlers is in signals/.
 */
import type { Timers } from "./signals/timers.ts";

/** The signal numbers (i386) the personality treats specially. */
export const SIGHUP = 1,
  SIGILL = 4,
  SIGTRAP = 5,
  SIGBUS = 7,
  SIGFPE = 8,
  SIGKILL = 9,
  SIGSEGV = 11,
  SIGPIPE = 13,
  SIGALRM = 14,
  SIGCHLD = 17,
  SIGCONT = 18,
  SIGSTOP = 19,
  SIGTSTP = 20,
  SIGTTIN = 21,
  SIGTTOU = 22,
  SIGURG = 23,
  SIGVTALRM = 26,
  SIGPROF = 27,
  SIGWINCH = 28,
  SIGSYS = 31;
/** The first real-time signal (the kernel's; glibc keeps 32 and 33): they queue rather than merge. */
export const SIGRTMIN = 32;
/** Highest signal number (real-time signals included). */
export const NSIG = 64;

/** The two handler values that are not handlers: default action, ignore. */
export const SIG_DFL = 0, SIG_IGN = 1;

/** sigaction flags fx86 acts on. */
export const SA_SIGINFO = 0x4,
  SA_ONSTACK = 0x08000000,
  SA_RESTART = 0x10000000,
  SA_NODEFER = 0x40000000,
  SA_RESETHAND = 0x80000000,
  SA_RESTORER = 0x04000000;

/** Signals whose default action is to do nothing (SIGCONT's continuing happens as it is sent: process/stop.ts). */
const HARMLESS = new Set([SIGCHLD, SIGCONT, SIGURG, SIGWINCH]);

/** Signals whose default action is to stop the process (process/stop.ts). */
const STOPPING = new Set([SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU]);

/**
 * Whether the default action of `sig` is to do nothing.
 *
 * @example
 * ignoredByDefault(SIGCHLD); // true
 */
export function ignoredByDefault(sig: number): boolean {
  return HARMLESS.has(sig);
}

/** What the guest asked for with rt_sigaction. */
/** sa_flags bit of SIGCHLD's action: children that end are not kept for wait (even with the default action). */
export const SA_NOCLDWAIT = 2;

export interface SigAction {
  handler: number;
  flags: number;
  restorer: number;
  /** sa_mask as [signals 1-32, signals 33-64]. */
  mask: [number, number];
}

/**
 * What a pending signal's siginfo says after si_signo and si_errno:
 * [si_code, then the union's words at offsets 12, 16, 20, ...]. A signal
 * pending without one reads as sent by the kernel (SI_KERNEL).
 */
export type SigInfoWords = number[];

/** si_code values. */
export const SI_USER = 0, SI_KERNEL = 0x80, SI_TIMER = -2, SI_TKILL = -6;

/** The alternate signal stack (sigaltstack), as stack_t. */
export interface AltStack {
  sp: number;
  flags: number;
  size: number;
}

/**
 * The signal record of one thread: what it blocks, what is pending for it
 * alone, its alternate stack. `saved` is the mask rt_sigsuspend replaced,
 * put back by the handler's frame; `info` the siginfo of pending signals
 * that have one. Optional fields are absent, not empty, when unused (so
 * the os blob of a guest that never uses them does not change).
 */
export interface ThreadSignals {
  /** Blocked signals as [signals 1-32, signals 33-64]. */
  blocked: [number, number];
  /** Signals raised for this thread, not delivered yet, as [1-32, 33-64]. */
  pending: [number, number];
  altstack: AltStack;
  saved?: [number, number];
  info?: Record<number, SigInfoWords>;
  /** Further instances of pending real-time signals, oldest first. */
  queue?: Record<number, SigInfoWords[]>;
  /** While a sleep waits for a timer: the instruction count it would end at (signals/sleep.ts). */
  sleepUntil?: number;
}

/**
 * The signal record of a process: its actions and the signals pending for
 * the whole process (the same shape as a thread's pending set), and its
 * interval timers (signals/timers.ts).
 */
export interface ProcessSignals {
  /** Non-default actions by signal number. */
  actions: Record<number, SigAction>;
  pending: [number, number];
  info?: Record<number, SigInfoWords>;
  queue?: Record<number, SigInfoWords[]>;
  timers?: Timers;
}

/**
 * The signal state of a single-threaded process: its one thread's record
 * and the process's record are this same object.
 */
export interface SignalState extends ThreadSignals, ProcessSignals {
  pending: [number, number];
  info?: Record<number, SigInfoWords>;
  queue?: Record<number, SigInfoWords[]>;
}

/** Linux's names of signals 1-31 (for traces). */
const NAMES = ("HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT " +
  "CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS").split(" ");

/**
 * A signal's name as strace prints it.
 *
 * @example
 * signalName(10); // "SIGUSR1"
 * signalName(34); // "SIGRT_2"
 */
export function signalName(sig: number): string {
  return sig >= 1 && sig <= 31 ? `SIG${NAMES[sig - 1]}` : `SIGRT_${sig - 32}`;
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

/**
 * Whether `sig` is in a [1-32, 33-64] set.
 *
 * @example
 * inSet([1 << 9, 0], SIGUSR1); // true
 */
export function inSet(set: [number, number], sig: number): boolean {
  return ((set[(sig - 1) >> 5] >>> ((sig - 1) & 31)) & 1) === 1;
}

/**
 * Adds `sig` to a [1-32, 33-64] set.
 *
 * @example
 * addToSet(thread.blocked, SIGUSR1);
 */
export function addToSet(set: [number, number], sig: number): void {
  set[(sig - 1) >> 5] |= 1 << ((sig - 1) & 31);
}

/**
 * Removes `sig` from a [1-32, 33-64] set.
 *
 * @example
 * removeFromSet(process.pending, SIGUSR1);
 */
export function removeFromSet(set: [number, number], sig: number): void {
  set[(sig - 1) >> 5] &= ~(1 << ((sig - 1) & 31));
}

/**
 * What raising `sig` does to this process now: "kill" (not blocked, and
 * the default action terminates it), "stop" (SIGSTOP, or another stop
 * signal not blocked with its default action), "pend" (recorded until it
 * can be delivered: blocked, or caught by a handler), or "ignore".
 *
 * @example
 * signalEffect(initialSignals(), SIGTERM); // "kill"
 */
export function signalEffect(
  s: ThreadSignals & ProcessSignals,
  sig: number,
): "kill" | "stop" | "pend" | "ignore" {
  const handler = s.actions[sig]?.handler ?? SIG_DFL;
  if (sig !== SIGKILL && sig !== SIGSTOP) {
    // As in Linux, a blocked signal is never ignored: its action may change before it is unblocked.
    if (inSet(s.blocked, sig) || (handler !== SIG_DFL && handler !== SIG_IGN)) return "pend";
    if (handler === SIG_IGN) return "ignore";
  }
  return HARMLESS.has(sig) ? "ignore" : STOPPING.has(sig) ? "stop" : "kill";
}
