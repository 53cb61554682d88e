/**
 * The shell as a person uses it: the real program (`fx86 shell` under Bun
 * and under Deno) in an 80x24 tmux terminal, keys sent, screens read and
 * compared with the checked-in captures in screens/ (the same under both
 * runtimes: the run is deterministic).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { fx86 } from "../support/cli.ts";
import { REPO } from "../support/guests.ts";
import { cProgram } from "../support/build.ts";
import { expectScreen, Terminal } from "./tmux.ts";
import { NEEDS_TERMINAL } from "../../cli/commands/shell.ts";

const bin = (rt: string) => join(REPO, "node_modules", ".bin", rt);
/** Each runtime, and how its run quits: the key, or the command. */
const FORMS: [string, string[], string][] = [
  ["bun", [bin("bun"), "cli/main.ts"], "q"],
  ["deno", [bin("deno"), "run", "-A", "cli/main.ts"], ":quit"],
];

/** The rows of the panels (everything above the status line and help bar). */
const panels = (screen: string) => screen.split("\n").slice(0, -2).join("\n");
/** The status line (the console panel may show the same text wrapped). */
const status = (screen: string) => screen.split("\n").at(-2) ?? "";
/** The registers panel's rows, without the change marks. */
const registers = (screen: string) =>
  screen.split("\n").slice(1, 6).map((l) => l.slice(l.indexOf("││") + 2).replace(/\*/g, "").replace(/ +/g, " ")).join("\n");

for (const [name, argv, quit] of FORMS) {
  test(`shell (${name}): panels, step, back, a bad command, nesting three levels deep, snapshot, resize, quit`, async () => {
    const store = mkdtempSync(join(tmpdir(), "fx86-shell-store-"));
    const t = new Terminal([...argv, "shell", "--store", store, "examples/nesting/nesting.yaml"], REPO);
    try {
      const start = await t.until((s) => s.includes("loaded examples/nesting/nesting.yaml"), "the loaded manifest");
      for (const title of ["Host tree", "Registers", "Disassembly", "Output nest"]) assert.ok(start.includes(title), title);
      assert.match(start, /EIP 0804a479 /);
      assert.match(start, /s step n next c cont b back r RUN S snap Tab panel : cmd \? help q quit/);
      expectScreen("start", start);

      t.send("s");
      const stepped = await t.until((s) => s.includes("EIP 0804a47b*"), "EIP after one step");
      assert.match(stepped, /│ ▶ 0804a47b {2}mov eax, dword ptr \[esp\]/);
      expectScreen("step", stepped);

      t.send("b");
      const back = await t.until((s) => s.includes("EIP 0804a479*"), "EIP back where it was");
      assert.equal(registers(back), registers(start));
      expectScreen("back", back);

      t.send(":bogus", true);
      t.send("Enter");
      const bad = await t.until((s) => s.includes('unknown command "bogus"'), "the error");
      assert.equal(bad.split("\n").filter((l) => l.includes("bogus")).length, 1);
      assert.equal(panels(bad), panels(back));
      expectScreen("bogus", bad);

      t.send(":break run-entry nest/fs/child/fs/child", true);
      t.send("Enter");
      await t.until((s) => s.includes("breakpoint 1 run-entry nest/fs/child/fs/child"), "the breakpoint set");
      t.send("c");
      const nested = await t.until((s) => s.includes("breakpoint 1: RUN entry of nest/fs/child/fs/child"), "the stop");
      const hosts = nested.split("\n").slice(1, 4).map((l) => l.slice(0, l.indexOf("││")));
      assert.match(hosts[0], /^│ nest {9}paused/);
      assert.match(hosts[1], /^│▶ {2}\/child {5}running/);
      assert.match(hosts[2], /^│ {5}\/child {3}new/);
      expectScreen("nested", nested);

      t.send("S");
      await t.until((s) => s.includes("snapshot t11840: nest at instruction 11840"), "the snapshot made");
      assert.ok(existsSync(join(store, "snapshots", "t11840.json")));

      t.send("?");
      await t.until((s) => s.includes("┌─ Help") && s.includes(":help CMD"), "the help overlay");
      t.send("Escape");
      await t.until((s) => s.includes("┌─ Host tree"), "the panels again");

      // A larger terminal gets more panels.
      t.resize(132, 40);
      await t.until((s) => s.includes("┌─ Timeline") && s.includes("┌─ Memory"), "the large layout");

      t.send(quit, true);
      if (quit !== "q") t.send("Enter");
      const after = await t.until((s) => s.includes("EXITED"), "the shell's exit");
      // The terminal is as before the shell: its screen is gone.
      assert.equal(after.trim(), "EXITED 0");
    } finally {
      t.close();
      rmSync(store, { recursive: true, force: true });
    }
  });
}

test("shell: a long run shows its progress, a key interrupts it, and the session goes on from there", async () => {
  // About 10^9 instructions: far longer than the test waits.
  const nest = cProgram("tests/bench/nest.c", "nest");
  const t = new Terminal([bin("bun"), "cli/main.ts", "shell", nest, "0", "77000000"], REPO);
  try {
    await t.until((s) => s.includes("loaded "), "the program");
    t.send("c");
    const running = await t.until((s) => /running: [\d.,KMG]+ instructions/.test(s), "progress");
    assert.match(running, /any key stops the run/);
    t.send("x");
    const stopped = await t.until((s) => /interrupted at instruction \d+/.test(status(s)), "the interrupt");
    const at = Number(/interrupted at instruction (\d+)/.exec(status(stopped))![1]);
    assert.ok(at >= 1_000_000, `stopped at ${at}`);
    // The host tree counts what ran (in millions), under no budget.
    assert.match(stopped.split("\n")[1], /^│▶nest +paused +∞ +[\d.]+M│/);
    t.send("s");
    await t.until((s) => s.includes(`[${at + 1}] nest`), "one more instruction from there");
    t.send("q");
    assert.equal((await t.until((s) => s.includes("EXITED"), "the exit")).trim(), "EXITED 0");
  } finally {
    t.close();
  }
});

test("shell: NO_COLOR=1 draws without any SGR sequence; without it the screen is styled", async () => {
  const sgr = /\x1b\[[0-9;]*m/;
  for (const [env, styled] of [["NO_COLOR=1", false], ["FX86_PLAIN=0", true]] as const) {
    const t = new Terminal(["env", env, bin("bun"), "cli/main.ts", "shell", "examples/hello/hello"], REPO);
    try {
      await t.until((s) => s.includes("Disassembly"), "the panels");
      assert.equal(sgr.test(t.styled()), styled, env);
    } finally {
      t.close();
    }
  }
});

test("shell: a target that cannot be loaded is one line and status 2, before the screen is taken", async () => {
  const t = new Terminal([bin("bun"), "cli/main.ts", "shell", "examples/nope.yaml"], REPO);
  try {
    const s = await t.until((s) => s.includes("EXITED"), "the exit");
    assert.equal(s.trim().split("\n").length, 2);
    assert.match(s, /^fx86: .*examples\/nope\.yaml.*\nEXITED 2$/);
  } finally {
    t.close();
  }
});

test("shell: without a terminal it says so, suggests the REPL, and exits 2", () => {
  for (const rt of ["bun", "deno"] as const) {
    const r = fx86(rt, ["shell", "examples/nesting/nesting.yaml"]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, NEEDS_TERMINAL + "\n");
    assert.equal(r.stdout, "");
  }
});

