/**
 * Breakpoints (core/vm/debug.ts, docs/debugging.md): every hit is the state
 * a budget stop at the same instruction count gives; hits agree with gdb
 * and strace on the reference (tests/vm/debug-reference.ts: the native CPU,
 * else qemu-i386's gdb stub and -strace; test names say which); continuing
 * steps over the last hit; hits deep inside nested RUNs stop the whole
 * hierarchy; block and single-step engines agree; a run with breakpoints
 * ends where a run without does.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { assert, test } from "../harness.ts";
import { EAX, EBP, EBX, ECX, EDI, EDX, ESI, ESP, RF } from "../../core/cpu/state.ts";
import { FileSystem } from "../../core/linux/fs/filesystem.ts";
import { type DirNode, get } from "../../core/tree/mod.ts";
import { type BreakHit, Breakpoints } from "../../core/vm/debug.ts";
import { Guest, isGuestTree, readStatus, type Stop } from "../../core/vm/guest.ts";
import { Timeline } from "../../core/vm/timeline.ts";
import { image, nasmProgram } from "../support/build.ts";
import { i386Runner } from "../support/reference.ts";
import { gdbStops, straceCalls } from "./debug-reference.ts";
import type { Backend } from "../../core/cpu/engine.ts";
import { BACKENDS } from "../cpu/backends.ts";

const REFERENCE = i386Runner();

const DEBUGEE = nasmProgram("tests/vm/guests/debugee.asm", "vm-debugee");
const NEST = "examples/nesting/nest";
const LEVEL1 = "fs/child", LEVEL2 = "fs/child/fs/child";

function symbol(program: string, name: string): number {
  const m = new RegExp(`^([0-9a-f]+) [tT] ${name}$`, "m").exec(execFileSync("nm", [program]).toString());
  if (m === null) throw new Error(`no symbol ${name} in ${program}`);
  return parseInt(m[1], 16);
}

const debugeeTree = Guest.fromElf({ program: image(DEBUGEE), argv: ["debugee"] }).toTree();

/** Level 0 of examples/nesting (as nesting.yaml starts it): three levels of guests. */
const nestTree = (() => {
  const bytes = new Uint8Array(readFileSync(NEST));
  const fs = new FileSystem();
  fs.writeFile("/bin/nest", bytes, { mode: 0o755 });
  return Guest.fromElf({ program: bytes, argv: ["/bin/nest"], fs }).toTree();
})();

/** The root a fresh run of `tree` with budget exactly `n` ends in. */
function budgetRoot(tree: DirNode, n: number): string {
  const g = Guest.fromTree(tree);
  g.run(n);
  assert.equal(g.instructions, n);
  return g.toTree().hash;
}

/** The end of a run without breakpoints. */
function plainEnd(tree: DirNode): { root: string; count: number; stdout: string } {
  const g = Guest.fromTree(tree);
  assert.notEqual(g.run(Infinity).status, "budget");
  return { root: g.toTree().hash, count: g.instructions, stdout: new TextDecoder().decode(g.linux.stdout) };
}

interface Hit {
  hit: BreakHit;
  /** Top-level instructions charged at the hit. */
  at: number;
  root: string;
  /** What the run that hit retired. */
  retired: number;
  /** What `describe` said of the state. */
  line: string;
}

interface Collected {
  hits: Hit[];
  guest: Guest;
  stop: Stop;
  /** Runs that ended by their budget inside the top level's RUN. */
  insideRun: number;
}

/**
 * Runs `tree` to its end with the breakpoints `set` makes, continuing
 * after every hit, in runs of `chunk()` instructions (default: unbounded).
 */
function collect(
  tree: DirNode,
  set: (b: Breakpoints) => void,
  opts: { backend?: Backend; chunk?: () => number; describe?: (g: Guest, h: BreakHit) => string } = {},
): Collected {
  const bps = new Breakpoints();
  set(bps);
  const g = Guest.fromTree(tree, { breakpoints: bps });
  g.engine.backend = opts.backend ?? "tiered";
  const hits: Hit[] = [];
  let insideRun = 0;
  for (;;) {
    const budget = opts.chunk?.() ?? Infinity;
    const stop = g.run(budget);
    if (stop.break) {
      assert.equal(stop.status, "budget");
      assert.ok(stop.retired <= budget);
      hits.push({
        hit: stop.break,
        at: g.instructions,
        root: g.toTree().hash,
        retired: stop.retired,
        line: opts.describe?.(g, stop.break) ?? "",
      });
    } else if (stop.status !== "budget") return { hits, guest: g, stop, insideRun };
    else if (g.status.in_run) insideRun++;
  }
}

