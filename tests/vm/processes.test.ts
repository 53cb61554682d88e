/**
 * A guest of many processes is still a pure function of (subtree, budget):
 * busybox sh running a three-process pipeline, run at once or in pieces
 * with the state converted to a tree and restored between pieces (budget
 * stops falling in any of the processes), ends with the same root, and so
 * does a pool of threads; the tree of a forked guest has
 * procs/<pid>/{cpu,mem,os}.
 */
import { assert, test } from "../harness.ts";
import { FileSystem } from "../../core/linux/fs/filesystem.ts";
import { standardLayout } from "../../core/linux/fs/layout.ts";
import { Guest } from "../../core/vm/guest.ts";
import type { DirNode } from "../../core/tree/mod.ts";
import { busybox } from "../support/guests.ts";
import { bytesOf, compile } from "../elf/build.ts";

const SCRIPT = "seq 300 | sort -rn | head -3; x=$(echo sub | tr a-z A-Z); echo $x";

/** The final root of SCRIPT under both runtimes. */
const PIPELINE_ROOT = "fa90792febfe4a2c4d06cb1afdbb4c983705610fed5b570caf339bb9f2862aaf";

/** The final root of threads.c under both runtimes. */
const THREADS_ROOT = "3944529069b840230d4fa6690e89b06bb96278a2b6b02350e4be9444b6330603";

function start(): Guest {
  const fs = new FileSystem();
  standardLayout(fs);
  fs.mkdirp("/bin");
  fs.writeFile("/bin/busybox", busybox(), { mode: 0o755 });
  return Guest.fromElf({ program: busybox(), argv: ["sh", "-c", SCRIPT], fs, exe: "/bin/busybox" });
}

function text(tree: DirNode, name: string): string {
  const b = tree.get(name);
  return b?.kind === "blob" ? new TextDecoder().decode(b.bytes) : "";
}

test("processes: a pipeline run at once or in restored pieces gives the same root", () => {
  const whole = start();
  const stop = whole.run(Infinity);
  assert.equal(stop.status, "exited");
  const root = whole.toTree();
  assert.equal(text(root, "stdout"), "300\n299\n298\nSUB\n");
  const total = whole.instructions;
  // Pinned: Deno and Bun must both arrive here (the scheduler's order is part of the function).
  assert.equal(root.hash, PIPELINE_ROOT);
  assert.equal(total, 3_061_318);

  let tree = start().toTree();
  const seen = new Set<string>();
  for (let piece = 0;; piece++) {
    const g = Guest.fromTree(tree);
    const s = g.run(97_531 + piece * 7_919);
    tree = g.toTree();
    const procs = tree.get("procs");
    if (procs?.kind === "dir") for (const name of procs.names) seen.add(name);
    if (s.status !== "budget") {
      assert.equal(s.status, "exited");
      break;
    }
  }
  assert.equal(Guest.fromTree(tree).instructions, total, "the same instruction count");
  assert.equal(tree.hash, root.hash, "the same root");
  assert.ok(seen.size >= 3, `budget stops saw several child processes (${[...seen]})`);
});

test("processes: a forked guest's tree holds each process's cpu, mem and os", () => {
  const g = start();
  // Run until the first fork, then a little further.
  while (g.main.machine.procs === undefined) g.run(1000);
  g.run(5000);
  const tree = g.toTree();
  const procs = tree.get("procs") as DirNode;
  assert.ok(procs.names.length >= 1);
  const first = procs.get(procs.names[0]) as DirNode;
  for (const part of ["cpu", "mem", "os"]) assert.ok(first.get(part), `procs/${procs.names[0]}/${part}`);
  const os = JSON.parse(text(first, "os"));
  assert.equal(os.proc.ppid, 100);
  const main = JSON.parse(text(tree, "os"));
  assert.equal(main.proc.pid, 100);
  assert.ok(main.sched.nextPid > 100);
  // A restored copy runs on to the same end.
  const a = Guest.fromTree(tree), b = Guest.fromTree(tree);
  a.run(Infinity);
  b.run(Infinity);
  assert.equal(a.toTree().hash, b.toTree().hash);
});

test("processes: threads (a pthread pool) run at once or in restored pieces give the same root", () => {
  const exe = compile("tests/linux/progs/threads.c", "progs/threads", ["-static", "-Wall", "-pthread"]);
  const begin = () => Guest.fromElf({ program: bytesOf(exe), argv: ["threads"], fs: new FileSystem() });
  const whole = begin();
  assert.equal(whole.run(Infinity).status, "exited");
  const root = whole.toTree();
  assert.match(text(root, "stdout"), /jobs done by the workers = 200\n/);
  // Pinned: the same under Deno and Bun (while gcc builds the same threads.c binary).
  assert.equal(root.hash, THREADS_ROOT);
  let tree = begin().toTree();
  let threadsSeen = 0;
  for (let piece = 0;; piece++) {
    const g = Guest.fromTree(tree);
    const s = g.run(61_231 + piece * 3_001);
    tree = g.toTree();
    const procs = tree.get("procs");
    if (procs?.kind === "dir") threadsSeen = Math.max(threadsSeen, procs.names.length);
    if (s.status !== "budget") break;
  }
  assert.equal(tree.hash, root.hash);
  assert.ok(threadsSeen >= 4, `stops saw the workers (${threadsSeen})`);
});

for (const backend of ["regions", "single"] as const) {
  test(`processes: threads (a pthread pool) under the ${backend} backend end in the same root`, () => {
    // Threads share a memory, and with it its wasm dispatch table: only one
    // thread's engine may keep regions there (a second one's entries named
    // slots of another table: 'null function', or a wrong function).
    const exe = compile("tests/linux/progs/threads.c", "progs/threads", ["-static", "-Wall", "-pthread"]);
    const g = Guest.fromElf({ program: bytesOf(exe), argv: ["threads"], fs: new FileSystem() });
    g.engine.backend = backend;
    assert.equal(g.run(Infinity).status, "exited");
    assert.equal(g.toTree().hash, THREADS_ROOT);
  });
}
