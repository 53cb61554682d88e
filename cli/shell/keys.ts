/**
 * The shell's single-key actions and the command lines they send to the
 * session, so keys and typed commands do the same thing.
 */
import type { CommandOutput, ExecuteOptions } from "../../core/session/view.ts";
import type { ShellBackend } from "./backend.ts";

/** A key and what it does. */
export interface KeyAction {
  key: string;
  /** Short label for the help bar. */
  label: string;
  /** Longer text for the help overlay. */
  help: string;
  /** The command line sent (or shown, with `run`); a function gets the current position (for names). */
  command: string | ((position: number) => string);
  /** Runs several command lines instead of `command`. */
  run?: (backend: ShellBackend, opts: ExecuteOptions) => Promise<CommandOutput>;
}

/**
 * The keys that run commands.
 * @example KEY_ACTIONS.find((k) => k.key === "s")!.command === "step"
 */
export const KEY_ACTIONS: KeyAction[] = [
  { key: "s", label: "step", help: "execute one instruction", command: "step" },
  { key: "n", label: "next", help: "step over a call", command: "next" },
  { key: "c", label: "cont", help: "continue to a breakpoint or the end", command: "continue" },
  { key: "b", label: "back", help: "go back one instruction", command: "back" },
  {
    key: "r",
    label: "RUN",
    help: "continue to the next Fx86 RUN entry of any sub-guest",
    command: "continue (to the next RUN entry)",
    run: continueToRunEntry,
  },
  {
    key: "S",
    label: "snap",
    help: "snapshot as t<position> (or :snapshot NAME)",
    command: (position) => `snapshot t${position}`,
  },
];

/** Other keys, for the help bar and the overlay. */
export const OTHER_KEYS: { key: string; label: string; help: string }[] = [
  { key: "Tab", label: "panel", help: "focus the next panel (Shift-Tab: previous)" },
  { key: ":", label: "cmd", help: "command line (Up/Down history, Tab completes, Esc leaves)" },
  { key: "?", label: "help", help: "this help" },
  { key: "q", label: "quit", help: "quit (Ctrl-C too)" },
];

/** Keys in the overlay only. */
export const MORE_KEYS: { key: string; help: string }[] = [
  { key: "↑ ↓ PgUp PgDn", help: "scroll the focused panel; Home returns to EIP / newest" },
  { key: "any key", help: "while running: stop (the state stays consistent)" },
];

/**
 * `continue` with a temporary breakpoint on the next RUN entry of any
 * sub-guest, deleted afterwards whatever happens.
 * @example await continueToRunEntry(session, {}) // { ok: true, text: "breakpoint 3: RUN entry of …" }
 */
export async function continueToRunEntry(backend: ShellBackend, opts: ExecuteOptions): Promise<CommandOutput> {
  const set = await backend.execute("break run-entry");
  if (!set.ok) return set;
  const id = /^breakpoint (\d+)/.exec(set.text)?.[1];
  try {
    return await backend.execute("continue", opts);
  } finally {
    if (id !== undefined) await backend.execute(`delete ${id}`);
  }
}
