/**
 * `run MANIFEST --save m` stores a host tree; `resume m/GUEST` continues
 * one of its guests and ends in the root that guest has in an uninterrupted
 * run of the same manifest (no budget), under Deno and Bun.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import type { Runtime } from "../support/cli.ts";
import { BUSYBOX } from "../support/guests.ts";
import { assertOneLine, fx86Env, tempStore } from "./support.ts";

/** A manifest of two busybox guests; `budget` limits the first. */
function manifest(budget: string): string {
  const dir = mkdtempSync(join(tmpdir(), "fx86-manifest-"));
  const file = join(dir, "m.yaml");
  writeFileSync(
    file,
    `version: 1
guests:
  sorter:
    program: ${BUSYBOX}
    args: [sort, -r]
    stdin: {text: "b\\na\\nc\\nd\\n"}
${budget ? `    budget: ${budget}\n` : ""}    expect: {}
  counter:
    program: ${BUSYBOX}
    args: [seq, "3"]
    expect: {}
`,
  );
  return file;
}

for (const rt of ["deno", "bun"] as Runtime[]) {
  test(`resume NAME/GUEST (${rt}): a guest of a saved manifest run continues to the uninterrupted root`, () => {
    const store = tempStore();
    const full = fx86Env(rt, ["run", "--allow-host-paths", "--json", manifest("")]);
    assert.equal(full.status, 0, full.stderr);
    const want = JSON.parse(full.stdout).guests.find((g: { path: string }) => g.path === "sorter");
    assert.equal(want.status, "exited", full.stdout);
    const cut = fx86Env(rt, ["run", "--allow-host-paths", "--save", "m", "--store", store, manifest("20000")]);
    assert.equal(cut.status, 0, cut.stderr);
    assert.match(cut.stdout, /^sorter +budget +20,000 instructions/m);
    const whole = fx86Env(rt, ["resume", "m", "--store", store]);
    assert.equal(whole.status, 2);
    assertOneLine(whole.stderr, /^fx86: m holds guests, not one guest; resume one of m\/counter, m\/sorter\.$/);
    const r = fx86Env(rt, ["resume", "m/sorter", "--save", "s2", "--checkpoint-every", "5000", "--json", "--store", store]);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.root, want.root);
    assert.equal(report.stdout, "d\nc\nb\na\n");
    assert.equal(report.instructions, want.instructions);
    // The saved state is a plain guest snapshot: it verifies and travels.
    assert.equal(fx86Env(rt, ["verify", "s2", "--store", store]).status, 0);
    const back = JSON.parse(fx86Env(rt, ["goto", "s2", "20001", "--json", "--store", store]).stdout);
    assert.equal(back.instruction, 20001);
    for (const [ref, pattern] of [
      ["m/nope", /^fx86: m\/nope: "nope" does not exist\.$/],
      ["m/sorter/cpu", /^fx86: m\/sorter\/cpu is not a guest, so it cannot be resumed\.$/],
    ] as const) {
      const bad = fx86Env(rt, ["resume", ref, "--store", store]);
      assert.equal(bad.status, 2);
      assertOneLine(bad.stderr, pattern);
    }
  });
}
