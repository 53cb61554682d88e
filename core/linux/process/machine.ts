/**
 * What the processes of one guest share beyond files and pipes: the
 * process table, the id counters and the scheduler's position
 * (docs/linux.md, "Processes").
 */
import type { Linux } from "../linux.ts";

/**
 * Instructions a process runs before the scheduler moves on to the next
 * runnable one (it also moves on when the process blocks or exits).
 */
export const QUANTUM = 100_000;

/** Machine-wide state of a guest's Linux personality. */
export interface Machine {
  nextFile: number;
  nextPipe: number;
  /** The host still holds stdin's write end (more input may come). */
  hostStdinOpen: boolean;
  /** The instruction count at the latest system call: the guest's clock. */
  now: number;
  /**
   * Every process by pid, in ascending pid order, the first one included;
   * made by the first fork. Exited processes stay until waited for.
   */
  procs?: Map<number, Linux>;
  /** The pid the next fork gets. */
  nextPid: number;
  /** The process running now. */
  current: number;
  /** Instructions left of its quantum. */
  quantum: number;
  /**
   * The guest's time since the first fork, in nanoseconds: the first
   * process's instruction count then, plus every instruction any process
   * has run since, plus the time jumped while none could run (scheduler.ts).
   */
  clock: number;
}

/**
 * The machine of a guest that has one process.
 *
 * @example
 * const m = newMachine();
 * m.procs; // undefined until the first fork
 */
export function newMachine(): Machine {
  return {
    nextFile: 1,
    nextPipe: 1,
    hostStdinOpen: false,
    now: 0,
    nextPid: 0,
    current: 0,
    quantum: QUANTUM,
    clock: 0,
  };
}
