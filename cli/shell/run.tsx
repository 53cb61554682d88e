/** Starts the shell on the terminal and gives the terminal back as it was. */
import { render } from "ink";
import type { ShellBackend } from "./backend.ts";
import { ShellApp, type ShellAppProps } from "./app.tsx";

/**
 * Alternate screen on, cursor hidden / the reverse, clearing first (tmux
 * otherwise leaves some of the alternate screen's lines behind after a resize).
 */
const ENTER = "\x1b[?1049h\x1b[?25l", LEAVE = "\x1b[2J\x1b[H\x1b[?25h\x1b[?1049l";

/**
 * Runs the shell full-screen until the user quits; the terminal's
 * screen, cursor and mode are restored even when the shell fails.
 * `onRefresh` receives the function that redraws from the session (for
 * changes made elsewhere: gdb).
 * @example await runShell(session, "loaded examples/nesting/nesting.yaml");
 */
export async function runShell(backend: ShellBackend, greeting: string, onRefresh?: ShellAppProps["onRefresh"]): Promise<void> {
  process.stdout.write(ENTER);
  try {
    const app = render(<ShellApp backend={backend} greeting={greeting} onRefresh={onRefresh} />, {
      exitOnCtrlC: false,
      patchConsole: true,
    });
    await app.waitUntilExit();
    app.cleanup();
  } finally {
    process.stdout.write(LEAVE);
  }
}
