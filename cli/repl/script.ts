/**
 * The REPL without a terminal: commands from a script file or stdin, one
 * per line; prints only what the commands print (plain, deterministic
 * text) and stops at the first failing command, naming its line.
 */
import type { Session } from "../../core/session/mod.ts";

/** Where the REPL writes: stdout for outputs, stderr for the failure line. */
export interface ScriptIo {
  out(text: string): void;
  err(text: string): void;
  /** Aborted when the user interrupts (Ctrl-C): the running command stops at its next chunk. */
  signal?: AbortSignal;
}

/**
 * Runs the commands of `text` (named `file` in messages: a path or
 * "<stdin>"). Blank lines and lines starting with `#` are skipped.
 * Returns the exit status: 0, or 1 after the first failing command.
 *
 * @example
 * await runScript(new Session(), "load hello.yaml\ncontinue\n", "demo.fx86", io); // 0
 */
export async function runScript(session: Session, text: string, file: string, io: ScriptIo): Promise<number> {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith("#")) continue;
    const r = await session.execute(line, { signal: io.signal });
    if (!r.ok) {
      io.err(`fx86: ${file}:${i + 1}: ${r.text}\n`);
      return 1;
    }
    if (r.text) io.out(r.text + "\n");
    if (r.quit) break;
  }
  return 0;
}
