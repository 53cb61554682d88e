/**
 * Stored timelines through the CLI: `exec|resume --checkpoint-every N
 * --save`, then `goto` and `back` land in exactly the root of a straight
 * `exec --budget N`, under Deno and Bun; going past the end stops where the
 * guest stops; bad targets and damaged timelines are one line, exit 2.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import type { Runtime } from "../support/cli.ts";
import { BUSYBOX, pseudoText } from "../support/guests.ts";
import { Store } from "../../core/store/mod.ts";
import { type DirNode } from "../../core/tree/mod.ts";
import { assertOneLine, fx86Env, tempStore } from "./support.ts";

const input = new TextDecoder().decode(pseudoText(4_000, 5));
const program = [BUSYBOX, "md5sum"];

interface Where {
  instruction: number;
  target: number;
  eip: string;
  status: string;
  root: string;
}

/** The root of a straight run of exactly `n` instructions (`exec --budget n`). */
function straightRoot(rt: Runtime, n: number): { root: string; instructions: number } {
  const r = fx86Env(rt, ["exec", "--json", "--budget", String(n), ...program], { stdin: input });
  assert.ok(r.status === 124 || r.status === 0, r.stderr);
  return JSON.parse(r.stdout);
}

for (const rt of ["deno", "bun"] as Runtime[]) {
  test(`travel (${rt}): goto and back equal straight runs; past the end stops where the guest stops`, () => {
    const store = tempStore();
    const fx = (...args: string[]): Where => {
      const r = fx86Env(rt, [...args, "--json", "--store", store]);
      assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
      return JSON.parse(r.stdout);
    };
    const run = fx86Env(rt, ["exec", "--store", store, "--checkpoint-every", "10k", "--save", "s", ...program], { stdin: input });
    assert.equal(run.status, 0, run.stderr);
    const meta = Store.open(store).getSnapshot("s");
    const end = meta.instructions;
    assert.equal(meta.checkpoint_every, 10_000);
    const timeline = Store.open(store).getTree(meta.timeline!) as DirNode;
    assert.equal(timeline.size, Math.floor(end / 10_000) + 1, timeline.names.join(" "));

    for (const n of [0, 1, 9_999, 10_000, 23_456, end - 1]) {
      const at = fx("goto", "s", String(n));
      assert.equal(at.instruction, n);
      assert.equal(at.status, "budget");
      assert.equal(at.root, straightRoot(rt, n).root, `goto ${n}`);
    }
    const past = fx("goto", "s", String(end + 1000));
    assert.deepEqual([past.instruction, past.status, past.root], [end, "exited", meta.root]);

    const back1 = fx("back", "s");
    assert.equal(back1.instruction, end - 1);
    assert.equal(back1.root, straightRoot(rt, end - 1).root);
    assert.match(back1.eip, /^0x[0-9a-f]{8}$/);
    // Saved from a travel, the state keeps the run's timeline: back again, and forward to the end.
    const p = fx("back", "s", "1000", "--save", "p");
    assert.equal(p.root, Store.open(store).getSnapshot("p").root);
    assert.equal(fx("back", "p", "5").root, straightRoot(rt, end - 1005).root);
    assert.equal(fx("goto", "p", String(end)).root, meta.root);
    const text = fx86Env(rt, ["goto", "s", "1", "--store", store]);
    assert.match(text.stdout, /^instruction 1\neip 0x[0-9a-f]{8}\nstatus budget\nroot [0-9a-f]{64}\n$/);
    const verify = fx86Env(rt, ["verify", "p", "--store", store]);
    assert.equal(verify.status, 0, verify.stderr);
  });
}

