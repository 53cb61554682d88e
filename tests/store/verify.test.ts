/** `fx86 verify`: replaying the run that made a snapshot ends in its root, on either runtime. */
import { readFileSync, writeFileSync } from "node:fs";
import { assert, test } from "../harness.ts";
import { Store } from "../../core/store/mod.ts";
import { BUSYBOX } from "../support/guests.ts";
import { assertOneLine, fx86Env, tempStore } from "./support.ts";

test("verify: exec and resume snapshots replay to their roots under Deno and Bun; forgeries do not", () => {
  const store = tempStore();
  const saved = fx86Env("deno", ["exec", "--store", store, "--budget", "5000", "--save", "a", BUSYBOX, "md5sum"], {
    stdin: "some input\n",
  });
  assert.equal(saved.status, 124, saved.stderr);
  assert.equal(fx86Env("bun", ["resume", "a", "--save", "b", "--store", store]).status, 0);
  for (const rt of ["deno", "bun"] as const) {
    for (const name of ["a", "b"]) {
      const r = fx86Env(rt, ["verify", name, "--store", store]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^verified ${name}: \\d+ instructions from [0-9a-f]{12} end in [0-9a-f]{64}\\n$`));
    }
  }
  // gc keeps the start states verify needs.
  assert.equal(fx86Env("bun", ["gc", "--grace", "0", "--store", store]).status, 0);
  assert.equal(fx86Env("bun", ["verify", "a", "--store", store]).status, 0);
  // A snapshot claiming another root (a different budget) does not verify.
  const s = Store.open(store);
  const forged = JSON.parse(readFileSync(s.snapshotPath("a"), "utf8"));
  forged.budget_used -= 1;
  writeFileSync(s.snapshotPath("forged"), JSON.stringify(forged));
  const r = fx86Env("deno", ["verify", "forged", "--store", store]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^snapshot forged does not verify: replaying 4999 instructions from [0-9a-f]{12} ends in [0-9a-f]{64}, not [0-9a-f]{64}\n$/);
  // A manifest's snapshot records no start.
  assert.equal(fx86Env("bun", ["run", "--save", "m", "--store", store, "examples/hello/hello.yaml"]).status, 0);
  const m = fx86Env("bun", ["verify", "m", "--store", store]);
  assert.equal(m.status, 2);
  assertOneLine(m.stderr, /^fx86: snapshot m records no start state, so its run cannot be replayed\.$/);
});
