/**
 * Store benchmark, one run per runtime (`deno run -A tests/bench/store.ts`,
 * `bun tests/bench/store.ts`):
 * 1. store growth per snapshot of a 256 MiB guest that wrote every page once
 *    and then changes k pages between snapshots: bytes and objects written
 *    against pages changed (counted by diffGuestStates);
 * 2. snapshot and restore time for 16 MiB, 256 MiB and 1 GiB guests with
 *    one changed page since the previous snapshot (median of 5), and the
 *    objects a restore reads;
 * 3. `fx86 back NAME` (a whole CLI process) on a 10^9-instruction run saved
 *    with `exec --checkpoint-every 10M`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Store } from "../../core/store/mod.ts";
import type { DirNode } from "../../core/tree/mod.ts";
import { Guest } from "../../core/vm/guest.ts";
import { diffGuestStates } from "../../core/vm/state-diff.ts";
import { cProgram, image, nasmProgram } from "../support/build.ts";
import { REPO } from "../support/guests.ts";
import { scriptArgv } from "../store/support.ts";
import { median } from "./measure.ts";

const runtime: "deno" | "bun" = "Bun" in globalThis ? "bun" : "deno";
const MiB = 1 << 20;
const work = mkdtempSync(join(tmpdir(), "fx86-bench-store-"));

function guest(size: number, touch: boolean): Guest {
  const src = join(REPO, "tests/bench/store.asm");
  const name = `bench-store-${size / MiB}m-${touch ? 1 : 0}`;
  const program = image(nasmProgram(src, name, { SIZE: String(size), TOUCH: touch ? "1" : "0" }));
  return Guest.fromElf({ program, argv: [name] });
}

function snapshot(store: Store, name: string, g: Guest) {
  const t0 = performance.now();
  const tree = g.toTree();
  const put = store.putTree(tree);
  store.putSnapshot(name, {
    root: tree.hash, origin: null, start: null, budget_used: 0, instructions: g.instructions,
    status: "budget", time_ms: 0, runtime, created: new Date().toISOString(),
  });
  return { ms: performance.now() - t0, tree, ...put };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

console.log(`fx86 store benchmark (${runtime})`);

// 1. Growth per snapshot.
{
  const store = Store.open(join(work, "growth"), { write: true });
  const pages = (256 * MiB) >> 12;
  const g = guest(256 * MiB, true);
  g.run(7 * pages + 100); // mapped, every page written once, into the loop
  const first = snapshot(store, "g0", g);
  console.log(
    `growth, 256 MiB guest: first snapshot ${first.objects} objects, ${(first.bytes / MiB).toFixed(1)} MiB in ${first.ms.toFixed(0)} ms`,
  );
  let prev = first.tree;
  for (const k of [1, 10, 100, 1000, 10000]) {
    g.run(6 * k);
    const s = snapshot(store, `g${k}`, g);
    const changed = diffGuestStates(prev, s.tree).pages.reduce((n, r) => n + r.pages, 0);
    console.log(
      `  k=${String(k).padStart(5)} pages changed (diff: ${changed}): ${s.objects} objects, ${kb(s.bytes)} written ` +
        `(${(s.bytes / changed).toFixed(0)} B per page) in ${s.ms.toFixed(1)} ms`,
    );
    prev = s.tree;
  }
}

// 2. Snapshot and restore time with one changed page.
for (const size of [16 * MiB, 256 * MiB, 1024 * MiB]) {
  const dir = join(work, `size-${size / MiB}`);
  const store = Store.open(dir, { write: true });
  const g = guest(size, false);
  g.run(100);
  snapshot(store, "base", g);
  const snapMs: number[] = [], objects: number[] = [], bytes: number[] = [];
  for (let i = 0; i < 5; i++) {
    g.run(6); // one more page changed
    const s = snapshot(store, `s${i}`, g);
    snapMs.push(s.ms);
    objects.push(s.objects);
    bytes.push(s.bytes);
  }
  const restoreMs: number[] = [], reads: number[] = [];
  for (let i = 0; i < 5; i++) {
    const fresh = Store.open(dir);
    let n = 0;
    const read = fresh.readObject.bind(fresh);
    fresh.readObject = (h: string) => (n++, read(h));
    const t0 = performance.now();
    const restored = Guest.fromTree(fresh.openSnapshot(`s${i}`).tree as DirNode);
    restoreMs.push(performance.now() - t0);
    reads.push(n);
    if (restored.instructions !== 100 + 6 * (i + 1)) throw new Error("restored the wrong state");
  }
  console.log(
    `${String(size / MiB).padStart(4)} MiB guest, one changed page: snapshot ${median(snapMs).toFixed(1)} ms ` +
      `(${median(objects)} objects, ${kb(median(bytes))}), restore ${median(restoreMs).toFixed(1)} ms (${median(reads)} objects read)`,
  );
}

// 3. back 1 in a 10^9-instruction run, through the CLI's stored timeline.
{
  const store = join(work, "long");
  const nest = cProgram("tests/bench/nest.c", "nest");
  const cli = (args: string[]) => {
    const [bin, argv] = scriptArgv(runtime, join(REPO, "cli", "main.ts"), [...args, "--store", store]);
    const t0 = performance.now();
    const r = spawnSync(bin, argv, { cwd: REPO, encoding: "utf8" });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`fx86 ${args.join(" ")}: ${r.stderr}`);
    return { ms, stdout: r.stdout };
  };
  const [bin, argv] = scriptArgv(runtime, join(REPO, "cli", "main.ts"), [
    "exec", "--store", store, "--checkpoint-every", "10M", "--save", "long", "--json", nest, "0", "77000000",
  ]);
  const t0 = performance.now();
  const run = spawnSync(bin, argv, { cwd: REPO, encoding: "utf8" });
  if (run.status !== 0) throw new Error(run.stderr);
  const total = JSON.parse(run.stdout).instructions;
  const runS = (performance.now() - t0) / 1000;
  const backs = [0, 1, 2].map(() => cli(["back", "long", "--json"]));
  const at = JSON.parse(backs[0].stdout).instruction;
  if (at !== total - 1) throw new Error(`back landed at ${at}`);
  const version = cli(["--version"]).ms;
  const middle = cli(["goto", "long", String(Math.floor(total / 2)), "--json"]).ms;
  console.log(
    `back 1 in a ${total.toLocaleString("en")}-instruction run (exec --checkpoint-every 10M: ${runS.toFixed(1)} s): ` +
      `fx86 back ${median(backs.map((b) => b.ms)).toFixed(0)} ms per process (fx86 --version: ${version.toFixed(0)} ms); ` +
      `goto the middle ${middle.toFixed(0)} ms`,
  );
}

rmSync(work, { recursive: true, force: true });
