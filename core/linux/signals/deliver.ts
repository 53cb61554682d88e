/**
 * Signal delivery (docs/linux.md, "Signals"): raising a signal, running
 * the handlers of pending signals when a system call returns or a timer
 * fires, turning CPU faults into signals for installed handlers, and
 * interrupting a blocked system call (EINTR, or a restart with SA_RESTART).
 *
 * The code reads a thread's record (mask, pending, alternate stack) and
 * its process's (actions, shared pending, timers) through {@link records};
 * a single-threaded process keeps both in one object.
 *
 * @example
 * raiseSignal(k, SIGUSR1, [SI_TKILL, PID, UID]); // tgkill to itself
 * deliverSignals(k, cpu, mem); // at the system call's return: the handler's frame is built
 */
import { type Cpu, ESP } from "../../cpu/state.ts";
import { GuestFault } from "../../fault.ts";
import type { Memory } from "../../memory/memory.ts";
import { EINTR } from "../errno.ts";
import type { Linux } from "../linux.ts";
import {
  addToSet,
  inSet,
  ignoredByDefault,
  NSIG,
  type ProcessSignals,
  removeFromSet,
  SA_NODEFER,
  SA_ONSTACK,
  SA_RESETHAND,
  SA_RESTART,
  SA_RESTORER,
  SA_SIGINFO,
  SI_KERNEL,
  type SigAction,
  SIG_DFL,
  SIG_IGN,
  type SigInfoWords,
  SIGBUS,
  SIGFPE,
  SIGILL,
  SIGKILL,
  signalEffect,
  SIGRTMIN,
  signalName,
  SIGSEGV,
  SIGSTOP,
  SIGSYS,
  SIGTRAP,
  type ThreadSignals,
} from "../signals.ts";
import { faultSignal } from "./faults.ts";
import { isStopped, isStopSignal, prepareSignal, stopProcess } from "../process/stop.ts";
import { threadsOf } from "../process/list.ts";
import { onStack, pushFrame, SS_AUTODISARM, SS_DISABLE, type TrapInfo } from "./frame.ts";

/** SIGKILL and SIGSTOP can be neither caught nor blocked. */
export const UNBLOCKABLE = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1));

/** Faults' signals, which Linux dequeues before any other (SYNCHRONOUS_MASK). */
const SYNCHRONOUS = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS];

/** System calls a handled signal never restarts, SA_RESTART or not (Linux's ERESTARTNOHAND and friends). */
const NEVER_RESTARTED = new Set([
  29, // pause
  72, // sigsuspend
  179, // rt_sigsuspend
  162, 267, 407, // nanosleep, clock_nanosleep(_time64)
  168, 309, 414, // poll, ppoll(_time64)
  82, 142, 308, 413, // select, _newselect, pselect6(_time64)
  256, 319, 441, // epoll_wait, epoll_pwait, epoll_pwait2
  177, 421, // rt_sigtimedwait(_time64)
]);

const NO_TRAP: TrapInfo = { trapno: 0, err: 0, cr2: 0 };
/** Instances of one real-time signal that may wait beyond the first (Linux bounds them by RLIMIT_SIGPENDING). */
export const MAX_QUEUED = 1024;

/**
 * The signal records of the thread that runs and of its process.
 *
 * @example
 * const { thread, process } = records(k); // one object while single-threaded
 */
export function records(k: Linux): { thread: ThreadSignals; process: ProcessSignals } {
  return { thread: k.signals, process: k.signals };
}

/**
 * Raises `sig` for the process (or with `to` "thread", for the thread that
 * runs: tkill, tgkill), with the siginfo words `info` (default: sent by
 * the kernel). A signal whose default action kills ends the process at
 * once; a stop signal's stops it (process/stop.ts), and SIGCONT continues
 * it whatever its action; one that is caught or blocked waits in the
 * pending set (an instance already pending absorbs it, as standard signals do).
 *
 * @example
 * raiseSignal(k, SIGALRM); // an expired alarm (SI_KERNEL)
 */
export function raiseSignal(k: Linux, sig: number, info?: SigInfoWords, to: "process" | "thread" = "process"): void {
  const { thread, process } = records(k);
  const target = to === "thread" ? thread : process;
  const continued = prepareSignal(k, sig);
  record(k, sig, info, target);
  // Continued where it was running (not in a call that waits): it takes its
  // pending signals as it resumes, as Linux's get_signal goes on after the stop.
  if (!continued || k.exit) return;
  for (const t of threadsOf(k)) if (t.cpu && t.mem && !t.cpu.halted) deliverSignals(t, t.cpu, t.mem);
}