/** Checks the properties every run with breakpoints has, against a run without. */
function checkHits(tree: DirNode, c: Collected): void {
  const end = plainEnd(tree);
  assert.equal(c.guest.instructions, end.count, "a run with breakpoints ends at the same count");
  assert.equal(c.guest.toTree().hash, end.root, "a run with breakpoints ends in the same root");
  for (const h of c.hits) {
    assert.equal(h.root, budgetRoot(tree, h.at), `state at ${JSON.stringify(h.hit)} after ${h.at}`);
  }
}

/** The state of a sub-guest, restored from the top-level guest's tree. */
function subGuest(top: Guest, id: string): Guest {
  return Guest.fromTree(get(top.toTree(), id) as DirNode);
}

const hex = (v: number) => (v >>> 0).toString(16);

/** Budgets from 1 to `max`, pseudo-random from `seed`. */
function randomChunks(seed: number, max: number): () => number {
  let x = seed;
  return () => 1 + ((x = (x * 1103515245 + 12345) % 2 ** 31) % max);
}

/** The nest stopped at level 0's `k`-th RUN of level 1 (EIP on that RUN). */
function atLevel1Entry(k: number): { g: Guest; bps: Breakpoints } {
  const bps = new Breakpoints();
  bps.addRunEntry(LEVEL1);
  const g = Guest.fromTree(nestTree, { breakpoints: bps });
  for (let i = 0; i < k; i++) assert.deepEqual(g.run(Infinity).break, { kind: "run-entry", guest: "", child: LEVEL1 });
  return { g, bps };
}

test(`debug: address and system-call hits are where gdb stops (${REFERENCE}), with the same registers, in blocks and single steps`, () => {
  const work = symbol(DEBUGEE, "work");
  const regs = ["$pc", "$eax", "$ebx", "$ecx", "$edx", "$esi", "$edi", "$ebp"];
  const expected = gdbStops(DEBUGEE, [], [{ address: work, format: "A" + " %x".repeat(8), args: regs }], ["write"]);
  assert.equal(expected.length, 40 + 5, "40 calls of work, 5 writes");
  const describe = (g: Guest, h: BreakHit) => {
    const r = g.cpu.r;
    assert.equal(g.cpu.eip >>> 0, h.kind === "address" || h.kind === "syscall" ? h.eip : -1);
    if (h.kind === "address") {
      return "A " + [g.cpu.eip, r[EAX], r[EBX], r[ECX], r[EDX], r[ESI], r[EDI], r[EBP]].map(hex).join(" ");
    }
    assert.equal(h.kind, "syscall");
    // Stopped before the call: EIP on its int 0x80, EAX the number.
    assert.deepEqual([g.mem.r8(g.cpu.eip), g.mem.r8(g.cpu.eip + 1)], [0xcd, 0x80]);
    assert.equal(r[EAX], 4);
    return `S ${h.kind === "syscall" ? h.name : ""} ${hex(r[EBX])} ${hex(r[EDX])}`;
  };
  const set = (b: Breakpoints) => {
    b.addAddress("", work);
    b.addSyscall("", 4);
  };
  const blocks = collect(debugeeTree, set, { describe });
  assert.deepEqual(blocks.hits.map((h) => h.line), expected);
  assert.equal(blocks.stop.exitCode, 5);
  checkHits(debugeeTree, blocks);
  const steps = collect(debugeeTree, set, { describe, backend: "single" });
  assert.deepEqual(steps.hits.map((h) => [h.at, h.root]), blocks.hits.map((h) => [h.at, h.root]));
});

