/**
 * issue 13 point 1, as a user would meet it: `fx86 exec … --save` writers
 * and `fx86 gc --grace 0` take turns on one store and are killed with
 * SIGKILL at random moments (100 kills; writers two at a time, gc alone,
 * since --grace 0 may delete what a running writer wrote), snapshots are removed so that gc
 * has garbage to delete, and writers save again the very trees an
 * interrupted gc was deleting (same program, root and budget: determinism
 * regenerates the same hashes). After every gc fsck is clean; at the end
 * every listed snapshot resumes and verifies, and saving every tree once
 * more (gc, then save) gives complete snapshots. About 40 s.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { fsck, Store } from "../../core/store/mod.ts";
import { isGuestTree, Guest } from "../../core/vm/guest.ts";
import type { DirNode } from "../../core/tree/mod.ts";
import type { Runtime } from "../support/cli.ts";
import { BUSYBOX, pseudoText } from "../support/guests.ts";
import { fx86Env, lcg, sleep, startFx86, tempStore } from "./support.ts";

const BUDGETS = [60_000, 120_000];
const ROOTS = 4;
const KILLS = 100;

/**
 * Host directories for `exec --root`, one per snapshot name: 8 × 60
 * distinct small files each, so removing a snapshot gives gc hundreds of
 * objects to delete, and saving the name again regenerates them.
 */
function makeRoots(base: string): string[] {
  return Array.from({ length: ROOTS }, (_, r) => {
    const root = join(base, `root${r}`);
    for (let d = 0; d < 8; d++) {
      mkdirSync(join(root, `d${d}`), { recursive: true });
      for (let f = 0; f < 60; f++) writeFileSync(join(root, `d${d}`, `f${f}`), pseudoText(256, r * 1000 + d * 60 + f + 1));
    }
    writeFileSync(join(root, "in.txt"), pseudoText(50_000, r + 1));
    return root;
  });
}

function execArgs(store: string, root: string, budget: number, name: string): string[] {
  return ["exec", "--store", store, "--root", root, "--budget", String(budget), "--save", name, BUSYBOX, "gzip", "-c", "/in.txt"];
}

/** Replays a snapshot from its start and checks it ends at its root; then resumes it a little. */
function resumeAndVerify(store: Store, name: string): void {
  const { meta, tree } = store.openSnapshot(name);
  assert.ok(meta.start, `${name} has a start`);
  const start = store.lazyTree(meta.start!, name) as DirNode;
  assert.ok(isGuestTree(start));
  const replay = Guest.fromTree(start);
  replay.run(meta.budget_used);
  assert.equal(replay.toTree().hash, meta.root, `${name} verifies`);
  const resumed = Guest.fromTree(tree as DirNode);
  resumed.run(20_000);
  assert.ok(resumed.instructions > meta.instructions, `${name} resumes`);
}

test("gc crash: 100 SIGKILLs of exec --save writers and gc --grace 0 on one store; fsck clean, every snapshot resumes and verifies", async () => {
  const dir = tempStore();
  const roots = makeRoots(join(dir, ".."));
  const random = lcg(1313);
  let kills = 0, gcKills = 0, round = 0;
  const alive = new Set<string>();
  // How long each kind of process last took when left alone: kills are
  // spread over that time, so they land in startup, work and saving alike.
  const took = new Map<string, number>();
  /** Runs `fx86 ARGS` and kills it at a random moment of its usual run (or leaves it alone); true if it was killed. */
  const runOrKill = async (rt: Runtime, kind: string, args: string[], code: number): Promise<boolean> => {
    const started = Date.now();
    const p = startFx86(rt, args);
    const leave = !took.has(kind) || random(6) === 0;
    if (!leave) {
      await sleep(random(took.get(kind)!));
      p.child.kill("SIGKILL");
    }
    const end = await p.done;
    if (end.signal === "SIGKILL") return true;
    took.set(kind, Date.now() - started);
    assert.equal(end.code, code, end.stderr);
    return false;
  };
  while (kills < KILLS) {
    assert.ok(round < 300, `only ${kills} kills landed in 300 rounds`);
    const rt: Runtime = (round >> 1) % 3 === 0 ? "deno" : "bun"; // Deno starts slower
    const isGc = round % 2 === 1;
    if (isGc) {
      // gc runs alone: with --grace 0 it may delete what a running writer has written so far.
      if (await runOrKill(rt, `${rt} gc`, ["gc", "--store", dir, "--grace", "0"], 0)) kills++, gcKills++;
    } else {
      // Two writers at once (writers need no lock), each saving one of the
      // names (removed first: --save never replaces); a name comes back
      // with the same tree, often one an interrupted gc was deleting.
      const first = random(ROOTS), second = (first + 1 + random(ROOTS - 1)) % ROOTS;
      const before = Store.open(dir, { write: true });
      for (const r of [first, second]) if (before.snapshotNames().includes(`s${r}`)) before.removeSnapshot(`s${r}`);
      const ends = await Promise.all([first, second].map(async (r) => {
        const args = execArgs(dir, roots[r], BUDGETS[random(BUDGETS.length)], `s${r}`);
        const killed = await runOrKill(rt, `${rt} exec`, args, 124); // stopped by its budget, saved
        if (!killed) alive.add(`s${r}`);
        return killed;
      }));
      kills += ends.filter((k) => k).length;
    }
    const store = Store.open(dir, { write: true });
    // What an interrupted gc leaves stays until the next complete one, so
    // checking after each gc (and writer every fourth round) sees it.
    if (isGc || round % 8 === 0) assert.deepEqual(fsck(store).problems.map((p) => p.message), [], `round ${round}`);
    // Remove a snapshot now and then, so that gc has whole trees to delete.
    if (random(2) === 0 && alive.size > 0) {
      const victim = [...alive][random(alive.size)];
      if (store.snapshotNames().includes(victim)) store.removeSnapshot(victim);
      alive.delete(victim);
    }
    round++;
  }
  assert.ok(gcKills >= 20, `gc was killed ${gcKills} times`);
  const store = Store.open(dir);
  for (const name of store.snapshotNames()) resumeAndVerify(store, name);
  // gc to the end, then save every tree again: each snapshot is complete.
  assert.equal(fx86Env("bun", ["gc", "--store", dir, "--grace", "0"]).status, 0);
  for (let r = 0; r < ROOTS; r++) {
    const name = `again-${r}`;
    assert.equal(fx86Env("bun", execArgs(dir, roots[r], BUDGETS[r % 2], name)).status, 124);
    resumeAndVerify(Store.open(dir), name);
  }
  assert.deepEqual(fsck(Store.open(dir)).problems, []);
  const verified = fx86Env("deno", ["verify", "--store", dir, "again-0"]);
  assert.equal(verified.status, 0, verified.stderr);
  console.log(`gc crash: ${kills} kills (${gcKills} of gc) in ${round} rounds; ${store.snapshotNames().length} snapshots verified`);
}, { timeoutMs: 300_000 });
