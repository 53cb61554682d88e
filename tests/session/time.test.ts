/**
 * Time travel, interrupts and edits in a session, against straight runs of
 * the same guest with plain budgets (core/vm Guest.run, no session).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { buildManifest, fx86Vm, loadManifest } from "../../core/manifest/mod.ts";
import type { DirNode } from "../../core/tree/mod.ts";
import { snapshotCheckpoints, Store } from "../../core/store/mod.ts";
import { Guest } from "../../core/vm/guest.ts";
import { loaded, NESTING, ok, where } from "./support.ts";

const start = buildManifest(loadManifest(NESTING, readFileSync(NESTING, "utf8")), { vm: fx86Vm }).tree.get("nest") as DirNode;

/** The nesting guest after a straight run of `n` instructions. */
function straight(n: number): string {
  const g = Guest.fromTree(start);
  g.run(n);
  return g.toTree().hash;
}

test("time: goto and back land where straight runs do, at every level of nesting", async () => {
  const s = await loaded(NESTING, { every: 200_000 });
  const m = () => s.state.machine();
  await ok(s, "continue");
  const end = m().position;
  const final = m().tree().hash;
  assert.equal(final, straight(Infinity));
  // Inside the level-2 guest's first RUN, on a checkpoint, next to one, at the start, at the end.
  for (const n of [11_841, 400_000, 400_001, 199_999, 0, 1_000_000, end - 1, end]) {
    const text = await ok(s, `goto ${n}`);
    assert.equal(where(text).position, n);
    assert.equal(m().tree().hash, straight(n), `goto ${n}`);
  }
  await ok(s, "goto 600000");
  await ok(s, "back 12345");
  assert.equal(m().tree().hash, straight(600_000 - 12_345));
  await ok(s, "back");
  assert.equal(m().position, 600_000 - 12_346);
  assert.equal(m().tree().hash, straight(600_000 - 12_346));
  // Forward again from the past reaches the same end.
  await ok(s, "continue");
  assert.equal(m().tree().hash, final);
  assert.equal(m().position, end);
});

test("time: step then back restores EIP and every register of the stepped guest", async () => {
  const s = await loaded(NESTING);
  await ok(s, "break run-entry nest/fs/child/fs/child");
  const at = where(await ok(s, "continue"));
  assert.equal(at.id, "nest/fs/child");
  const before = s.view().registers;
  const stepped = where(await ok(s, "step"));
  assert.equal(stepped.id, "nest/fs/child/fs/child", "step goes into RUN");
  assert.equal(stepped.position, at.position + 1);
  const back = where(await ok(s, "back"));
  assert.deepEqual(back, at);
  assert.deepEqual(s.view().registers.map((r) => r.value), before.map((r) => r.value));
  assert.equal(s.state.machine().tree().hash, straight(at.position));
});

test("time: an interrupt stops at a chunk boundary in a consistent, resumable state", async () => {
  const s = await loaded(NESTING, { chunk: 100_000 });
  const stop = new AbortController();
  const seen: number[] = [];
  const r = await s.execute("continue", {
    signal: stop.signal,
    onProgress: (done, total) => {
      seen.push(done);
      assert.equal(total, null);
      if (done >= 300_000) stop.abort();
    },
  });
  assert.ok(r.ok);
  assert.match(r.text, /^interrupted at instruction 300000$/m);
  assert.deepEqual(seen, [100_000, 200_000, 300_000]);
  const m = s.state.machine();
  assert.equal(m.position, 300_000);
  assert.equal(m.tree().hash, straight(300_000));
  assert.equal(s.view().progress, null);
  await ok(s, "continue");
  assert.equal(m.tree().hash, straight(Infinity));
});

test("time: long commands yield to the event loop between chunks", async () => {
  const s = await loaded(NESTING, { chunk: 50_000 });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  let progressSeen = false;
  const running = s.execute("run 1M");
  // While it runs, view() shows the progress.
  await new Promise((r) => setTimeout(r, 0));
  progressSeen = s.view().progress !== null;
  const r = await running;
  clearInterval(timer);
  assert.ok(r.ok);
  assert.ok(ticks >= 5, `timer ran ${ticks} times during the run`);
  assert.ok(progressSeen);
});

