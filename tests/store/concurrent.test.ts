/**
 * Concurrent writers: Deno and Bun processes snapshot the same guest into
 * one store at once (so they race to write the very same page and register
 * objects), while gc runs beside them; afterwards fsck passes and every snapshot loads with the
 * root its writer reported.
 */
import { spawn } from "node:child_process";
import { assert, test } from "../harness.ts";
import { fsck, Store } from "../../core/store/mod.ts";
import type { Runtime } from "../support/cli.ts";
import { REPO } from "../support/guests.ts";
import { scriptArgv, startWriter, tempStore } from "./support.ts";
import { join } from "node:path";

function runGc(rt: Runtime, store: string): Promise<number | null> {
  const [bin, argv] = scriptArgv(rt, join(REPO, "cli", "main.ts"), ["gc", "--store", store]);
  const child = spawn(bin, argv, { cwd: REPO, stdio: "ignore" });
  return new Promise((ok) => child.on("close", ok));
}

test("concurrent: writers under Deno and Bun share a store with gc running; nothing is corrupted", async () => {
  const dir = tempStore();
  const writers: [Runtime, string][] = [["deno", "a"], ["bun", "b"], ["bun", "c"]];
  const running = writers.map(([rt, prefix]) => startWriter(rt, dir, prefix, 40));
  const gcs: Promise<number | null>[] = [];
  for (let i = 0; i < 3; i++) {
    await new Promise((ok) => setTimeout(ok, 400));
    gcs.push(runGc(i % 2 ? "bun" : "deno", dir));
  }
  const ends = await Promise.all(running.map((w) => w.done));
  for (const end of ends) assert.equal(end.code, 0, end.stderr);
  for (const status of await Promise.all(gcs)) assert.equal(status, 0);

  const store = Store.open(dir);
  assert.deepEqual(fsck(store).problems, []);
  const names = ends.flatMap((end) => end.stdout.trim().split("\n").map((l) => l.split(" ")));
  assert.equal(names.length, 120);
  assert.deepEqual(store.snapshotNames(), names.map(([n]) => n).sort());
  for (const [name, root] of names) {
    assert.equal(store.getSnapshot(name).root, root);
  }
  for (const [name, root] of names.filter(([n]) => n.endsWith("-39"))) {
    assert.equal(store.loadSnapshot(name).tree.hash, root);
  }
}, { timeoutMs: 120_000 });
