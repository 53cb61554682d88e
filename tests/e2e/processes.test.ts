/**
 * A guest of several processes through the command line: `fx86 exec
 * --root DIR DIR/bin/busybox sh -c PIPELINE` (the program inside the root
 * is its /proc/self/exe), stopped by its budget in the middle of a
 * three-process pipeline and saved, travels back across a fork with goto,
 * is exported, imported into another store and resumed under the other
 * runtime: it ends in the root of an uninterrupted run.
 */
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import type { Runtime } from "../support/cli.ts";
import { BUSYBOX, busybox } from "../support/guests.ts";
import { fx86Env, tempStore } from "../store/support.ts";

const SCRIPT = "seq 2000 | sort -rn | head -3; echo $(echo done | tr a-z A-Z)";

function rootDir(): string {
  busybox(); // fails saying what to run if it is missing
  const dir = mkdtempSync(join(tmpdir(), "fx86-procs-"));
  mkdirSync(join(dir, "bin"));
  copyFileSync(BUSYBOX, join(dir, "bin", "busybox"));
  return dir;
}

for (const [first, second] of [["deno", "bun"], ["bun", "deno"]] as [Runtime, Runtime][]) {
  test(`processes (${first}, then ${second}): snapshot mid-pipeline, goto across a fork, export, import, resume`, () => {
    const root = rootDir();
    const argv = ["--root", root, join(root, "bin", "busybox"), "sh", "-c", SCRIPT];
    const full = fx86Env(first, ["exec", "--json", ...argv]);
    assert.equal(full.status, 0, full.stderr);
    const want = JSON.parse(full.stdout);
    assert.equal(want.stdout, "2000\n1999\n1998\nDONE\n");

    const store = tempStore();
    const cut = fx86Env(first, ["exec", "--budget", "1500000", "--save", "mid", "--checkpoint-every", "250000", "--store", store, ...argv]);
    assert.match(cut.stderr, /budget exhausted after 1500000 instructions/);
    // The saved state is in the middle of the pipeline: its processes are in the tree.
    const procs = fx86Env(first, ["tree", "ls", "mid:procs", "--store", store]);
    assert.equal(procs.status, 0, procs.stderr);
    assert.ok(procs.stdout.trim().split("\n").length >= 2, `several processes at the stop:\n${procs.stdout}`);
    // Back before the first fork and forward again past it: exact positions.
    for (const at of [40_000, 1_200_000]) {
      const g = JSON.parse(fx86Env(first, ["goto", "mid", String(at), "--json", "--store", store]).stdout);
      assert.equal(g.instruction, at);
    }

    const bundle = join(mkdtempSync(join(tmpdir(), "fx86-bundle-")), "mid.fx86");
    assert.equal(fx86Env(first, ["export", "mid", "-o", bundle, "--store", store]).status, 0);
    const other = tempStore();
    const imp = fx86Env(second, ["import", bundle, "--store", other]);
    assert.equal(imp.status, 0, imp.stderr);
    const r = fx86Env(second, ["resume", "mid", "--json", "--store", other]);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.stdout, want.stdout);
    assert.equal(report.instructions, want.instructions);
    assert.equal(report.root, want.root);
  });
}
