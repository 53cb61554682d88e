/**
 * Interval timers in guest time (docs/linux.md, "Timers"). The guest's
 * clocks all count its instructions (clock.ts: one nanosecond each), so a
 * timer is armed for an instruction count: it fires once exactly that many
 * instructions have retired, before the next one runs, whatever budgets
 * the run is split into. The run loop stops the engine there
 * ({@link timerSlice}) and fires it ({@link timerPoint}); a guest blocked in
 * a system call while a timer is armed waits for it, its clock advancing as
 * if it ran.
 *
 * setitimer's ITIMER_REAL, ITIMER_VIRTUAL and ITIMER_PROF all count the
 * same instructions (a guest's time is all user time) and raise SIGALRM,
 * SIGVTALRM and SIGPROF; alarm is ITIMER_REAL in seconds; POSIX timers
 * (timer_create) raise their sigevent's signal with SI_TIMER.
 *
 * @example
 * armTimer(k, "real", { at: k.now + 1e9, every: 0 }); // alarm(1)
 * timerSlice(k, cpu, 5e9); // instructions the engine may run before it fires
 */
import type { Cpu } from "../../cpu/state.ts";
import type { Memory } from "../../memory/memory.ts";
import type { Linux } from "../linux.ts";
import {
  inSet,
  type ProcessSignals,
  SI_KERNEL,
  SI_TIMER,
  type SigInfoWords,
  SIGALRM,
  signalEffect,
  SIGPROF,
  SIGRTMIN,
  SIGVTALRM,
} from "../signals.ts";
import { deliverSignals, MAX_QUEUED, raiseSignal, records } from "./deliver.ts";

/** One armed timer. */
export interface Timer {
  /** Instruction count at which it fires next. */
  at: number;
  /** Period in instructions (nanoseconds) after that; 0: once. */
  every: number;
}

/** A POSIX timer (timer_create): its notification, and whether it is armed. */
export interface PosixTimer {
  /** The clock it was created on (absolute times are read against it). */
  clock: number;
  /** The signal of SIGEV_SIGNAL / SIGEV_THREAD_ID; 0 for SIGEV_NONE. */
  signal: number;
  /** sigev_value, given to the handler as si_value. */
  value: number;
  /** Expirations merged into one signal (timer_getoverrun). */
  overrun: number;
  armed?: Timer;
}

/** The setitimer timers by name and their signals. */
export const ITIMERS = { real: SIGALRM, virtual: SIGVTALRM, prof: SIGPROF } as const;
/** "real", "virtual" or "prof". */
export type ItimerName = keyof typeof ITIMERS;

/** A process's timers; absent parts are unused. */
export interface Timers {
  real?: Timer;
  virtual?: Timer;
  prof?: Timer;
  /** POSIX timers by id (ids count from 0, as Linux's do). */
  posix?: Record<number, PosixTimer>;
}

function timersOf(p: ProcessSignals): Timers {
  return p.timers ??= {};
}

/** Drops empty parts so a process without timers has no `timers` at all. */
function tidy(p: ProcessSignals): void {
  const t = p.timers;
  if (!t) return;
  if (t.posix && Object.keys(t.posix).length === 0) delete t.posix;
  if (!t.real && !t.virtual && !t.prof && !t.posix) delete p.timers;
}

/**
 * Arms (or with undefined disarms) an itimer; returns what it was.
 *
 * @example
 * armTimer(k, "real", { at: k.now + 1e9, every: 0 }); // alarm(1)
 */
export function armTimer(k: Linux, name: ItimerName, next: Timer | undefined): Timer | undefined {
  const { process } = records(k);
  const old = process.timers?.[name];
  if (next) timersOf(process)[name] = next;
  else if (process.timers) delete process.timers[name];
  tidy(process);
  return old;
}

/**
 * The POSIX timers of the process (created on first use).
 *
 * @example
 * posixTimers(k)[0]?.armed; // timer 0's next expiry, if armed
 */
export function posixTimers(k: Linux): Record<number, PosixTimer> {
  return timersOf(records(k).process).posix ??= {};
}

/**
 * Removes a POSIX timer.
 *
 * @example
 * deleteTimer(k, 0); // timer_delete(0)
 */
export function deleteTimer(k: Linux, id: number): void {
  const { process } = records(k);
  delete process.timers?.posix?.[id];
  tidy(process);
}

/** Every armed timer with what it raises, in firing order for timers due together. */
function armed(p: ProcessSignals): { timer: Timer; signal: number; fire: () => [number, SigInfoWords] | undefined; id: string }[] {
  const t = p.timers;
  if (!t) return [];
  const out: ReturnType<typeof armed> = [];
  for (const name of Object.keys(ITIMERS) as ItimerName[]) {
    const timer = t[name];
    if (timer) out.push({ timer, id: name, signal: ITIMERS[name], fire: () => [ITIMERS[name], [SI_KERNEL, 0]] });
  }
  for (const [id, pt] of Object.entries(t.posix ?? {})) {
    if (pt.armed) {
      out.push({
        timer: pt.armed,
        id,
        signal: pt.signal,
        fire: () => pt.signal ? [pt.signal, [SI_TIMER, Number(id), pt.overrun, pt.value]] : undefined,
      });
    }
  }
  return out;
}

