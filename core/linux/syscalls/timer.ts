import { getI64, readStruct, Struct } from "../abi.ts";
import { EPOCH_SEC } from "../clock.ts";
import { EAGAIN, EINVAL, LinuxError } from "../errno.ts";
import type { Linux } from "../linux.ts";
import { NSIG, SIGALRM } from "../signals.ts";
import { records } from "../signals/deliver.ts";
import {
  armTimer,
  deleteTimer,
  fireTimers,
  type ItimerName,
  posixTimers,
  type PosixTimer,
  type Timer,
} from "../signals/timers.ts";
import type { Call, SyscallTable } from "./types.ts";

/**
 * Timers: alarm, setitimer/getitimer and the POSIX timers, armed in guest
 * time (signals/timers.ts: one instruction is one nanosecond). A relative
 * timer armed by a system call at instruction count N fires when the count
 * reaches N + its nanoseconds, N counting the call's `int 0x80`.
 */

const NS = 1e9;
const ITIMER_NAMES: ItimerName[] = ["real", "virtual", "prof"];
const SIGEV_SIGNAL = 0, SIGEV_NONE = 1, SIGEV_THREAD_ID = 4;
const TIMER_ABSTIME = 1;
/** Clocks a POSIX timer may count: REALTIME, MONOTONIC, the CPU-time clocks, BOOTTIME, TAI. */
const TIMER_CLOCKS = new Set([0, 1, 2, 3, 7, 11]);
/** Clocks whose absolute times are wall-clock times. */
const WALL_CLOCKS = new Set([0, 11]);
/** Most POSIX timers a process may have (Linux's default RLIMIT_SIGPENDING is far higher; this bounds the state). */
const MAX_TIMERS = 1024;

/** A duration read from a timeval (`usec`: microseconds) or timespec, in nanoseconds. */
function nanoseconds(sec: number, frac: number, usec: boolean): number {
  if (sec < 0 || frac < 0 || frac >= (usec ? 1e6 : 1e9)) throw new LinuxError(EINVAL);
  return sec * NS + frac * (usec ? 1000 : 1);
}

function itimerOf(which: number): ItimerName {
  const name = ITIMER_NAMES[which];
  if (name === undefined) throw new LinuxError(EINVAL);
  return name;
}

/** What is left of a timer at instruction count `now`: [interval, value] in nanoseconds. */
function remaining(t: Timer | undefined, now: number): [number, number] {
  return t ? [t.every, Math.max(1, t.at - now)] : [0, 0];
}

/** struct itimerval { timeval it_interval, it_value } (32-bit longs). */
function putItimerval(s: Call, addr: number, [every, left]: [number, number]): void {
  const us = (ns: number) => Math.floor(ns / 1000);
  new Struct(16).u32(0, Math.floor(every / NS)).u32(4, us(every % NS))
    .u32(8, Math.floor(left / NS)).u32(12, us(left % NS)).write(s.m, addr);
}

/** alarm: ITIMER_REAL in whole seconds; returns the seconds that were left (rounded as Linux does). */
function alarm(s: Call, seconds: number): number {
  const k = s.k;
  const old = armTimer(k, "real", seconds ? { at: k.now + seconds * NS, every: 0 } : undefined);
  if (!old) return 0;
  const left = remaining(old, k.now)[1];
  const sec = Math.floor(left / NS), usec = Math.floor((left % NS) / 1000);
  return sec + ((sec === 0 && usec > 0) || usec >= 500_000 ? 1 : 0);
}

function setitimer(s: Call, which: number, value: number, ovalue: number): number {
  const name = itimerOf(which);
  let next: Timer | undefined;
  if (value) {
    const v = readStruct(s.m, value, 16);
    const every = nanoseconds(v.getInt32(0, true), v.getInt32(4, true), true);
    const left = nanoseconds(v.getInt32(8, true), v.getInt32(12, true), true);
    if (left > 0) next = { at: s.k.now + left, every };
  }
  if (ovalue) readStruct(s.m, ovalue, 16); // a bad pointer fails before anything changes
  const old = armTimer(s.k, name, next);
  if (ovalue) putItimerval(s, ovalue, remaining(old, s.k.now));
  return 0;
}