test("time: while a command runs, another that moves is refused and one that reads runs between chunks", async () => {
  const s = await loaded(NESTING, { chunk: 50_000 });
  await ok(s, "trace on");
  const a = s.execute("run 420000");
  const b = await s.execute("step");
  assert.deepEqual(b, { ok: false, text: "busy: another command is running" });
  assert.ok((await s.execute("regs")).ok);
  assert.ok((await s.execute("guests")).ok);
  const traced = await a;
  // The running command's trace is all there.
  assert.match(traced.text, /^\[nest\] write\(1, "\[0\] level 0 of 3/m);
  assert.match(traced.text, /^\[nest\/fs\/child\] write\(1, "  \[1\] -> BUDGET/m);
  assert.equal(s.state.machine().position, 420_000);
});

test("time: an edit restarts the history at the edited state", async () => {
  const s = await loaded(NESTING, { every: 100_000 });
  await ok(s, "run 500000");
  await ok(s, "goto 250000");
  const m = () => s.state.machine();
  assert.ok(m().timeline.checkpoints.length > 3);
  await ok(s, "select nest");
  await ok(s, "set edi 0x1234");
  assert.deepEqual(m().timeline.checkpoints.map((c) => c.at), [250_000]);
  assert.equal(m().end, 250_000);
  assert.match((await s.execute("back")).text, /already at the start of the history \(instruction 250000\)/);
  const edited = Guest.fromTree(start);
  edited.run(250_000);
  edited.cpu.r[7] = 0x1234;
  assert.equal(m().tree().hash, edited.toTree().hash);
  // Running on from the edit, then back, lands on the edited history.
  await ok(s, "run 1000");
  edited.run(1000);
  const after = edited.toTree().hash;
  assert.equal(m().tree().hash, after);
  await ok(s, "back 500");
  await ok(s, "goto 251000");
  assert.equal(m().tree().hash, after);
});

test("time: editing a sub-guest writes it back through its parents", async () => {
  const s = await loaded(NESTING);
  await ok(s, "break run-entry nest/fs/child/fs/child");
  await ok(s, "continue");
  await ok(s, "select nest/fs/child/fs/child");
  const addr = s.view().registers.find((r) => r.name === "esp")!.value;
  await ok(s, "poke esp 0xaa 0xbb");
  await ok(s, "set eax 77");
  const regs = await ok(s, "regs");
  assert.match(regs, /eax 0x0000004d/);
  assert.match(await ok(s, "mem esp 2"), new RegExp(`^0x${((addr & ~15) >>> 0).toString(16).padStart(8, "0")} .* aa bb`));
  // The edit is in the top-level guest's tree, where RUN will find it.
  const text = await ok(s, "tree cat cpu/eax");
  const top = await s.execute("select nest");
  assert.ok(top.ok);
  assert.equal(await ok(s, "tree cat fs/child/fs/child/cpu/eax"), text);
  assert.match(text, /^00000000 {2}4d 00 00 00$/);
  await ok(s, "select");
  assert.equal(where(await ok(s, "step")).id, "nest/fs/child/fs/child");
  assert.equal(s.view().registers.find((r) => r.name === "eax")!.value, 77, "xor ebp, ebp keeps the edited eax");
  await ok(s, "step");
  // Its second instruction, mov eax, [esp], read the poked bytes.
  assert.equal(s.view().registers.find((r) => r.name === "eax")!.value & 0xffff, 0xbbaa);
});

test("time: a replay behind the position goes in chunks, shows progress, and an interrupt leaves a consistent state", async () => {
  const s = await loaded(NESTING, { every: 10_000_000, chunk: 100_000 });
  const m = () => s.state.machine();
  await ok(s, "run 700000");
  const stop = new AbortController();
  const seen: number[] = [];
  const r = await s.execute("back 1", {
    signal: stop.signal,
    onProgress: (done) => {
      seen.push(done);
      if (done >= 300_000) stop.abort();
    },
  });
  assert.ok(r.ok, r.text);
  assert.match(r.text, /^interrupted at instruction 300000$/m);
  assert.deepEqual(seen, [100_000, 200_000, 300_000], "replayed from the only checkpoint, at 0");
  assert.equal(m().tree().hash, straight(300_000));
  assert.match(await ok(s, "goto 699999"), /^\[699999\] /m);
  assert.equal(m().tree().hash, straight(699_999));
});

test("time: a session's snapshot keeps its history; restore in another session travels in it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fx86-session-history-"));
  try {
    const store = () => Store.open(dir, { write: true });
    const a = await loaded(NESTING, { every: 100_000, store });
    await ok(a, "run 450000");
    await ok(a, "snapshot mid");
    const meta = Store.open(dir).getSnapshot("mid");
    assert.equal(meta.checkpoint_every, 100_000);
    const stored = snapshotCheckpoints(Store.open(dir), "mid", meta, Store.open(dir).loadSnapshot("mid").tree as DirNode);
    assert.deepEqual(stored.map((c) => c.at), [0, 100_000, 200_000, 300_000, 400_000, 450_000]);
    assert.equal(stored[0].tree.hash, Guest.fromTree(start).toTree().hash, "the loaded state");
    for (const c of stored.slice(1)) assert.equal(c.tree.hash, straight(c.at), `checkpoint ${c.at}`);

    const b = await loaded(NESTING, { every: 100_000, store });
    await ok(b, "restore mid");
    const m = b.state.machine();
    assert.equal(m.position, 450_000);
    assert.equal(where(await ok(b, "back")).position, 449_999);
    assert.equal(m.tree().hash, straight(449_999));
    await ok(b, "goto 123456");
    assert.equal(m.tree().hash, straight(123_456));
    await ok(b, "goto 0");
    assert.equal(m.tree().hash, straight(0));
    assert.match((await b.execute("back")).text, /already at the start of the history \(instruction 0\)/);
    await ok(b, "continue");
    assert.equal(m.tree().hash, straight(Infinity));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