/**
 * Whether raising `sig` now can change anything for a waiting guest: not
 * when it would be ignored, nor when an instance is pending already
 * (standard signals merge) or its queue is full (real-time ones).
 */
function couldWake(k: Linux, sig: number): boolean {
  if (!sig) return false;
  const { thread, process } = records(k);
  const effect = signalEffect({ ...process, ...thread }, sig);
  if (effect !== "pend") return effect === "kill";
  if (!(inSet(thread.pending, sig) || inSet(process.pending, sig))) return true;
  return sig >= SIGRTMIN && (process.queue?.[sig]?.length ?? 0) < MAX_QUEUED;
}

/**
 * The instruction count at which the next timer fires whose signal can
 * wake a waiting guest (Infinity: none). A guest that waits with no such
 * timer waits forever, as on Linux.
 *
 * @example
 * nextWakeup(k); // Infinity with only an ignored SIGALRM's timer armed
 */
export function nextWakeup(k: Linux): number {
  let at = Infinity;
  for (const a of armed(records(k).process)) if (couldWake(k, a.signal)) at = Math.min(at, a.timer.at);
  return at;
}

/**
 * The instruction count at which the next timer fires (Infinity: none armed).
 *
 * @example
 * nextDeadline(k); // Infinity when no timer is armed
 */
export function nextDeadline(k: Linux): number {
  let at = Infinity;
  for (const a of armed(records(k).process)) at = Math.min(at, a.timer.at);
  return at;
}

/**
 * How many of `left` instructions the engine may run before the next timer
 * is due (at least 1: due timers have fired before the engine runs).
 *
 * @example
 * engine.run(timerSlice(k, cpu, left)); // stops where the next timer fires
 */
export function timerSlice(k: Linux, c: Cpu, left: number): number {
  const at = nextDeadline(k);
  return at === Infinity ? left : Math.max(1, Math.min(left, at - c.icount));
}

/**
 * Fires the timers due at instruction count `now`: raises their signals and
 * re-arms periodic ones (expirations the guest missed count as overruns).
 *
 * @example
 * fireTimers(k, cpu.icount); // raises SIGALRM if the alarm is due
 */
export function fireTimers(k: Linux, now: number): void {
  const p = records(k).process;
  for (const a of armed(p)) {
    if (a.timer.at > now) continue;
    const raised = a.fire();
    if (raised) raiseSignal(k, raised[0], raised[1]);
    const posix = a.id in ITIMERS ? undefined : p.timers?.posix?.[Number(a.id)];
    if (a.timer.every > 0) {
      const missed = Math.floor((now - a.timer.at) / a.timer.every);
      a.timer.at += (missed + 1) * a.timer.every;
      if (posix) posix.overrun = missed;
    } else if (a.id in ITIMERS) {
      armTimer(k, a.id as ItimerName, undefined);
    } else if (posix) {
      delete posix.armed;
    }
  }
}

/**
 * Whether a guest blocked in a system call waits for a timer (rather than forever).
 *
 * @example
 * waitingForTimer(k); // blocked in pause() with an alarm armed: true
 */
export function waitingForTimer(k: Linux): boolean {
  return k.blocked !== undefined && !k.exit && nextWakeup(k) !== Infinity;
}

/**
 * The run loop's timer point, before the engine runs: fires the timers due
 * now and enters their handlers. A guest blocked in a system call while a
 * timer is armed waits for it instead: its clock moves on by up to `left`
 * instructions (the budget pays for the wait as for running), and when the
 * timer is reached it fires and the guest is unblocked, so that its system
 * call runs again (and is interrupted by the signal, or blocks again).
 * Returns the instructions waited.
 *
 * @example
 * left -= timerPoint(k, cpu, mem, left); // before each engine run
 */
export function timerPoint(k: Linux, c: Cpu, m: Memory, left: number): number {
  if (c.halted) {
    if (!waitingForTimer(k)) return 0;
    const at = nextWakeup(k);
    const waited = Math.max(0, Math.min(left, at - c.icount));
    c.icount += waited;
    if (c.icount >= at) {
      fireTimers(k, c.icount);
      k.blocked = undefined;
      // A signal whose default action kills ends the guest here, else its call runs again.
      c.halted = k.exit !== undefined;
    }
    return waited;
  }
  if (nextDeadline(k) <= c.icount) {
    fireTimers(k, c.icount);
    deliverSignals(k, c, m);
  }
  return 0;
}