test("travel: resume --checkpoint-every extends the origin's timeline; goto works across both runs", () => {
  const store = tempStore();
  const fx = (rt: Runtime, command: string, ...args: string[]) => {
    const r = fx86Env(rt, [command, "--store", store, ...args], { stdin: input });
    assert.ok(r.status === 0 || r.status === 124, `${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  fx("deno", "exec", "--budget", "25000", "--checkpoint-every", "10000", "--save", "a", ...program);
  fx("bun", "resume", "a", "--checkpoint-every", "10000", "--save", "b");
  const s = Store.open(store);
  const names = (s.getTree(s.getSnapshot("b").timeline!) as DirNode).names.map(Number);
  assert.deepEqual(names.slice(0, 5), [0, 10_000, 20_000, 25_000, 30_000]);
  for (const n of [15_000, 27_000]) {
    assert.equal(JSON.parse(fx("bun", "goto", "b", String(n), "--json")).root, straightRoot("deno", n).root);
  }
  // gc keeps timelines; bundles carry them to another store, where goto reads them.
  assert.equal(fx86Env("deno", ["snapshot", "rm", "a", "--store", store]).status, 0);
  assert.match(fx("bun", "gc", "--grace", "0"), /^removed \d+ objects/);
  const bundle = join(store, "..", "b.fx86");
  fx("bun", "export", "b", "-o", bundle);
  const other = tempStore();
  assert.equal(fx86Env("deno", ["import", bundle, "--store", other]).status, 0);
  const far = fx86Env("deno", ["goto", "b", "15000", "--json", "--store", other]);
  assert.equal(far.status, 0, far.stderr);
  assert.equal(JSON.parse(far.stdout).root, straightRoot("bun", 15_000).root);
  fx("deno", "exec", "--budget", "25000", "--checkpoint-every", "10000", "--save", "a", ...program);
  // Without --checkpoint-every, a resumed run keeps the origin's timeline and the origin.
  fx("deno", "resume", "a", "--budget", "100", "--save", "c");
  const c = (s.getTree(s.getSnapshot("c").timeline!) as DirNode).names.map(Number);
  assert.deepEqual(c, [0, 10_000, 20_000, 25_000]);
});

test("travel: bad targets, unknown snapshots, damaged timelines: one line, exit 2", () => {
  const store = tempStore();
  const rt: Runtime = "bun";
  const run = fx86Env(rt, ["exec", "--store", store, "--budget", "30000", "--checkpoint-every", "10k", "--save", "s", ...program], { stdin: input });
  assert.equal(run.status, 124, run.stderr);
  fx86Env(rt, ["resume", "s", "--budget", "50", "--save", "r", "--store", store]);
  const bad = (args: string[], pattern: RegExp) => {
    const r = fx86Env(rt, [...args, "--store", store]);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
    assertOneLine(r.stderr, pattern);
    assert.equal(r.stdout, "");
  };
  bad(["goto", "s", "-1"], /unknown option '-1'|invalid/);
  bad(["goto", "s", "12x"], /instruction count/);
  bad(["goto", "s", "1.5"], /instruction count/);
  bad(["back", "s", "30001"], /^fx86: cannot go back 30001 instructions: snapshot s is at instruction 30000\.$/);
  bad(["goto", "nope", "5"], /^fx86: there is no snapshot named nope in /);
  bad(["goto", "s", "5", "--save", "../x"], /is not a valid snapshot name/);
  bad(["exec", "--checkpoint-every", "10", BUSYBOX, "true"], /^fx86: --checkpoint-every needs --save NAME/);
  bad(["exec", "--checkpoint-every", "0", "--save", "z", BUSYBOX, "true"], /at least 1/);
  // A run saved without checkpoints can be travelled from its start on: here the start of b is a's state.
  const store2 = tempStore();
  fx86Env(rt, ["exec", "--store", store2, "--budget", "3000", "--save", "a", ...program], { stdin: input });
  fx86Env(rt, ["resume", "a", "--budget", "10", "--save", "b", "--store", store2]);
  const before = fx86Env(rt, ["goto", "b", "100", "--store", store2]);
  assert.equal(before.status, 2);
  assertOneLine(before.stderr, /^fx86: snapshot b: instruction 100 is before the first checkpoint \(instruction 3000\)\.$/);

  // A checkpoint object missing, then corrupt: named by hash and snapshot.
  const s = Store.open(store);
  const timeline = s.getTree(s.getSnapshot("s").timeline!) as DirNode;
  const cp = timeline.get("0000000000010000")!.hash;
  const path = s.objectPath(cp);
  const bytes = readFileSync(path);
  rmSync(path);
  bad(["goto", "s", "15000"], new RegExp(`^fx86: snapshot s needs object ${cp}, which is missing\\.$`));
  const ok = fx86Env(rt, ["goto", "s", "25000", "--json", "--store", store]);
  assert.equal(ok.status, 0, "other checkpoints still work");
  writeFileSync(path, bytes.subarray(0, bytes.length - 2));
  bad(["goto", "s", "15000"], new RegExp(`^fx86: snapshot s needs object ${cp}, which is corrupt\\.$`));
  writeFileSync(path, bytes);
  const tl = s.objectPath(timeline.hash);
  const tlBytes = readFileSync(tl);
  writeFileSync(tl, tlBytes.subarray(0, 20));
  bad(["goto", "r", "15000"], new RegExp(`^fx86: snapshot r needs object ${timeline.hash}, which is corrupt\\.$`));
  writeFileSync(tl, tlBytes);
  assert.equal(fx86Env(rt, ["fsck", "--store", store]).status, 0);
});
