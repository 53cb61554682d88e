/**
 * Running a guest so that SIGINT and SIGTERM stop it at an instruction
 * boundary instead of killing the process, when the run's state is to be
 * saved (`exec`/`resume` with `--save`): the caller then saves a resumable
 * snapshot at the instruction where it stopped.
 */
import type { Stop } from "../../core/vm/guest.ts";

/** Instructions run between two looks at the signals: a few milliseconds of guest time. */
const SLICE = 1_000_000;

/** How an interruptible run ended: the guest's stop, and the signal that stopped it, if one did. */
export interface InterruptibleStop {
  stop: Stop;
  signal?: "SIGINT" | "SIGTERM";
}

/**
 * Runs `runner` (a Guest or a Timeline) for `budget` instructions in
 * slices, yielding to the event loop between slices so that SIGINT or
 * SIGTERM can stop it there. Budgets are exact, so slicing changes nothing
 * the guest can see: the result equals one `run(budget)`. `onSlice` hears
 * the instructions retired so far after each slice (a progress line).
 * Without `catchSignals` signals keep their default effect, and without
 * `onSlice` either it is exactly `run(budget)`.
 *
 * @example
 * const { stop, signal } = await runInterruptibly(guest, Infinity, true);
 * if (signal) saveSnapshot(...); // stopped at instruction guest.instructions
 */
export async function runInterruptibly(
  runner: { run(budget: number): Stop },
  budget: number,
  catchSignals: boolean,
  onSlice?: (retired: number) => void,
): Promise<InterruptibleStop> {
  if (!catchSignals && !onSlice) return { stop: runner.run(budget) };
  let signal: InterruptibleStop["signal"];
  const onInt = () => signal = "SIGINT";
  const onTerm = () => signal = "SIGTERM";
  if (catchSignals) {
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
  }
  try {
    let retired = 0;
    for (;;) {
      const slice = Math.min(SLICE, budget - retired);
      const stop = runner.run(slice);
      retired += stop.retired;
      onSlice?.(retired);
      const more = stop.status === "budget" && !stop.break && stop.retired === slice && retired < budget;
      if (!more) return { stop: { ...stop, retired } };
      // Signal handlers run only when the event loop gets control.
      await new Promise((ok) => setTimeout(ok, 0));
      if (signal) return { stop: { ...stop, retired }, signal };
    }
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  }
}

/** The exit status of a process stopped by `signal`, as shells report it (128 + N). */
export function signalExit(signal: "SIGINT" | "SIGTERM"): number {
  return signal === "SIGINT" ? 130 : 143;
}