test("debug: continuing steps over the last hit once; a loop hits again; budget chunks change nothing", () => {
  const work = symbol(DEBUGEE, "work");
  const set = (b: Breakpoints) => {
    b.addAddress("", work);
    b.addSyscall(undefined, 4);
    b.addSyscall(undefined, 20);
  };
  const straight = collect(debugeeTree, set);
  assert.equal(straight.hits.length, 40 + 5 + 1);
  // Every continue retired something: the same hit is not reported twice in a row.
  assert.ok(straight.hits.every((h) => h.retired > 0));
  assert.equal(new Set(straight.hits.map((h) => h.at)).size, straight.hits.length);

  // Runs of 1 to 13 instructions stop right before hits again and again:
  // the next run reports the hit without retiring anything, exactly once.
  const chunked = collect(debugeeTree, set, { chunk: randomChunks(7, 13) });
  assert.deepEqual(chunked.hits.map((h) => [h.hit, h.at, h.root]), straight.hits.map((h) => [h.hit, h.at, h.root]));
  assert.ok(chunked.hits.filter((h) => h.retired === 0).length >= 3, "some hits came at the start of a run");
  checkHits(debugeeTree, chunked);

  // One instruction from a hit retires it and reports nothing.
  const bps = new Breakpoints();
  set(bps);
  const g = Guest.fromTree(debugeeTree, { breakpoints: bps });
  const first = g.run(Infinity);
  assert.deepEqual(first.break, { kind: "address", guest: "", eip: work });
  const step = g.run(1);
  assert.equal(step.retired, 1);
  assert.equal(step.break, undefined);
  assert.equal(g.run(0).retired, 0);
  assert.equal(g.run(Infinity).break?.kind, "syscall");
  // With the breakpoints disabled, or none set, a run goes to the end.
  bps.enabled = false;
  assert.equal(g.run(Infinity).status, "exited");
});

test("debug: a REP instruction is arrived at once, however budgets cut its iterations", () => {
  const rep = symbol(DEBUGEE, "repcopy");
  const set = (b: Breakpoints) => b.addAddress("", rep);
  const straight = collect(debugeeTree, set);
  assert.equal(straight.hits.length, 40);
  const chunked = collect(debugeeTree, set, { chunk: randomChunks(3, 13) });
  assert.deepEqual(chunked.hits.map((h) => [h.hit, h.at, h.root]), straight.hits.map((h) => [h.hit, h.at, h.root]));
  checkHits(debugeeTree, chunked);
  // Stepping through its 16 iterations: no hit until the next arrival.
  const bps = new Breakpoints();
  set(bps);
  const g = Guest.fromTree(debugeeTree, { breakpoints: bps });
  assert.deepEqual(g.run(Infinity).break, { kind: "address", guest: "", eip: rep });
  for (let k = 16; k > 0; k--) {
    assert.equal(g.cpu.r[ECX], k);
    const s = g.run(1);
    assert.equal(s.break, undefined);
    assert.equal(s.retired, 1);
  }
  assert.notEqual(g.cpu.eip, rep);
  assert.equal(g.run(Infinity).retired, straight.hits[1].at - straight.hits[0].at - 16);
});

test("debug: a REP interrupted mid-way carries EFLAGS.RF in its state, so a restored guest continues it without a hit", () => {
  const rep = symbol(DEBUGEE, "repcopy");
  const set = (b: Breakpoints) => b.addAddress("", rep);
  const straight = collect(debugeeTree, set);
  const [first, second] = straight.hits;
  const bps = new Breakpoints();
  set(bps);
  const g = Guest.fromTree(debugeeTree, { breakpoints: bps });
  assert.deepEqual(g.run(Infinity).break, { kind: "address", guest: "", eip: rep });
  g.run(5);
  const mid = g.toTree();
  assert.equal(mid.hash, budgetRoot(debugeeTree, first.at + 5), "the state is a budget stop's");
  const eflagsOf = (t: DirNode) => {
    const b = (get(t, "cpu/eflags") as { bytes: Uint8Array }).bytes;
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  };
  assert.equal(eflagsOf(mid) & RF, RF, "RF is set while the REP is unfinished");
  // Restored (a snapshot, a timeline goto): continuing is no arrival, so the next hit is the next arrival.
  const again = new Breakpoints();
  set(again);
  const restored = Guest.fromTree(mid, { breakpoints: again });
  const s = restored.run(Infinity);
  assert.deepEqual(s.break, first.hit);
  assert.equal(first.at + 5 + s.retired, second.at);
  // Finishing the REP clears RF; a budget stop elsewhere never sets it.
  const done = Guest.fromTree(mid);
  done.run(11);
  assert.notEqual(done.cpu.eip, rep);
  assert.equal(eflagsOf(done.toTree()) & RF, 0);
});

