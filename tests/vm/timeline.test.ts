/**
 * Time travel: going to any instruction (forward or back) lands in exactly
 * the state a straight run to that instruction has.
 */
import { assert, test } from "../harness.ts";
import { Guest } from "../../core/vm/guest.ts";
import { Timeline } from "../../core/vm/timeline.ts";
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
