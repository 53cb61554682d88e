/**
 * issue 13 point 6: SIGINT or SIGTERM during `exec --save` / `resume
 * --save` / `run --save` stops the guest at an instruction boundary and saves a resumable
 * snapshot there, saying so in one line (exit 130 / 143). The snapshot
 * verifies, and resuming it lands exactly where an uninterrupted run with
 * the same total budget lands.
 */
import { assert, runtime, test } from "../harness.ts";
import { Store } from "../../core/store/mod.ts";
import { BUSYBOX, REPO } from "../support/guests.ts";
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assertOneLine, fx86Env, scriptArgv, sleep, tempStore } from "./support.ts";

/** A guest that never stops by itself. */
const LOOP = [BUSYBOX, "sh", "-c", "i=0; while :; do i=$((i+1)); done"];

/**
 * Runs `fx86 ARGS` and sends it `signal` after a while. Through a shell
 * that reports the exit status: a Deno parent reports a child that exits
 * after being signalled as killed by the signal, whatever its status.
 */
async function interruptAfter(args: string[], signal: "SIGINT" | "SIGTERM") {
  const [bin, argv] = scriptArgv(runtime, join(REPO, "cli", "main.ts"), args);
  const child = spawn("sh", ["-c", '"$@" & echo "pid $!"; wait $!; echo "exit $?"', "sh", bin, ...argv], { cwd: REPO });
  let stdout = "", stderr = "";
  child.stdout.on("data", (d) => stdout += d);
  child.stderr.on("data", (d) => stderr += d);
  const done = new Promise((ok) => child.on("close", ok));
  await sleep(2500); // start-up, then a few hundred thousand guest instructions at least
  const pid = Number(/^pid (\d+)/.exec(stdout)![1]);
  process.kill(pid, signal);
  // A run that ignores the signal (a background job's SIGINT is ignored unless handled) fails, not hangs.
  const timer = setTimeout(() => process.kill(pid, "SIGKILL"), 30_000);
  await done;
  clearTimeout(timer);
  return { code: Number(/exit (\d+)\n$/.exec(stdout)![1]), stderr };
}

test(`interrupt (${runtime}): SIGINT during exec --save and SIGTERM during resume --save save where the guest stopped`, async () => {
  const store = tempStore();
  const first = await interruptAfter(["exec", "--store", store, "--save", "a", ...LOOP], "SIGINT");
  assert.equal(first.code, 130, first.stderr);
  assertOneLine(first.stderr, /^fx86: interrupted by SIGINT after \d+ instructions at eip 0x[0-9a-f]{8}; saved as a \(fx86 resume a continues it\)$/);
  const a = Store.open(store).getSnapshot("a");
  assert.equal(first.stderr.match(/after (\d+) instructions/)![1], String(a.instructions));
  assert.equal(a.status, "budget");
  assert.ok(a.instructions > 0 && a.budget_used === a.instructions);
  assert.equal(fx86Env(runtime, ["verify", "a", "--store", store]).status, 0);

  const second = await interruptAfter(["resume", "a", "--store", store, "--save", "b"], "SIGTERM");
  assert.equal(second.code, 143, second.stderr);
  assertOneLine(second.stderr, /^fx86: interrupted by SIGTERM after \d+ instructions at eip 0x[0-9a-f]{8}; saved as b \(fx86 resume b continues it\)$/);
  const b = Store.open(store).getSnapshot("b");
  assert.equal(b.origin, "a");
  assert.ok(b.instructions > a.instructions);
  assert.equal(fx86Env(runtime, ["verify", "b", "--store", store]).status, 0);

  // Resuming b for 1000 more lands where one uninterrupted run of the same length does.
  const resumed = JSON.parse(fx86Env(runtime, ["resume", "b", "--budget", "1000", "--json", "--store", store]).stdout);
  const straight = JSON.parse(fx86Env(runtime, ["exec", "--budget", String(b.instructions + 1000), "--json", ...LOOP]).stdout);
  assert.equal(resumed.root, straight.root);
}, { timeoutMs: 120_000 });

test(`interrupt (${runtime}): SIGINT during run --save saves the host tree where the running guest stopped`, async () => {
  const store = tempStore();
  const dir = mkdtempSync(join(tmpdir(), "fx86-interrupt-run-"));
  copyFileSync(BUSYBOX, join(dir, "busybox"));
  /** Two guests: one that finishes, then LOOP's loop, with a budget if `budget` is given. */
  const manifest = (name: string, budget?: number) => {
    const loop = ["    program: busybox", `    args: [sh, -c, "${LOOP[3]}"]`];
    if (budget !== undefined) loop.push(`    budget: ${budget}`, "    expect: {status: budget}");
    const text = ["version: 1", "guests:", "  done:", "    program: busybox", "    args: [echo, hi]", "  loop:", ...loop, ""];
    writeFileSync(join(dir, name), text.join("\n"));
    return join(dir, name);
  };
  try {
    const run = await interruptAfter(["run", "--store", store, "--save", "m", manifest("m.yaml")], "SIGINT");
    assert.equal(run.code, 130, run.stderr);
    assertOneLine(run.stderr, /^fx86: interrupted by SIGINT in guest loop after \d+ instructions; saved the host tree as m \(fx86 resume m\/loop continues it\)$/);
    const n = Number(run.stderr.match(/after (\d+) instructions/)![1]);
    const { meta, tree } = Store.open(store).loadSnapshot("m");
    assert.equal(meta.status, "budget");
    assert.equal(meta.instructions, n);
    assert.ok(tree.kind === "dir" && tree.get("done") && tree.get("loop"), "both guests are in the saved host tree");

    // The first guest had finished; the loop resumes and lands where one uninterrupted run of that length does.
    const done = JSON.parse(fx86Env(runtime, ["resume", "m/done", "--json", "--store", store]).stdout);
    assert.equal(done.status, "exited");
    const resumed = JSON.parse(fx86Env(runtime, ["resume", "m/loop", "--budget", "1000", "--json", "--store", store]).stdout);
    assert.equal(resumed.instructions, n + 1000);
    const straight = fx86Env(runtime, ["run", "--store", store, "--save", "straight", manifest("straight.yaml", n + 1000)]);
    assert.equal(straight.status, 0, straight.stderr);
    const whole = Store.open(store).loadSnapshot("straight").tree;
    assert.equal(resumed.root, whole.kind === "dir" ? whole.get("loop")?.hash : undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, { timeoutMs: 120_000 });