test("debug: breakpoints set or removed between runs take effect in code already compiled", () => {
  const copy = symbol(DEBUGEE, "copy"); // in the middle of work's straight-line block
  const whole = collect(debugeeTree, (b) => b.addAddress("", copy));
  assert.equal(whole.hits.length, 40);
  checkHits(debugeeTree, whole);
  for (const backend of BACKENDS) {
    const bps = new Breakpoints();
    const g = Guest.fromTree(debugeeTree, { breakpoints: bps });
    g.engine.backend = backend;
    assert.equal(g.run(300).retired, 300); // the loop is compiled and chained by now
    bps.addAddress("", copy);
    const later = whole.hits.filter((h) => h.at >= 300);
    for (const h of later.slice(0, 5)) {
      const s = g.run(Infinity);
      assert.deepEqual(s.break, h.hit);
      assert.equal(g.instructions, h.at);
      assert.equal(g.toTree().hash, h.root);
    }
    bps.removeAddress("", copy);
    bps.addAddress("", 0x12345678); // elsewhere: no hit
    const s = g.run(Infinity);
    assert.equal(s.status, "exited");
    assert.equal(s.break, undefined);
    assert.equal(g.toTree().hash, plainEnd(debugeeTree).root);
  }
});

test(`debug: hits at every depth of a three-level nest are budget stops of the whole hierarchy (writes counted on ${REFERENCE})`, () => {
  const end = plainEnd(nestTree);
  const runs = (level: number) => Number(new RegExp(`level ${level} exited with status 0 after \\d+ instructions in (\\d+) runs`).exec(end.stdout)![1]);
  const start = symbol(NEST, "_start");
  const c = collect(nestTree, (b) => {
    b.addRunEntry();
    b.addRunExit();
    b.addSyscall(undefined, 4);
    b.addAddress(LEVEL1, start);
  });
  checkHits(nestTree, c);
  const count = (kind: string, guest: string, child?: string) =>
    c.hits.filter((h) => h.hit.kind === kind && h.hit.guest === guest && (child === undefined || ("child" in h.hit && h.hit.child === child))).length;
  // RUNs that continue a sub-guest after its caller's BUDGET_IN_RUN are no entries.
  assert.equal(count("run-entry", "", LEVEL1), runs(1));
  assert.equal(count("run-entry", LEVEL1, LEVEL2), runs(2));
  assert.equal(count("run-exit", "", LEVEL1), runs(1));
  assert.equal(count("run-exit", LEVEL1, LEVEL2), runs(2));
  assert.equal(count("syscall", LEVEL2), straceCalls(NEST, ["2", "3"]).filter((l) => l.startsWith("write ")).length);
  assert.ok(count("syscall", "") > 0 && count("syscall", LEVEL1) > 0);

  // Level 1's first instruction: it breaks before retiring anything, so its
  // caller is exactly as before its RUN (the run-entry hit at the same count).
  const first = c.hits.findIndex((h) => h.hit.kind === "address");
  const entry = c.hits[first - 1];
  assert.deepEqual(entry.hit, { kind: "run-entry", guest: "", child: LEVEL1 });
  assert.deepEqual(c.hits[first].hit, { kind: "address", guest: LEVEL1, eip: start });
  assert.equal(c.hits[first].at, entry.at);
  assert.equal(c.hits[first].root, entry.root);
  assert.equal(c.hits.filter((h) => h.hit.kind === "address").length, 1);

  // Inside RUN, every ancestor is stopped un-retired inside its RUN.
  const deep = c.hits.find((h) => h.hit.kind === "syscall" && h.hit.guest === LEVEL2)!;
  const g = Guest.fromTree(nestTree);
  g.run(deep.at);
  assert.equal(g.status.in_run, true);
  assert.equal(readStatus(get(g.toTree(), LEVEL1) as DirNode).in_run, true);
});

test(`debug: the leaf's hits agree with gdb and strace running it on the reference (${REFERENCE})`, () => {
  const say = symbol(NEST, "say");
  const ref = [
    ...gdbStops(NEST, ["2", "3"], [{ address: say, format: "A %x", args: ["*(unsigned *)($esp + 4)"] }], []),
    ...straceCalls(NEST, ["2", "3"]).map((l) => "S " + l),
  ];
  const c = collect(nestTree, (b) => {
    b.addAddress(LEVEL2, say);
    b.addSyscall(LEVEL2);
  }, {
    describe: (top, h) => {
      const g = subGuest(top, LEVEL2);
      if (h.kind === "address") return `A ${hex(g.mem.r32(g.cpu.r[ESP] + 4))}`;
      const r = g.cpu.r;
      // exit_group has one argument, write three.
      return `S ${h.kind === "syscall" ? h.name : ""} ${r[EBX]} ${h.kind === "syscall" && h.number === 4 ? r[EDX] : r[EBX]}`;
    },
  });
  const lines = c.hits.map((h) => h.line);
  assert.deepEqual(lines.filter((l) => l.startsWith("A")), ref.filter((l) => l.startsWith("A")));
  assert.deepEqual(lines.filter((l) => l.startsWith("S")), ref.filter((l) => l.startsWith("S")));
  assert.ok(c.hits.every((h) => h.hit.guest === LEVEL2));
  checkHits(nestTree, c);
});

