/**
 * Exact budgets on real programs: `run(N)` retires exactly N instructions,
 * and however a run is split into budgets — and whichever backend runs it
 * (compiled blocks or single instructions) — the final state is the same.
 */
import { readFileSync } from "node:fs";
import { assert, test } from "../harness.ts";
import { FileSystem } from "../../core/linux/fs/filesystem.ts";
import { Guest, type GuestOptions } from "../../core/vm/guest.ts";
import { busybox, pseudoText } from "../support/guests.ts";

const text = pseudoText(30_000, 11);

function programs(): [string, () => GuestOptions][] {
  const bb = busybox();
  const hello = new Uint8Array(readFileSync("examples/hello/hello"));
  const withFile = () => {
    const fs = new FileSystem();
    fs.writeFile("/in.txt", text);
    return fs;
  };
  return [
    ["hello (x87)", () => ({ program: hello, argv: ["hello", "a"] })],
    ["busybox md5sum", () => ({ program: bb, argv: ["busybox", "md5sum"], stdin: text })],
    ["busybox gzip", () => ({ program: bb, argv: ["busybox", "gzip", "-c", "/in.txt"], fs: withFile() })],
    ["busybox awk", () => ({
      program: bb,
      argv: ["busybox", "awk", "{ n += length($0); w += NF } END { printf \"%d %d %.3f\\n\", n, w, n / w }"],
      stdin: text,
    })],
    ["busybox sort", () => ({ program: bb, argv: ["busybox", "sort", "-r"], stdin: text })],
  ];
}

/** Deterministic pseudo-random integers in [1, max]. */
function* budgets(max: number, count: number, seed: number): Generator<number> {
  let x = seed;
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    yield 1 + (x % max);
  }
}

for (const [name, options] of programs()) {
  test(`budget: ${name} stops at exactly N and splits do not change the result`, () => {
    const straight = Guest.fromElf(options());
    const end = straight.run(Infinity);
    assert.equal(end.status, "exited");
    const total = straight.instructions;
    const root = straight.toTree().hash;

    const stops = [1, 2, 3, 100, total - 1, ...budgets(total - 1, 6, total)];
    for (const n of stops) {
      const g = Guest.fromElf(options());
      const s = g.run(n);
      assert.equal(s.status, "budget", `stop at ${n}`);
      assert.equal(s.retired, n);
      assert.equal(g.instructions, n);
      const rest = g.run(Infinity);
      assert.equal(rest.status, "exited");
      assert.equal(rest.retired, total - n);
      assert.equal(g.toTree().hash, root, `split at ${n} changed the final state`);
    }

    // Many uneven slices in a row.
    const sliced = Guest.fromElf(options());
    const slices = [...budgets(Math.max(2, Math.floor(total / 40)), 1000, 7)];
    for (let k = 0; sliced.run(slices[k % slices.length]).status === "budget"; k++);
    assert.equal(sliced.instructions, total);
    assert.equal(sliced.toTree().hash, root);
  });
}

for (const backend of ["tiered", "regions"] as const) {
  test(`budget: the ${backend} and single-instruction backends agree at every stop`, () => {
    // regions: every block a WebAssembly region entry, REP string and x87 instructions inside them.
    const chosen = backend === "regions" ? programs() : programs().slice(0, 2);
    let stops = 0;
    for (const [name, options] of chosen) {
      const blocks = Guest.fromElf(options());
      const singles = Guest.fromElf(options());
      blocks.engine.backend = backend;
      singles.engine.backend = "single";
      for (const n of budgets(backend === "regions" ? 3_000 : 20_000, 400, 3)) {
        const a = blocks.run(n), b = singles.run(n);
        assert.deepEqual(a, b, name);
        assert.equal(blocks.toTree().hash, singles.toTree().hash, `${name} at ${blocks.instructions}`);
        stops++;
        if (a.status !== "budget") break;
      }
    }
    console.log(`budget (${backend}): ${stops} stops equal to single-stepping`);
  });
}
