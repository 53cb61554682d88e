import type { Memory } from "../../memory/memory.ts";
import { getI64, readStruct, Struct } from "../abi.ts";
import { CLK_TCK, EPOCH_SEC, sinceStart, type Timespec, wallClock } from "../clock.ts";
import { sleepUntil } from "../signals/sleep.ts";
import { EINVAL, LinuxError } from "../errno.ts";
import type { Linux } from "../linux.ts";
import { timedWait } from "../process/scheduler.ts";
import type { Call, SyscallTable } from "./types.ts";
import { processCpuTime, threadCpuTime } from "../process/cputime.ts";
import { usage } from "../process/rusage.ts";

/**
 * Clocks, all derived from the instruction count (see clock.ts). Sleeping
 * returns at once and moves no clock: guest time is instructions retired
 * (unless a timer fires meanwhile: signals/sleep.ts).
 */

const CLOCK_REALTIME = 0,
  CLOCK_PROCESS_CPUTIME_ID = 2,
  CLOCK_THREAD_CPUTIME_ID = 3,
  CLOCK_REALTIME_COARSE = 5,
  CLOCK_REALTIME_ALARM = 8,
  CLOCK_TAI = 11;
const REALTIME_CLOCKS = new Set([
  CLOCK_REALTIME,
  CLOCK_REALTIME_COARSE,
  CLOCK_REALTIME_ALARM,
  CLOCK_TAI,
]);
/** Valid clock ids: 0-9 and 11 (CLOCK_TAI). */
function clockTime(s: Call, clock: number): Timespec {
  if ((clock > 9 && clock !== CLOCK_TAI) || (clock | 0) < 0) {
    throw new LinuxError(EINVAL);
  }
  if (clock === CLOCK_PROCESS_CPUTIME_ID) return sinceStart(processCpuTime(s.k));
  if (clock === CLOCK_THREAD_CPUTIME_ID) return sinceStart(threadCpuTime(s.k));
  return REALTIME_CLOCKS.has(clock)
    ? wallClock(s.c.icount)
    : sinceStart(s.c.icount);
}

function putTimespec(
  m: Memory,
  addr: number,
  t: Timespec,
  wide: boolean,
): number {
  const s = wide
    ? new Struct(16).u64(0, t.sec).u64(8, t.nsec)
    : new Struct(8).u32(0, t.sec).u32(4, t.nsec);
  s.write(m, addr);
  return 0;
}

/** Reads and validates a requested duration or time (nanosleep and friends), in nanoseconds. */
function readDuration(m: Memory, addr: number, wide: boolean): number {
  const v = readStruct(m, addr, wide ? 16 : 8);
  const sec = wide ? getI64(v, 0) : v.getInt32(0, true);
  const nsec = wide ? getI64(v, 8) : v.getInt32(4, true);
  if (sec < 0 || nsec < 0 || nsec >= 1e9) throw new LinuxError(EINVAL);
  return sec * 1e9 + nsec;
}

/**
 * A sleep of `ns` nanoseconds: a timer firing within it may interrupt it
 * (signals/sleep.ts; `rem` gets what is left), and among several
 * processes it lasts until the others have run that long ({@link sleepAmongOthers}).
 */
function sleepFor(s: Call, ns: number, rem: number, wide: boolean): number {
  const result = sleepUntil(s, s.k.now + ns, (left) => {
    if (rem) putTimespec(s.m, rem, { sec: Math.floor(left / 1e9), nsec: left % 1e9 }, wide);
  });
  if (result !== 0) {
    s.k.sleeping = undefined;
    return result;
  }
  return sleepAmongOthers(s.k, ns);
}

const TIMER_ABSTIME = 1;

