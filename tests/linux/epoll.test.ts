/**
 * Named pipes and epoll across processes (tests/linux/progs/fifo.c and
 * epoll.c, which progs.test.ts compares with the reference) are guest
 * state like everything else: their runs end in the same root however the
 * budget is split, with the guest going through its tree at every stop
 * (blocked fifo opens, epoll instances and their ready lists, queued bytes
 * of pipes whose processes are all waiting).
 */
import { assert, test } from "../harness.ts";
import { bytesOf, compile } from "../elf/build.ts";
import { Guest } from "../../core/vm/guest.ts";
import { FileSystem } from "../../core/linux/fs/filesystem.ts";
import { standardLayout } from "../../core/linux/fs/layout.ts";

function guest(exe: string): Guest {
  const fs = new FileSystem();
  standardLayout(fs);
  return Guest.fromElf({ program: bytesOf(exe), argv: [exe], env: [], fs });
}

/** Deterministic pseudo-random integers in [1, max]. */
function* budgets(max: number, count: number, seed: number): Generator<number> {
  let x = seed;
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    yield 1 + (x % max);
  }
}

for (const name of ["fifo", "epoll"]) {
  test(`epoll: ${name}.c ends in the same root for every budget split, through the tree at each stop`, () => {
    const exe = compile(`tests/linux/progs/${name}.c`, `progs/${name}`, ["-static", "-Wall", "-pthread"]);
    const straight = guest(exe);
    assert.equal(straight.run(Infinity).status, "exited");
    const total = straight.instructions, root = straight.toTree().hash;
    for (const n of [1, total - 1, ...budgets(total - 1, 4, total)]) {
      const g = guest(exe);
      assert.equal(g.run(n).status, "budget", `stop at ${n}`);
      const resumed = Guest.fromTree(g.toTree());
      assert.equal(resumed.run(Infinity).status, "exited");
      assert.equal(resumed.instructions, total);
      assert.equal(resumed.toTree().hash, root, `split at ${n} changed the final state`);
    }
    // Some hundreds of stops, each through the tree as a snapshot would go.
    const slices = [...budgets(Math.max(2, Math.floor(total / 150)), 64, 11)];
    let g = guest(exe), stops = 0;
    while (g.run(slices[stops % slices.length]).status === "budget") {
      stops++;
      g = Guest.fromTree(g.toTree());
    }
    assert.ok(stops >= 200, `${stops} stops`);
    assert.equal(g.instructions, total);
    assert.equal(g.toTree().hash, root, `${stops} stops changed the final state`);
  });
}
