/**
 * `exec --budget K --save s` then `resume s` ends in exactly the root of an
 * uninterrupted run: under Deno, under Bun, and across them (save under one,
 * resume under the other: migration through the store).
 */
import { assert, test } from "../harness.ts";
import type { Runtime } from "../support/cli.ts";
import { BUSYBOX, pseudoText } from "../support/guests.ts";
import { fx86Env, tempStore } from "./support.ts";

const input = new TextDecoder().decode(pseudoText(20_000, 3));
const program = [BUSYBOX, "sort", "-r"];

interface Report {
  status: string;
  exit_code: number | null;
  instructions: number;
  stdout: string;
  root: string;
}

function json(r: { status: number | null; stdout: string; stderr: string }): Report {
  assert.equal(r.stderr, "");
  return JSON.parse(r.stdout);
}

const straight = (() => {
  let cached: Report | undefined;
  return () => cached ??= json(fx86Env("bun", ["exec", "--json", ...program], { stdin: input }));
})();

const pairs: [Runtime, Runtime][] = [["deno", "deno"], ["bun", "bun"], ["deno", "bun"], ["bun", "deno"]];
for (const [saver, resumer] of pairs) {
  test(`resume: exec --budget under ${saver}, resume under ${resumer}, ends in the uninterrupted root`, () => {
    const end = straight();
    assert.equal(end.status, "exited");
    const store = tempStore();
    const k = Math.floor(end.instructions * (saver === resumer ? 0.4 : 0.7));
    const first = fx86Env(saver, ["exec", "--store", store, "--budget", String(k), "--save", "s", "--json", ...program], {
      stdin: input,
    });
    assert.equal(first.status, 124, first.stderr);
    assert.equal(json(first).instructions, k);
    // Two more steps, each saved, then the rest.
    const step = Math.floor((end.instructions - k) / 3);
    const second = fx86Env(resumer, ["resume", "s", "--store", store, "--budget", String(step), "--save", "s2"]);
    assert.equal(second.status, 124, second.stderr);
    assert.match(second.stderr, new RegExp(`^fx86: budget exhausted after ${k + step} instructions`));
    const last = fx86Env(saver, ["resume", "s2", "--store", store, "--json", "--save", "done"]);
    assert.equal(last.status, 0, last.stderr);
    const report = json(last);
    assert.equal(report.root, end.root);
    assert.equal(report.instructions, end.instructions);
    assert.equal(report.stdout, end.stdout);
    const show = JSON.parse(fx86Env(resumer, ["snapshot", "show", "--json", "done", "--store", store]).stdout);
    assert.equal(show.root, end.root);
    assert.equal(show.origin, "s2");
    assert.equal(show.status, "exited");
    assert.equal(show.instructions, end.instructions);
    assert.equal(show.budget_used, end.instructions - k - step);
    assert.equal(show.runtime, saver);
    const s2 = JSON.parse(fx86Env(saver, ["snapshot", "show", "--json", "s2", "--store", store]).stdout);
    assert.equal(s2.origin, "s");
    assert.equal(s2.runtime, resumer);
    assert.equal(s2.budget_used, step);
  }, { timeoutMs: 120_000 });
}

test("resume: plain output continues where the saved run stopped", () => {
  const store = tempStore();
  const sh = [BUSYBOX, "sh", "-c", "echo one; echo two; echo three"];
  const first = fx86Env("bun", ["exec", "--store", store, "--budget", "44000", "--save", "h", ...sh]);
  assert.equal(first.status, 124);
  assert.equal(first.stdout, "one\n");
  const rest = fx86Env("deno", ["resume", "h", "--store", store]);
  assert.equal(rest.status, 0, rest.stderr);
  assert.equal(rest.stdout, "two\nthree\n");
  // Resuming a finished guest changes nothing and prints nothing.
  fx86Env("bun", ["resume", "h", "--store", store, "--save", "fin"]);
  const again = fx86Env("deno", ["resume", "fin", "--store", store, "--json"]);
  assert.equal(again.status, 0);
  assert.equal(JSON.parse(again.stdout).status, "exited");
  assert.equal(fx86Env("deno", ["resume", "fin", "--store", store]).stdout, "");
});

test("resume: the store is --store (the command's, else the global one), else $FX86_HOME, else .fx86", () => {
  const global = tempStore();
  assert.equal(fx86Env("deno", ["--store", global, "exec", "--save", "g", "--budget", "10", "examples/hello/hello"]).status, 124);
  assert.match(fx86Env("bun", ["--store", global, "snapshot", "list"]).stdout, /^g\t/);
  const own = fx86Env("bun", ["--store", global, "snapshot", "list", "--store", tempStore()]);
  assert.equal(own.status, 2, "the command's own --store wins");

  const home = tempStore();
  const saved = fx86Env("bun", ["exec", "--save", "e", "--budget", "10", "examples/hello/hello"], { env: { FX86_HOME: home } });
  assert.equal(saved.status, 124, saved.stderr);
  assert.match(fx86Env("bun", ["snapshot", "list"], { env: { FX86_HOME: home } }).stdout, /^e\t/);
  const cwd = tempStore().replace(/\/store$/, "");
  const env = { FX86_HOME: "" };
  const local = fx86Env("deno", ["exec", "--save", "w", "--budget", "10", `${process.cwd()}/examples/hello/hello`], { cwd, env });
  assert.equal(local.status, 124, local.stderr);
  assert.match(fx86Env("deno", ["snapshot", "list", "--store", `${cwd}/.fx86`]).stdout, /^w\t/);
});
