/**
 * `fx86 repl` on a real terminal (tmux): Tab completion, history kept in
 * ~/.fx86_history, Ctrl-C clearing the line at the prompt and interrupting
 * a long command without losing state, Ctrl-D quitting.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { REPO } from "../support/guests.ts";
import { BUSYBOX } from "../support/guests.ts";
import { requireTmux } from "../shell/tmux.ts";


/** A tmux server of our own (its own socket), running one command in an 100x30 window. */
function terminal(command: string) {
  requireTmux();
  const socket = `fx86-repl-test-${process.pid}-${Date.now()}`;
  const tmux = (...args: string[]) => spawnSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
  const r = tmux("new-session", "-d", "-s", "t", "-x", "100", "-y", "30", command);
  if (r.status !== 0) throw new Error(r.stderr);
  const screen = () => tmux("capture-pane", "-p", "-t", "t").stdout ?? "";
  return {
    keys: (...keys: string[]) => tmux("send-keys", "-t", "t", ...keys),
    screen,
    /** Waits until the screen matches (or the window is gone, for null). */
    async until(what: RegExp | null, ms = 30_000): Promise<string> {
      const end = Date.now() + ms;
      for (;;) {
        const alive = tmux("has-session", "-t", "t").status === 0;
        const s = alive ? screen() : "";
        if (what === null ? !alive : what.test(s)) return s;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () => tmux("kill-server"),
  };
}

for (const rt of ["deno", "bun"] as const) {
  test(`terminal (${rt}): completion, history, Ctrl-C at the prompt and during a run, Ctrl-D`, async () => {
    const home = mkdtempSync(join(tmpdir(), "fx86-home-"));
    const bin = join(REPO, "node_modules", ".bin", rt);
    const run = rt === "deno" ? `${bin} run -A cli/main.ts` : `${bin} cli/main.ts`;
    const loop = `${BUSYBOX} -- sh -c "while :; do :; done"`;
    const t = terminal(`cd ${REPO} && HOME=${home} ${run} repl ${loop}`);
    try {
      await t.until(/^fx86>\s*$/m);
      t.keys("gue", "Tab");
      await t.until(/fx86> guests$/m);
      t.keys("Enter");
      await t.until(/\*> busybox +new/);
      t.keys("half-typed", "C-c");
      await t.until(/fx86> half-typed\^C\nfx86>\s*$/m);
      t.keys("continue", "Enter");
      await t.until(/instructions \(Ctrl-C stops\)/);
      t.keys("C-c");
      const s = await t.until(/^interrupted at instruction (\d+)$/m);
      const n = Number(/^interrupted at instruction (\d+)$/m.exec(s)![1]);
      assert.ok(n > 0 && n % 1_000_000 === 0, `stopped at a chunk boundary: ${n}`);
      t.keys("status", "Enter");
      await t.until(new RegExp(`machine busybox: instruction ${n} of ${n} reached`));
      t.keys("C-d");
      await t.until(null);
      const history = readFileSync(join(home, ".fx86_history"), "utf8");
      assert.equal(history, "guests\ncontinue\nstatus\n");
    } finally {
      t.close();
      rmSync(home, { recursive: true, force: true });
    }
  }, { timeoutMs: 120_000 });
}
