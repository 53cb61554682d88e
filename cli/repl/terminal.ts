/**
 * The REPL on a terminal: a prompt with line editing, history (kept in
 * ~/.fx86_history) and Tab completion from the session; Ctrl-C interrupts
 * a running command (or clears the line at the prompt), Ctrl-D quits.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Session } from "../../core/session/mod.ts";

const HISTORY_SIZE = 1000;

/** The history file: $HOME/.fx86_history. */
export function historyFile(): string {
  return join(process.env.HOME ?? homedir(), ".fx86_history");
}

function loadHistory(file: string): string[] {
  try {
    // readline wants the newest entry first.
    return readFileSync(file, "utf8").split("\n").filter(Boolean).slice(-HISTORY_SIZE).reverse();
  } catch {
    return [];
  }
}

/**
 * Reads and runs commands until quit or Ctrl-D; returns the exit status (0).
 *
 * @example
 * process.exitCode = await runTerminal(new Session({ store }));
 */
export function runTerminal(session: Session): Promise<number> {
  const file = historyFile();
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    prompt: "fx86> ",
    history: loadHistory(file),
    historySize: HISTORY_SIZE,
    completer: (line: string) => {
      const word = /\S*$/.exec(line)![0];
      return [session.complete(line), word];
    },
  } as Parameters<typeof createInterface>[0]);
  let running: AbortController | undefined;
  let progressShown = false;
  let lastDraw = 0;
  const clearProgress = () => {
    if (progressShown) process.stderr.write("\r\x1b[K");
    progressShown = false;
  };
  rl.on("SIGINT", () => {
    if (running) {
      running.abort();
      return;
    }
    // At the prompt: drop what was typed and start a fresh line.
    (rl as unknown as { line: string }).line = "";
    process.stdout.write("^C\n");
    rl.prompt();
  });
  return new Promise((resolve) => {
    let queue = Promise.resolve();
    rl.on("line", (line) => {
      queue = queue.then(async () => {
        if (line.trim() !== "") {
          try {
            appendFileSync(file, line + "\n");
          } catch { /* no history file: history lasts for this session only */ }
        }
        running = new AbortController();
        const r = await session.execute(line, {
          signal: running.signal,
          onProgress: (done, total) => {
            const now = performance.now();
            if (now - lastDraw < 100) return;
            lastDraw = now;
            progressShown = true;
            process.stderr.write(`\r\x1b[K${done.toLocaleString("en-US")}${total === null ? "" : ` of ${total.toLocaleString("en-US")}`} instructions (Ctrl-C stops)`);
          },
        });
        running = undefined;
        clearProgress();
        if (r.text) (r.ok ? process.stdout : process.stderr).write(r.ok ? r.text + "\n" : `fx86: ${r.text}\n`);
        if (r.quit) rl.close();
        else rl.prompt();
      });
    });
    rl.on("close", () => {
      process.stdout.write("\n");
      resolve(0);
    });
    rl.prompt();
  });
}