test("debug: resuming a RUN its budget interrupted is no arrival at the RUN: chunked runs hit what a straight run hits", () => {
  const runAt = atLevel1Entry(1).g.cpu.eip; // level 0's RUN instruction
  const set = (b: Breakpoints) => {
    b.addAddress("", runAt);
    b.addAddress(LEVEL1, runAt);
    b.addRunEntry();
  };
  const straight = collect(nestTree, set);
  const chunked = collect(nestTree, set, { chunk: randomChunks(99, 200_000) });
  assert.ok(chunked.insideRun >= 5, `${chunked.insideRun} chunks ended inside RUN`);
  assert.deepEqual(chunked.hits.map((h) => [h.hit, h.at, h.root]), straight.hits.map((h) => [h.hit, h.at, h.root]));
  // Both levels run the same program: one RUN instruction, arrived at once per RUN.
  assert.equal(straight.hits.filter((h) => h.hit.kind === "address").length, 3 + 5);
  checkHits(nestTree, chunked);
});

test("debug: a RUN that retires with the last instruction of a budget still reports its run-exit", () => {
  const set = (b: Breakpoints) => b.addRunExit();
  const straight = collect(nestTree, set);
  // Level 0 RUNs level 1 three times, level 1 RUNs level 2 five times.
  assert.equal(straight.hits.length, 3 + 5);
  for (const h of straight.hits) {
    const g = Guest.fromTree(nestTree);
    g.run(h.at - 1);
    g.breakpoints = new Breakpoints();
    set(g.breakpoints);
    const s = g.run(1);
    assert.deepEqual(s.break, h.hit, `the RUN retiring at ${h.at}`);
    assert.equal(s.retired, 1);
    assert.equal(g.toTree().hash, h.root);
  }
  const chunked = collect(nestTree, set, { chunk: randomChunks(5, 300_000) });
  assert.deepEqual(chunked.hits.map((h) => [h.hit, h.at, h.root]), straight.hits.map((h) => [h.hit, h.at, h.root]));
  checkHits(nestTree, straight);
});

test("debug: a sub-guest hit where its caller's BUDGET_IN_RUN left it leaves every caller as before", () => {
  const { g, bps } = atLevel1Entry(2);
  const at = g.instructions, root = g.toTree().hash;
  // Level 1 is stopped inside its RUN: resuming it continues level 2 at this EIP.
  assert.equal(readStatus(get(g.toTree(), LEVEL1) as DirNode).in_run, true);
  const eip = subGuest(g, LEVEL2).cpu.eip;
  bps.removeRunEntry(LEVEL1);
  bps.addAddress(LEVEL2, eip);
  const hit = g.run(Infinity);
  assert.deepEqual(hit.break, { kind: "address", guest: LEVEL2, eip: eip >>> 0 });
  assert.equal(hit.retired, 0);
  assert.equal(g.instructions, at);
  assert.equal(g.toTree().hash, root, "nothing changed: not the top, not level 1's RUN registers or status");
  assert.equal(g.status.in_run, undefined);
  bps.clear();
  assert.equal(g.run(Infinity).status, "exited");
  assert.equal(g.toTree().hash, plainEnd(nestTree).root);
});

test("debug: a budget stop right before a hit two levels down is followed by that hit, with nothing changed", () => {
  const set = (b: Breakpoints) => b.addSyscall(LEVEL2, 4);
  const first = collect(nestTree, set).hits[0];
  const g = Guest.fromTree(nestTree);
  g.run(first.at);
  const root = g.toTree().hash;
  assert.equal(g.status.in_run, true);
  g.breakpoints = new Breakpoints();
  set(g.breakpoints);
  const s = g.run(Infinity);
  assert.deepEqual(s.break, first.hit);
  assert.equal(s.retired, 0);
  assert.equal(g.toTree().hash, root);
  assert.equal(subGuest(g, LEVEL2).cpu.r[EAX], 4);
  // Continuing makes the call.
  assert.equal(g.run(Infinity).break?.kind, "syscall");
  assert.ok(g.instructions > first.at);
});