/** What `sig` does to `k`'s process once prepareSignal has run: it kills, stops, is pending in `target`, or is dropped. */
function record(k: Linux, sig: number, info: SigInfoWords | undefined, target: ThreadSignals | ProcessSignals): void {
  const { thread, process } = records(k);
  let effect = signalEffect({ ...process, ...thread }, sig);
  // A stopped process takes no signal but SIGKILL: a fatal one waits until SIGCONT (Linux's wants_signal).
  if (effect === "kill" && sig !== SIGKILL && isStopped(k)) effect = "pend";
  if (effect === "kill") k.exit ??= { kind: "killed", signal: sig };
  else if (effect === "stop") stopProcess(k, sig);
  else if (effect !== "pend") return;
  else if (!inSet(target.pending, sig)) {
    addToSet(target.pending, sig);
    if (info) (target.info ??= {})[sig] = info;
  } else if (sig >= SIGRTMIN) {
    // Real-time signals queue: every instance is delivered, with its own siginfo.
    const queue = (target.queue ??= {})[sig] ??= [];
    if (queue.length < MAX_QUEUED) queue.push(info ?? [SI_KERNEL, 0]);
  }
}

/** Signals not blocked by the thread: the ones that can be delivered. */
const unblocked = (thread: ThreadSignals) => (sig: number) => !inSet(thread.blocked, sig);

/**
 * The pending signal {@link takePending} would take next among those `wanted`
 * accepts, and the record it is pending in: the thread's before the
 * process's, faults' signals first, then the lowest number.
 */
function peek(
  thread: ThreadSignals,
  process: ProcessSignals,
  wanted: (sig: number) => boolean,
): { sig: number; from: ThreadSignals | ProcessSignals } | undefined {
  for (const from of [thread, process]) {
    if (!from.pending[0] && !from.pending[1]) continue;
    const sync = SYNCHRONOUS.find((s) => inSet(from.pending, s) && wanted(s));
    if (sync !== undefined) return { sig: sync, from };
    for (let sig = 1; sig <= NSIG; sig++) {
      if (inSet(from.pending, sig) && wanted(sig)) return { sig, from };
    }
  }
  return undefined;
}

/**
 * Takes the next pending signal that `wanted` accepts out of the pending
 * sets, with its siginfo words (sigtimedwait takes blocked ones this way).
 *
 * @example
 * takePending(thread, process, (sig) => sig === SIGUSR1); // { sig: 10, info: [-6, 100, 1000] }
 */
export function takePending(
  thread: ThreadSignals,
  process: ProcessSignals,
  wanted: (sig: number) => boolean,
): { sig: number; info: SigInfoWords } | undefined {
  const next = peek(thread, process, wanted);
  if (!next) return undefined;
  const { sig, from } = next;
  const info = from.info?.[sig] ?? [SI_KERNEL, 0];
  const queued = from.queue?.[sig];
  if (queued) {
    // The next instance of a real-time signal becomes the pending one.
    (from.info ??= {})[sig] = queued.shift()!;
    if (queued.length === 0) delete from.queue![sig];
    if (Object.keys(from.queue!).length === 0) delete from.queue;
    return { sig, info };
  }
  removeFromSet(from.pending, sig);
  if (from.info) {
    delete from.info[sig];
    if (Object.keys(from.info).length === 0) delete from.info;
  }
  return { sig, info };
}

/** Whether `sig`'s action now is to discard it. */
function discarded(act: SigAction | undefined, sig: number): boolean {
  const handler = act?.handler ?? SIG_DFL;
  return handler === SIG_IGN || (handler === SIG_DFL && ignoredByDefault(sig));
}

/**
 * Runs the handlers of the deliverable pending signals, as Linux does on
 * the way back to user mode: each gets a frame (the last one built runs
 * first); a fatal default action ends the process. Call it where a system
 * call returns to the guest and where a timer fires.
 *
 * @example
 * k.signal(SIGUSR1); deliverSignals(k, cpu, mem); // cpu.eip is the handler now
 */
export function deliverSignals(k: Linux, c: Cpu, m: Memory): void {
  const { thread, process } = records(k);
  // A stopped process (it may just have stopped itself) takes its signals once continued.
  for (let n = 0; n < NSIG && !k.exit && !isStopped(k); n++) {
    const next = takePending(thread, process, unblocked(thread));
    if (!next) break;
    const act = process.actions[next.sig];
    if (discarded(act, next.sig)) continue;
    if ((act === undefined || act.handler === SIG_DFL) && isStopSignal(next.sig)) {
      // Unblocked, or its handler reset since it was raised.
      stopProcess(k, next.sig);
    } else if (act === undefined || act.handler === SIG_DFL) {
      k.exit = { kind: "killed", signal: next.sig };
    } else if (!runHandler(k, c, m, next.sig, act, next.info, NO_TRAP)) {
      // No room for the frame: Linux kills with SIGSEGV.
      k.exit = { kind: "killed", signal: SIGSEGV };
    }
  }
  if (k.exit) c.halted = true;
}

