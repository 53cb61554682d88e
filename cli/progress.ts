/**
 * A progress line on stderr while a long run goes on, only when stderr is
 * a terminal: drawn after half a second, redrawn at most ten times a
 * second, erased at the end (and before the guest's own output to the
 * terminal). Wall-clock time decides only when to redraw, never anything
 * about the run.
 */
import { writeAll } from "./host.ts";

/** What a progress line can say: the guest, instructions so far, and the budget (Infinity: none). */
export interface ProgressState {
  guest: string;
  instructions: number;
  budget: number;
}

/** A progress line. */
export interface ProgressLine {
  /** False when stderr is no terminal: then nothing is ever drawn. */
  active: boolean;
  update(p: ProgressState): void;
  /** Erases the line (before other output, and at the end). */
  clear(): void;
}

const encoder = new TextEncoder();

/**
 * A progress line for this process's stderr (does nothing unless it is a terminal).
 *
 * @example
 * const progress = progressLine();
 * progress.update({ guest: "busybox", instructions: 5e6, budget: Infinity }); // "running busybox: 5,000,000 instructions"
 * progress.clear();
 */
export function progressLine(): ProgressLine {
  if (!process.stderr.isTTY) return { active: false, update() {}, clear() {} };
  const start = performance.now();
  let last = 0, shown = false;
  return {
    active: true,
    update(p) {
      const now = performance.now();
      if (now - start < 500 || now - last < 100) return;
      last = now;
      shown = true;
      const n = p.instructions.toLocaleString("en-US");
      const of = Number.isFinite(p.budget) ? ` of ${p.budget.toLocaleString("en-US")}` : "";
      writeAll(2, encoder.encode(`\r\x1b[Krunning ${p.guest}: ${n}${of} instructions`));
    },
    clear() {
      if (shown) writeAll(2, encoder.encode("\r\x1b[K"));
      shown = false;
    },
  };
}

/** The hooks of a guest run that shows progress: its output (erasing the line first) and each slice's count. */
export interface GuestProgress {
  /** The guest's output hook; undefined with --json (output is in the report). */
  onOutput?: (fd: number, bytes: Uint8Array) => void;
  /** For runInterruptibly; undefined when there is no line to draw. */
  onSlice?: (retired: number) => void;
  /** Erases the line at the end. */
  clear(): void;
}

/**
 * Progress for `fx86 exec`/`resume` of guest `name` with `budget` (Infinity:
 * none); `json`: the guest's output goes to the report, not the terminal.
 *
 * @example
 * const p = guestProgress("busybox", Infinity, false);
 * const guest = Guest.fromElf({ …, onOutput: p.onOutput });
 * await runInterruptibly(guest, Infinity, false, p.onSlice);
 * p.clear();
 */
export function guestProgress(name: string, budget: number, json: boolean): GuestProgress {
  const line = progressLine();
  return {
    onOutput: json ? undefined : (fd, bytes) => {
      line.clear();
      writeAll(fd, bytes);
    },
    onSlice: line.active ? (retired) => line.update({ guest: name, instructions: retired, budget }) : undefined,
    clear: () => line.clear(),
  };
}
