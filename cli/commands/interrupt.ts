/**
 * Running a guest (or a manifest's guests) so that SIGINT and SIGTERM stop
 * it at an instruction boundary instead of killing the process, when the
 * run's state is to be saved (`exec`/`resume`/`run` with `--save`): the
 * caller then saves a resumable snapshot at the instruction where it
 * stopped.
 */
import type { Stop } from "../../core/vm/guest.ts";

/** Instructions run between two looks at the signals: a few milliseconds of guest time. */
export const SLICE = 1_000_000;

/** The signals that stop an interruptible run. */
export type StopSignal = "SIGINT" | "SIGTERM";

/** How an interruptible run ended: the guest's stop, and the signal that stopped it, if one did. */
export interface InterruptibleStop {
  stop: Stop;
  signal?: StopSignal;
}

/**
 * Runs `work` with SIGINT and SIGTERM caught (their default effect, ending
 * the process, restored afterwards); `caught()` names the one that arrived,
 * if one did. Handlers run only when the event loop gets control, so
 * `work` must yield to it (an awaited timer) before asking.
 */
async function catchingSignals<T>(work: (caught: () => StopSignal | undefined) => Promise<T>): Promise<T> {
  let signal: StopSignal | undefined;
  const onInt = () => signal = "SIGINT";
  const onTerm = () => signal = "SIGTERM";
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  try {
    return await work(() => signal);
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  }
}

/** Lets the event loop run (and with it signal handlers). */
const turn = () => new Promise((ok) => setTimeout(ok, 0));

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
  const slices = async (caught: () => StopSignal | undefined): Promise<InterruptibleStop> => {
    let retired = 0;
    for (;;) {
      const slice = Math.min(SLICE, budget - retired);
      const stop = runner.run(slice);
      retired += stop.retired;
      onSlice?.(retired);
      const more = stop.status === "budget" && !stop.break && stop.retired === slice && retired < budget;
      if (!more) return { stop: { ...stop, retired } };
      await turn();
      const signal = caught();
      if (signal) return { stop: { ...stop, retired }, signal };
    }
  };
  return catchSignals ? await catchingSignals(slices) : await slices(() => undefined);
}

/**
 * Drives a run that proceeds in steps (a generator, like core/manifest's
 * `manifestRun`) to its end, or, with `catchSignals`, until SIGINT or
 * SIGTERM arrives: then it returns the last step, where the run stands.
 * Without `catchSignals` it is a plain loop and signals keep their default
 * effect.
 *
 * @example
 * const end = await stepInterruptibly(manifestRun(built, { vm: fx86Vm }), true);
 * if ("signal" in end) saveSnapshot(..., end.last.tree(), ...);
 */
export async function stepInterruptibly<S, R>(
  steps: Iterator<S, R>,
  catchSignals: boolean,
): Promise<{ result: R } | { last: S; signal: StopSignal }> {
  if (!catchSignals) {
    for (;;) {
      const step = steps.next();
      if (step.done) return { result: step.value };
    }
  }
  return await catchingSignals(async (caught) => {
    for (;;) {
      const step = steps.next();
      if (step.done) return { result: step.value };
      await turn();
      const signal = caught();
      if (signal) return { last: step.value, signal };
    }
  });
}

/** The exit status of a process stopped by `signal`, as shells report it (128 + N). */
export function signalExit(signal: StopSignal): number {
  return signal === "SIGINT" ? 130 : 143;
}