function clockNanosleep(s: Call, a: number[], wide: boolean): number {
  const [clock, flags, req, rem] = a;
  clockTime(s, clock);
  const ns = readDuration(s.m, req, wide);
  if (!(flags & TIMER_ABSTIME)) return sleepFor(s, ns, rem, wide);
  // An absolute time, as an instruction count (wall clocks start at EPOCH_SEC).
  const end = Math.max(ns - (REALTIME_CLOCKS.has(clock) ? EPOCH_SEC * 1e9 : 0), s.k.now);
  const result = sleepUntil(s, end, () => {});
  if (result !== 0) {
    s.k.sleeping = undefined;
    return result;
  }
  return sleepAmongOthers(s.k, end - s.k.now);
}

/**
 * A sleep among other processes: over at once while the process is alone;
 * among several, it lasts until the clock has advanced by `ns`
 * (process/scheduler.ts).
 */
function sleepAmongOthers(k: Linux, ns: number): number {
  timedWait(k, ns, "asleep");
  return 0;
}

/** Clock ticks (CLK_TCK per second) of guest time so far. */
function ticks(icount: number): number {
  return Math.floor(icount / (1e9 / CLK_TCK));
}

/** System calls of this module by number. */
export const timeCalls: SyscallTable = {
  13: {
    name: "time",
    args: "x",
    fn: (s, a) => {
      const t = wallClock(s.c.icount).sec;
      if (a[0]) new Struct(4).u32(0, t).write(s.m, a[0]);
      return t;
    },
  },
  78: {
    name: "gettimeofday",
    args: "x,x",
    fn: (s, a) => {
      const t = wallClock(s.c.icount);
      if (a[0]) {
        new Struct(8).u32(0, t.sec).u32(4, Math.floor(t.nsec / 1000)).write(
          s.m,
          a[0],
        );
      }
      if (a[1]) new Struct(8).write(s.m, a[1]); // UTC, no daylight saving
      return 0;
    },
  },
  265: {
    name: "clock_gettime",
    args: "d,x",
    fn: (s, a) => putTimespec(s.m, a[1], clockTime(s, a[0]), false),
  },
  403: {
    name: "clock_gettime64",
    args: "d,x",
    fn: (s, a) => putTimespec(s.m, a[1], clockTime(s, a[0]), true),
  },
  266: {
    name: "clock_getres",
    args: "d,x",
    fn: (s, a) => {
      clockTime(s, a[0]);
      return a[1] ? putTimespec(s.m, a[1], { sec: 0, nsec: 1 }, false) : 0;
    },
  },
  406: {
    name: "clock_getres_time64",
    args: "d,x",
    fn: (s, a) => {
      clockTime(s, a[0]);
      return a[1] ? putTimespec(s.m, a[1], { sec: 0, nsec: 1 }, true) : 0;
    },
  },
  162: {
    name: "nanosleep",
    args: "x,x",
    fn: (s, a) => sleepFor(s, readDuration(s.m, a[0], false), a[1], false),
  },
  267: {
    name: "clock_nanosleep",
    args: "d,x,x,x",
    fn: (s, a) => clockNanosleep(s, a, false),
  },
  407: {
    name: "clock_nanosleep_time64",
    args: "d,x,x,x",
    fn: (s, a) => clockNanosleep(s, a, true),
  },
  43: {
    name: "times",
    args: "x",
    fn: (s, a) => {
      // tms_utime and tms_cutime; fx86 spends no system time on the guest's behalf.
      if (a[0]) new Struct(16).u32(0, ticks(processCpuTime(s.k))).u32(8, ticks(s.k.group.cpuTimeChildren)).write(s.m, a[0]);
      return ticks(s.c.icount);
    },
  },
  77: {
    name: "getrusage",
    args: "d,x",
    fn: (s, a) => {
      const who = a[0] | 0;
      if (who !== 0 && who !== -1 && who !== 1) throw new LinuxError(EINVAL);
      const time = who === 0 ? processCpuTime(s.k) : who === 1 ? threadCpuTime(s.k) : s.k.group.cpuTimeChildren;
      usage(time).write(s.m, a[1]);
      return 0;
    },
  },
};
