/**
 * Time travel: going to any instruction (forward or back) lands in exactly
 * the state a straight run to that instruction has.
 */
import { assert, test } from "../harness.ts";
import { Guest } from "../../core/vm/guest.ts";
import { Timeline } from "../../core/vm/timeline.ts";
import { addedBytes, type DirNode } from "../../core/tree/mod.ts";
import { busybox, pseudoText } from "../support/guests.ts";

const text = pseudoText(60_000, 9);
const options = () => ({ program: busybox(), argv: ["busybox", "md5sum"], stdin: text });

function stateAt(n: number): string {
  const g = Guest.fromElf(options());
  g.run(n);
  return g.toTree().hash;
}

test("timeline: goto and back land exactly where a straight run does", () => {
  const t = new Timeline(Guest.fromElf(options()), { every: 100_000 });
  const end = t.run(Infinity);
  assert.equal(end.status, "exited");
  const total = t.position;
  assert.ok(t.checkpoints.length >= Math.floor(total / 100_000), `${t.checkpoints.length} checkpoints`);
  const finalRoot = t.guest.toTree().hash;

  for (const n of [0, 1, 99_999, 100_000, 100_001, 345_678, total - 1, 7, total]) {
    assert.equal(t.goto(n), n);
    assert.equal(t.guest.toTree().hash, stateAt(n), `goto ${n}`);
  }
  t.goto(total);
  assert.equal(t.guest.toTree().hash, finalRoot);
  assert.equal(t.back(), total - 1);
  assert.equal(t.guest.toTree().hash, stateAt(total - 1));
  assert.equal(t.back(1000), total - 1001);
  assert.equal(t.guest.toTree().hash, stateAt(total - 1001));
  // Forward again from a restored past: the same end.
  t.run(Infinity);
  assert.equal(t.position, total);
  assert.equal(t.guest.toTree().hash, finalRoot);
});

test("timeline: bad targets are refused", () => {
  const t = new Timeline(Guest.fromElf(options()), { every: 1000 });
  assert.throws(() => t.goto(-1), RangeError);
  assert.throws(() => t.goto(1.5), RangeError);
  assert.throws(() => new Timeline(Guest.fromElf(options()), { every: 0 }), RangeError);
  assert.equal(t.back(5), 0, "back from the start stays at the start");
});

test("timeline: a checkpoint limit thins old history, keeps recent history dense, and changes no result", () => {
  const every = 2_000, limit = 8;
  const t = new Timeline(Guest.fromElf(options()), { every, limit: { count: limit } });
  t.run(Infinity);
  const total = t.position;
  assert.ok(total > 40 * every, `${total} instructions`);
  const ats = t.checkpoints.map((c) => c.at);
  assert.ok(ats.length <= limit, `${ats.length} checkpoints`);
  assert.equal(ats[0], 0, "the start is kept");
  const recent = ats.slice(-limit / 2);
  for (let i = 1; i < recent.length; i++) assert.equal(recent[i] - recent[i - 1], every, `recent ${recent}`);
  for (let i = 2; i < ats.length; i++) {
    assert.ok(ats[i] - ats[i - 1] <= ats[i - 1] - ats[i - 2], `gaps shrink towards the present: ${ats}`);
  }
  for (const n of [total, total - 1, Math.floor(total / 3), 5, total - every - 3]) {
    assert.equal(t.goto(n), n);
    assert.equal(t.guest.toTree().hash, stateAt(n), `goto ${n}`);
  }
  assert.throws(() => new Timeline(Guest.fromElf(options()), { every, limit: { count: 3 } }), RangeError);
});

test("timeline: a byte limit bounds what checkpoints hold, measured against the trees themselves", () => {
  const every = 5_000, bytes = 64 * 1024;
  const free = new Timeline(Guest.fromElf(options()), { every });
  const bounded = new Timeline(Guest.fromElf(options()), { every, limit: { bytes } });
  free.run(Infinity);
  bounded.run(Infinity);
  assert.equal(bounded.guest.toTree().hash, free.guest.toTree().hash);
  const held = (cps: readonly { tree: DirNode }[]) => {
    let total = 0;
    for (let i = 1; i < cps.length; i++) total += addedBytes(cps[i - 1].tree, cps[i].tree);
    return total;
  };
  assert.ok(held(free.checkpoints) > 4 * bytes, `the unbounded run holds ${held(free.checkpoints)} bytes`);
  assert.equal(bounded.heldBytes, held(bounded.checkpoints), "the running weight is the trees' own");
  const heaviest = Math.max(...free.checkpoints.slice(1).map((c, i) => addedBytes(free.checkpoints[i].tree, c.tree)));
  assert.ok(bounded.heldBytes <= bytes + heaviest, `${bounded.heldBytes} bytes held`);
  assert.equal(bounded.checkpoints[0].at, 0);
  for (const n of [1, 12_345, bounded.position - 1]) {
    bounded.goto(n);
    assert.equal(bounded.guest.toTree().hash, stateAt(n), `goto ${n}`);
  }
});
