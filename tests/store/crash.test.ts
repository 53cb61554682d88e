/**
 * Crash safety: writers snapshotting heavily are killed with SIGKILL at
 * random moments, many times, under Deno and Bun; after every kill the
 * store passes fsck and every snapshot the writer reported loads with the
 * root it reported.
 */
import { assert, test } from "../harness.ts";
import { fsck, gc, Store } from "../../core/store/mod.ts";
import type { Runtime } from "../support/cli.ts";
import { lcg, sleep, startWriter, tempStore } from "./support.ts";

/**
 * Checks `NAME ROOT` lines against a store that passed fsck: each reported
 * snapshot names its root (present, so its whole tree is: fsck checked every
 * directory's children), and the last one loads.
 */
function checkReported(store: Store, stdout: string): number {
  const lines = stdout.split("\n").map((l) => l.split(" ")).filter(([, root]) => root?.length === 64);
  for (const [name, root] of lines) {
    assert.equal(store.getSnapshot(name).root, root);
    assert.ok(store.has(root));
  }
  if (lines.length > 0) {
    const [name, root] = lines[lines.length - 1];
    assert.equal(store.loadSnapshot(name).tree.hash, root);
  }
  return lines.length;
}

test("crash: SIGKILL at random moments during heavy snapshotting leaves a store that passes fsck", async () => {
  const dir = tempStore();
  const random = lcg(20261121);
  let reported = 0, leftovers = 0;
  for (let round = 0; round < 14; round++) {
    const rt: Runtime = round % 2 === 0 ? "deno" : "bun";
    const w = startWriter(rt, dir, `r${round}`, 1_000_000);
    if (round < 4) {
      // Early kills: while starting, creating the store, writing the first tree.
      await sleep(100 + random(700));
    } else {
      // Later kills: in the middle of snapshotting, after a few snapshots.
      const started = Date.now();
      while (w.child.exitCode === null && Date.now() - started < 20_000 && !w.output().includes("\n")) {
        await sleep(10);
      }
      await sleep(random(400));
    }
    w.child.kill("SIGKILL");
    const end = await w.done;
    assert.equal(end.signal, "SIGKILL", `round ${round} ended by itself: ${end.stderr}`);
    let store: Store;
    try {
      store = Store.open(dir);
    } catch (e) {
      // Killed before the marker was renamed into place: nothing was stored yet.
      assert.equal(end.stdout, "");
      assert.match(String(e), /no fx86 store/);
      continue;
    }
    const r = fsck(store);
    assert.deepEqual(r.problems, [], `round ${round}`);
    leftovers += r.temporary;
    reported += checkReported(store, end.stdout);
  }
  assert.ok(reported > 0, "some snapshots were written between kills");
  const store = Store.open(dir, { write: true });
  gc(store, { graceMs: 0 });
  const after = fsck(store);
  assert.deepEqual(after.problems, []);
  assert.equal(after.temporary, 0);
  for (const name of store.snapshotNames()) store.loadSnapshot(name);
  console.log(`crash: ${reported} snapshots reported, ${store.snapshotNames().length} stored, ${leftovers} temporary files seen`);
}, { timeoutMs: 120_000 });