/** timer_create: the lowest free id; no sigevent means SIGALRM with the id as its value. */
function timerCreate(s: Call, clock: number, sevp: number, idp: number): number {
  if (!TIMER_CLOCKS.has(clock)) throw new LinuxError(EINVAL);
  const timers = posixTimers(s.k);
  let id = 0;
  while (id in timers) id++;
  if (id >= MAX_TIMERS) throw new LinuxError(EAGAIN);
  let timer: PosixTimer = { clock, signal: SIGALRM, value: id, overrun: 0 };
  if (sevp) {
    const v = readStruct(s.m, sevp, 16);
    const notify = v.getInt32(8, true), signal = v.getInt32(4, true);
    if (notify !== SIGEV_NONE && notify !== SIGEV_SIGNAL && notify !== SIGEV_THREAD_ID) {
      throw new LinuxError(EINVAL);
    }
    if (notify !== SIGEV_NONE && (signal < 1 || signal > NSIG)) throw new LinuxError(EINVAL);
    timer = { clock, signal: notify === SIGEV_NONE ? 0 : signal, value: v.getUint32(0, true), overrun: 0 };
  }
  new Struct(4).u32(0, id).write(s.m, idp);
  timers[id] = timer;
  return 0;
}

function posixTimer(k: Linux, id: number): PosixTimer {
  const t = posixTimers(k)[id | 0];
  if (!t) throw new LinuxError(EINVAL);
  return t;
}

/** struct itimerspec (or __kernel_itimerspec with 64-bit fields). */
function putItimerspec(s: Call, addr: number, [every, left]: [number, number], wide: boolean): void {
  const st = new Struct(wide ? 32 : 16);
  const put = (off: number, ns: number) =>
    wide ? st.u64(off, Math.floor(ns / NS)).u64(off + 8, ns % NS) : st.u32(off, Math.floor(ns / NS)).u32(off + 4, ns % NS);
  put(0, every);
  put(wide ? 16 : 8, left);
  st.write(s.m, addr);
}

function timerSettime(s: Call, a: number[], wide: boolean): number {
  const [id, flags, value, ovalue] = a;
  const t = posixTimer(s.k, id);
  const v = readStruct(s.m, value, wide ? 32 : 16);
  const field = (i: number) => wide ? getI64(v, 8 * i) : v.getInt32(4 * i, true);
  const every = nanoseconds(field(0), field(1), false);
  let at = nanoseconds(field(2), field(3), false);
  if (ovalue) readStruct(s.m, ovalue, wide ? 32 : 16);
  const old = remaining(t.armed, s.k.now);
  if (at === 0) delete t.armed;
  else {
    if (flags & TIMER_ABSTIME) {
      // The clock's reading as an instruction count (wall clocks start at EPOCH_SEC).
      at = Math.max(at - (WALL_CLOCKS.has(t.clock) ? EPOCH_SEC * NS : 0), s.k.now);
    } else at += s.k.now;
    t.armed = { at, every };
    t.overrun = 0;
  }
  if (ovalue) putItimerspec(s, ovalue, old, wide);
  // A time already reached fires now, and is delivered as this call returns.
  if (t.armed && t.armed.at <= s.k.now) fireTimers(s.k, s.k.now);
  return 0;
}

/** System calls of this module by number. */
export const timerCalls: SyscallTable = {
  27: { name: "alarm", args: "u", fn: (s, a) => alarm(s, a[0]) },
  104: { name: "setitimer", args: "d,x,x", fn: (s, a) => setitimer(s, a[0], a[1], a[2]) },
  105: {
    name: "getitimer",
    args: "d,x",
    fn: (s, a) => {
      const name = itimerOf(a[0]);
      putItimerval(s, a[1], remaining(records(s.k).process.timers?.[name], s.k.now));
      return 0;
    },
  },
  259: { name: "timer_create", args: "d,x,x", fn: (s, a) => timerCreate(s, a[0], a[1], a[2]) },
  260: { name: "timer_settime", args: "d,d,x,x", fn: (s, a) => timerSettime(s, a, false) },
  409: { name: "timer_settime64", args: "d,d,x,x", fn: (s, a) => timerSettime(s, a, true) },
  261: {
    name: "timer_gettime",
    args: "d,x",
    fn: (s, a) => (putItimerspec(s, a[1], remaining(posixTimer(s.k, a[0]).armed, s.k.now), false), 0),
  },
  408: {
    name: "timer_gettime64",
    args: "d,x",
    fn: (s, a) => (putItimerspec(s, a[1], remaining(posixTimer(s.k, a[0]).armed, s.k.now), true), 0),
  },
  262: { name: "timer_getoverrun", args: "d", fn: (s, a) => posixTimer(s.k, a[0]).overrun },
  263: {
    name: "timer_delete",
    args: "d",
    fn: (s, a) => {
      posixTimer(s.k, a[0]);
      deleteTimer(s.k, a[0] | 0);
      return 0;
    },
  },
};
