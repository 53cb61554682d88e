/**
 * Guest time. Every clock a guest can read derives from its instruction
 * count, never from the host: the guest runs on an imaginary 1 GHz machine
 * that retires one instruction per nanosecond, and its wall clock starts at
 * 2000-01-01T00:00:00Z.
 */

/** 2000-01-01T00:00:00Z in seconds since the Unix epoch. */
export const EPOCH_SEC = 946684800;

/** A point in time or a duration, as Linux's struct timespec. */
export interface Timespec {
  readonly sec: number;
  readonly nsec: number;
}

/**
 * Guest time elapsed since start (CLOCK_MONOTONIC, CPU-time clocks).
 *
 * @example
 * sinceStart(1_500_000_000); // { sec: 1, nsec: 500000000 }
 */
export function sinceStart(icount: number): Timespec {
  return { sec: Math.floor(icount / 1e9), nsec: icount % 1e9 };
}

/**
 * The guest's wall clock (CLOCK_REALTIME, time(), file timestamps).
 *
 * @example
 * wallClock(0); // { sec: 946684800, nsec: 0 }: 2000-01-01
 */
export function wallClock(icount: number): Timespec {
  return { sec: EPOCH_SEC + Math.floor(icount / 1e9), nsec: icount % 1e9 };
}

/** Clock ticks per second reported by times() and AT_CLKTCK. */
export const CLK_TCK = 100;