/**
 * Builds the frame of `sig`'s handler and enters it: the mask it runs with
 * (sa_mask, and `sig` unless SA_NODEFER), SA_ONSTACK, SA_RESETHAND. False
 * (nothing changed) when the stack cannot hold the frame.
 */
function runHandler(k: Linux, c: Cpu, m: Memory, sig: number, act: SigAction, info: SigInfoWords, trap: TrapInfo): boolean {
  const { thread, process } = records(k);
  const alt = thread.altstack;
  const altUsable = !(alt.flags & SS_DISABLE) && alt.size !== 0;
  const onAltstack = (act.flags & SA_ONSTACK) !== 0 && altUsable && !onStack(alt, c.r[ESP]);
  try {
    pushFrame(c, m, {
      sig,
      rt: (act.flags & SA_SIGINFO) !== 0,
      handler: act.handler,
      restorer: act.flags & SA_RESTORER ? act.restorer : 0,
      info,
      mask: thread.saved ?? [thread.blocked[0], thread.blocked[1]],
      altstack: { ...alt },
      onAltstack,
      trap,
    });
  } catch (e) {
    if (e instanceof GuestFault) return false;
    throw e;
  }
  k.trace?.(`--- ${signalName(sig)} {si_signo=${sig}, si_code=${info[0] ?? 0}} ---`);
  delete thread.saved;
  if (onAltstack && alt.flags & SS_AUTODISARM) thread.altstack = { sp: 0, flags: SS_DISABLE, size: 0 };
  thread.blocked[0] |= act.mask[0];
  thread.blocked[1] |= act.mask[1];
  if (!(act.flags & SA_NODEFER)) addToSet(thread.blocked, sig);
  thread.blocked[0] &= ~UNBLOCKABLE;
  if (act.flags & SA_RESETHAND) delete process.actions[sig];
  return true;
}

/**
 * A CPU fault, for a handler: when the thread has a handler for the
 * fault's signal (not blocked), enters it as Linux would and returns the
 * instructions the fault retired (1 for traps such as INT3, else 0);
 * otherwise undefined, and the run stops on the fault as without signals.
 *
 * @example
 * const s = engine.run(n);
 * if (s.fault && deliverFault(k, cpu, mem, s.fault) !== undefined) continue; // in the handler
 */
export function deliverFault(k: Linux, c: Cpu, m: Memory, fault: GuestFault): number | undefined {
  const f = faultSignal(c, fault);
  if (!f || k.exit) return undefined;
  const { thread, process } = records(k);
  const act = process.actions[f.sig];
  if (!act || act.handler === SIG_DFL || act.handler === SIG_IGN || inSet(thread.blocked, f.sig)) return undefined;
  const eip = c.eip;
  c.eip = (c.eip + f.length) | 0;
  if (!runHandler(k, c, m, f.sig, act, f.info, f.trap)) {
    c.eip = eip;
    return undefined;
  }
  if (f.length) c.icount++;
  return f.length ? 1 : 0;
}

/**
 * A system call found it must wait: if a signal can be delivered now, the
 * wait is interrupted. Returns the call's result then (-EINTR, or with
 * SA_RESTART the call's number, EIP moved back onto its `int 0x80` so that
 * it runs again after the handler), or undefined to wait. Signals whose
 * action is to be ignored are discarded here: they wake nobody; a stop
 * signal with its default action stops the process, which waits on.
 *
 * @example
 * interruptWait(k, cpu, 3); // read: -EINTR, 3 (restart) or undefined (wait)
 */
export function interruptWait(k: Linux, c: Cpu, nr: number): number | undefined {
  const { thread, process } = records(k);
  for (let n = 0; n < NSIG; n++) {
    const next = peek(thread, process, unblocked(thread));
    if (!next) return undefined;
    const act = process.actions[next.sig];
    if ((act?.handler ?? SIG_DFL) === SIG_DFL && isStopSignal(next.sig)) {
      // A stop signal the wait unblocked (sigsuspend): the process stops, and waits on once continued.
      takePending(thread, process, unblocked(thread));
      stopProcess(k, next.sig);
      continue;
    }
    if (!discarded(act, next.sig)) {
      if (act && act.handler !== SIG_DFL && act.flags & SA_RESTART && !NEVER_RESTARTED.has(nr)) {
        c.eip = (c.eip - 2) | 0;
        return nr;
      }
      return -EINTR;
    }
    takePending(thread, process, unblocked(thread));
  }
  return undefined;
}
