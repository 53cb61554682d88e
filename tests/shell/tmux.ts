/**
 * Drives a program in a real terminal: a private tmux server (its own
 * socket, no user config) with one 80x24 window; keys go in with
 * send-keys, the screen comes out with capture-pane.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Throws what to install when tmux cannot be run here: the terminal tests fail, never skip, without it. */
export function requireTmux(): void {
  if (spawnSync("tmux", ["-V"]).status !== 0) {
    throw new Error("tmux is not installed: run tests/prepare.sh (or apt-get install tmux)");
  }
}

/** One program in one tmux window. */
export class Terminal {
  readonly dir = mkdtempSync(join(tmpdir(), "fx86-tmux-"));
  readonly socket = join(this.dir, "socket");

  /**
   * Starts `argv` in `cwd` in a `columns`x`rows` window. When it exits the
   * window shows "EXITED <status>" (and stays, to be read).
   */
  constructor(argv: string[], cwd: string, columns = 80, rows = 24) {
    requireTmux();
    const script = join(this.dir, "run.sh");
    const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
    // CI=true as CI machines set it: the shell must draw on a terminal all the same.
    writeFileSync(script, `cd '${cwd}' && CI=true ${quoted}\necho "EXITED $?"\nexec sleep 600\n`);
    this.tmux("-f", "/dev/null", "new-session", "-d", "-x", String(columns), "-y", String(rows), "sh", script);
  }

  private tmux(...args: string[]): string {
    const r = spawnSync("tmux", ["-S", this.socket, ...args], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  }

  /** Sends keys as tmux names them ("s", "Enter", "Escape", "C-c") or literal text with `literal`. */
  send(keys: string, literal = false): void {
    this.tmux("send-keys", ...(literal ? ["-l", keys] : [keys]));
  }

  /** Resizes the window, as a person resizing the terminal. */
  resize(columns: number, rows: number): void {
    this.tmux("resize-window", "-x", String(columns), "-y", String(rows));
  }

  /** The screen as text, one line per row, trailing spaces removed. */
  screen(): string {
    return this.tmux("capture-pane", "-p").split("\n").map((l) => l.trimEnd()).join("\n").replace(/\n+$/, "");
  }

  /** The screen with its styling, as the SGR escape sequences tmux would send to redraw it. */
  styled(): string {
    return this.tmux("capture-pane", "-p", "-e");
  }

  /**
   * Polls the screen until `pred` holds on two looks 100 ms apart and
   * returns the second (a redraw arrives in pieces, and tmux may show half
   * of one); a timeout fails with the last screen, so the failure shows
   * what a person would have seen.
   */
  async until(pred: (screen: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    let last = "";
    while (Date.now() < end) {
      last = this.screen();
      if (pred(last)) {
        await pause(100);
        last = this.screen();
        if (pred(last)) return last;
        continue;
      }
      await pause(50);
    }
    throw new Error(`the terminal never showed ${what}; it shows:\n${last}`);
  }

  /** Ends the tmux server and removes its directory. */
  close(): void {
    spawnSync("tmux", ["-S", this.socket, "kill-server"]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Compares a screen with the checked-in one, `dir`/NAME.txt (by default
 * tests/shell/screens/); FX86_UPDATE_SCREENS=1 rewrites it instead.
 */
export function expectScreen(name: string, screen: string, dir = new URL("./screens/", import.meta.url)): void {
  const file = new URL(`${name}.txt`, dir).pathname;
  if (process.env.FX86_UPDATE_SCREENS === "1") {
    writeFileSync(file, screen + "\n");
    return;
  }
  let want;
  try {
    want = readFileSync(file, "utf8").replace(/\n$/, "");
  } catch {
    throw new Error(`no expected screen ${file}: run with FX86_UPDATE_SCREENS=1 and check it`);
  }
  if (want !== screen) {
    throw new Error(`screen ${name} differs from ${file}:\n--- expected\n${want}\n--- actual\n${screen}`);
  }
}