test("debug: Timeline runs to a break, goes back one instruction and reaches the same break again", () => {
  const work = symbol(DEBUGEE, "work");
  const bps = new Breakpoints();
  bps.addAddress("", work);
  bps.addSyscall("", 4);
  const t = new Timeline(Guest.fromTree(debugeeTree, { breakpoints: bps }), { every: 50, restore: { breakpoints: bps } });
  const hits: { hit: BreakHit; at: number; root: string }[] = [];
  for (let k = 0; k < 12; k++) {
    const s = t.run(Infinity);
    hits.push({ hit: s.break!, at: t.position, root: t.guest.toTree().hash });
  }
  for (const h of [hits[11], hits[0], hits[5]]) {
    // Replaying from a checkpoint must not stop at the hits on the way.
    bps.enabled = false;
    assert.equal(t.goto(h.at), h.at);
    assert.equal(t.guest.toTree().hash, h.root);
    assert.equal(t.back(1), h.at - 1);
    bps.enabled = true;
    const s = t.run(Infinity);
    assert.deepEqual(s.break, h.hit);
    assert.equal(s.retired, 1);
    assert.equal(t.position, h.at);
    assert.equal(t.guest.toTree().hash, h.root);
  }
});

test("debug: a breakpoint where the code faults stops before the fault, in every backend", () => {
  const exe = nasmProgram("tests/e2e/guests/faults.asm", "fault-jump_unmapped", { FAULT: "jump_unmapped" });
  const tree = Guest.fromElf({ program: image(exe), argv: ["faults"] }).toTree();
  for (const backend of BACKENDS) {
    const c = collect(tree, (b) => b.addAddress("", 0x12345678), { backend });
    assert.deepEqual(c.hits.map((h) => h.hit), [{ kind: "address", guest: "", eip: 0x12345678 }]);
    assert.equal(c.hits[0].root, budgetRoot(tree, c.hits[0].at));
    assert.equal(c.stop.status, "fault");
    assert.equal(c.stop.fault?.eip, 0x12345678);
  }
});

test("debug: sub-guest ids are tree paths, whatever path the guest names them by", () => {
  const child = nasmProgram("tests/vm/guests/child.asm", "vm-child-exit_eax", { MODE: "exit_eax" });
  const host = nasmProgram("tests/vm/guests/relative.asm", "vm-relative");
  const fs = new FileSystem();
  fs.writeFile("/bin/child", image(child), { mode: 0o755 });
  const tree = Guest.fromElf({ program: image(host), argv: ["relative"], fs }).toTree();
  const start = symbol(child, "_start");
  const c = collect(tree, (b) => {
    b.addRunEntry();
    b.addRunExit();
    b.addAddress("fs/sub/kid", start);
  });
  assert.deepEqual(c.hits.map((h) => h.hit), [
    { kind: "run-entry", guest: "", child: "fs/sub/kid" },
    { kind: "address", guest: "fs/sub/kid", eip: start },
    { kind: "run-exit", guest: "", child: "fs/sub/kid" },
  ]);
  assert.equal(c.stop.exitCode, 0, "RUN reported EXITED");
  assert.ok(isGuestTree(get(c.guest.toTree(), "fs/sub/kid")));
  checkHits(tree, c);
});

test("debug: breakpoint settings are listed, and bad addresses refused", () => {
  const b = new Breakpoints();
  b.addAddress(LEVEL1, 0xfffff000);
  b.addAddress("", 0x8049000);
  b.addSyscall(undefined, 4);
  b.addSyscall("");
  b.addRunEntry();
  b.addRunExit(LEVEL2);
  assert.deepEqual(b.list(), [
    { kind: "address", guest: "", eip: 0x8049000 },
    { kind: "address", guest: LEVEL1, eip: 0xfffff000 },
    { kind: "syscall", number: 4 },
    { kind: "syscall", guest: "" },
    { kind: "run-entry" },
    { kind: "run-exit", child: LEVEL2 },
  ]);
  assert.ok(b.hasAddress(LEVEL1, 0xfffff000 | 0));
  b.removeAddress(LEVEL1, 0xfffff000);
  b.removeSyscall(undefined, 4);
  b.removeRunExit(LEVEL2);
  assert.equal(b.list().length, 3);
  b.clear();
  assert.deepEqual(b.list(), []);
  assert.throws(() => b.addAddress("", 2 ** 32), RangeError);
  assert.throws(() => b.addAddress("", 1.5), RangeError);
  assert.throws(() => b.addSyscall("", -1), RangeError);
});
