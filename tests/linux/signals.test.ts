/**
 * Signals and timers (docs/linux.md, "Signals"): C programs that install
 * handlers, block and wait for signals, recover from faults and arm timers
 * print the same as on the reference (tests/support/reference.ts: natively
 * where the kernel runs i386 code, else under qemu-i386), and end killed
 * by the same signal. Timers fire at an exact instruction, so every budget
 * split, every engine backend and both runtimes give the same final root.
 */
import { assert, test } from "../harness.ts";
import { bytesOf, compile } from "../elf/build.ts";
import { Guest } from "../../core/vm/guest.ts";
import { FileSystem } from "../../core/linux/fs/filesystem.ts";
import { standardLayout } from "../../core/linux/fs/layout.ts";
import { busybox, BUSYBOX, runFx86, runReference, type RunSpec } from "../support/guests.ts";
import { comparableOutput, i386Runner } from "../support/reference.ts";
import { fx86 } from "../support/cli.ts";
import { blob } from "../../core/tree/mod.ts";
import { PID, UID } from "../../core/linux/identity.ts";
import { GuestStateError } from "../../core/linux/json.ts";
import { Linux } from "../../core/linux/linux.ts";
import { linuxToTree } from "../../core/linux/state.ts";
import { Sys } from "./sys.ts";
import { QEMU_WRONG_SIGNALS } from "./progs/qemu-wrong.ts";
import { execSignals, forkSignals, threadSignals } from "../../core/linux/signals/inherit.ts";

const REFERENCE = i386Runner();
const d = new TextDecoder();
const dec = (b: { bytes: Uint8Array }) => d.decode(b.bytes);

/** Each program, and the signal that ends it ("" when it exits with 0). */
const PROGRAMS: [string, string][] = [
  ["signals", "SIGTERM"],
  ["timers", "SIGALRM"],
  ["interrupts", ""],
  ["children", ""],
  ["stop", ""],
];
/** Numbers of the signals that end the programs and scripts here. */
const SIGNALS: Record<string, number> = { SIGTERM: 15, SIGALRM: 14, SIGUSR2: 12 };

/** The output lines compared through this reference. */
function comparable(name: string, stdout: string): string {
  return comparableOutput(stdout, QEMU_WRONG_SIGNALS[name] ?? []);
}

function build(name: string): string {
  return compile(`tests/linux/progs/${name}.c`, `signals/${name}`, ["-static", "-Wall"]);
}

function spec(exe: string): RunSpec {
  return { argv: [exe], env: [], standardLayout: true };
}

function guest(exe: string, trace?: (line: string) => void): Guest {
  const fs = new FileSystem();
  standardLayout(fs);
  return Guest.fromElf({ program: bytesOf(exe), argv: [exe], env: [], fs, trace });
}

/** Deterministic pseudo-random integers in [1, max]. */
function* budgets(max: number, count: number, seed: number): Generator<number> {
  let x = seed;
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    yield 1 + (x % max);
  }
}

for (const [name, signal] of PROGRAMS) {
  test(`signals (${REFERENCE}): ${name}.c prints what the reference prints and ends the same way`, () => {
    const exe = build(name);
    const ref = runReference(exe, spec(exe));
    assert.equal(d.decode(ref.stderr), "");
    assert.equal(ref.signal, signal || null, d.decode(ref.stdout));
    const expected = comparable(name, d.decode(ref.stdout));
    assert.ok(!expected.includes(": no\n"), `a property failed on ${REFERENCE}:\n${expected}`);
    const fx = runFx86(bytesOf(exe), spec(exe));
    const got = d.decode(fx.stdout);
    assert.ok(!got.includes(": no\n"), `a property failed on fx86:\n${got}`);
    assert.equal(comparable(name, got), expected);
    // What qemu cannot show, against Linux's values (FPE_FLTDIV in include/uapi/asm-generic/siginfo.h;
    // an autodisarmed stack reads as SS_DISABLE while the handler runs).
    if (name === "signals") {
      assert.match(got, /\(FPE_FLTDIV\) = 3\n/);
      assert.match(got, /sigaltstack\(SS_AUTODISARM\) = 0\n.*\n.*ss_flags \(SS_DISABLE\) = 2\n/);
    }
    assert.equal(d.decode(fx.stderr), "");
    assert.equal(fx.status, signal ? 128 + SIGNALS[signal] : 0);
  });

  test(`signals: ${name}.c ends in the same state however its budget is split`, () => {
    const exe = build(name);
    const straight = guest(exe);
    assert.equal(straight.run(Infinity).status, "exited");
    const total = straight.instructions, root = straight.toTree().hash;
    for (const n of [1, total - 1, ...budgets(total - 1, 5, total)]) {
      const g = guest(exe);
      const s = g.run(n);
      assert.equal(s.status, "budget", `stop at ${n}`);
      assert.equal(g.instructions, n);
      // Through the tree, as a snapshot would.
      const resumed = Guest.fromTree(g.toTree());
      assert.equal(resumed.run(Infinity).status, "exited");
      assert.equal(resumed.instructions, total);
      assert.equal(resumed.toTree().hash, root, `split at ${n} changed the final state`);
    }
    const sliced = guest(exe);
    const slices = [...budgets(Math.max(2, Math.floor(total / 30)), 200, 7)];
    for (let k = 0; sliced.run(slices[k % slices.length]).status === "budget"; k++);
    assert.equal(sliced.toTree().hash, root, "many slices");
  });
}

test("signals: budgets that end just before, at and just after a timer's instruction do not move it", () => {
  const exe = build("timers");
  const fired: number[] = [];
  const straight = guest(exe, (line) => {
    if (line.startsWith("--- SIGVTALRM") || line.startsWith("--- SIGPROF")) fired.push(straight.cpu.icount);
  });
  straight.run(Infinity);
  const root = straight.toTree().hash;
  // Timers that fire while the program runs (not while it waits), the first and the last of them.
  assert.ok(fired.length >= 4, `fired at ${fired}`);
  console.log(`timers.c: SIGVTALRM/SIGPROF handlers entered at instructions ${fired.join(", ")}`);
  for (const at of [fired[0], fired[fired.length - 1]]) {
    for (const n of [at - 1, at, at + 1]) {
      const g = guest(exe);
      assert.equal(g.run(n).status, "budget");
      const resumed = Guest.fromTree(g.toTree());
      resumed.run(Infinity);
      assert.equal(resumed.toTree().hash, root, `split at ${n}, the timer at ${at}`);
    }
  }
});

for (const backend of ["tiered", "regions"] as const) {
  test(`signals: timer handlers interrupting ${backend} code see what single-stepping sees, at every stop`, () => {
    const exe = build("interrupts");
    const blocks = guest(exe), singles = guest(exe);
    blocks.engine.backend = backend;
    singles.engine.backend = "single";
    let stops = 0;
    for (const n of budgets(50_000, 100_000, 5)) {
      const a = blocks.run(n), b = singles.run(n);
      assert.deepEqual(a, b);
      assert.equal(blocks.toTree().hash, singles.toTree().hash, `at ${blocks.instructions}`);
      stops++;
      if (a.status !== "budget") break;
    }
    assert.equal(blocks.linux.exitCode, 0);
    assert.match(d.decode(blocks.linux.stdout), /interrupted the work: yes/);
    console.log(`signals (${backend}): ${stops} stops equal to single-stepping`);
  });
}

for (const [name, signal] of [...PROGRAMS.slice(0, 2), PROGRAMS[4]]) {
  test(`signals: ${name}.c gives the same root under Deno and Bun`, () => {
    const args = ["exec", "--json", build(name)];
    const [a, b] = [fx86("deno", args), fx86("bun", args)].map((r) => JSON.parse(r.stdout));
    assert.equal(a.status, "exited");
    assert.equal(a.exit_code, signal ? 128 + SIGNALS[signal] : 0);
    assert.equal(a.root, b.root);
    assert.equal(a.instructions, b.instructions);
  });
}

/** Shell scripts whose traps run on signals the shell sends itself. */
const TRAPS = [
  'trap "echo got USR1" USR1; kill -USR1 $$; echo after; trap "echo bye" EXIT; trap - USR1; trap; kill -TERM $$; echo not',
  'f() { echo in f $1; }; trap "f INT" INT; trap "f HUP" HUP; kill -INT $$; kill -HUP $$; kill -s USR2 $$; echo unreachable',
  'trap "" INT; kill -INT $$; echo ignored; trap "echo exit \\$?" EXIT; kill -0 $$ && echo alive; kill -l 10; exit 3',
  'n=0; trap "n=\\$((n+1))" USR1; for i in 1 2 3 4 5; do kill -USR1 $$; done; echo n=$n',
];

test(`signals (${REFERENCE}): busybox sh traps run on kill to the shell itself, as on the reference`, () => {
  const bb = busybox();
  for (const script of TRAPS) {
    const run: RunSpec = { argv: ["busybox", "sh", "-c", script], standardLayout: true };
    const ref = runReference(BUSYBOX, run);
    const fx = runFx86(bb, run);
    assert.equal(d.decode(fx.stdout), d.decode(ref.stdout), script);
    assert.equal(d.decode(fx.stderr), d.decode(ref.stderr), script);
    assert.equal(fx.status, ref.signal ? 128 + SIGNALS[ref.signal] : ref.status, script);
  }
});

test("signals: pending siginfo, a suspended mask and timers survive the tree; bad ones are GuestStateErrors", () => {
  const s = new Sys();
  assert.ok(!dec(linuxToTree(s.k).os).includes('"timers"'), "a process without timers has no timers entry");
  const usr1 = s.data(new Uint8Array(new Uint32Array([1 << 9, 0]).buffer));
  const both = s.data(new Uint8Array(new Uint32Array([(1 << 9) | (1 << 11), 0]).buffer)); // SIGUSR1, SIGUSR2
  assert.equal(s.call("rt_sigprocmask", 0, both, 0, 8), 0);
  assert.equal(s.call("kill", PID, 10), 0);
  assert.equal(s.call("setitimer", 0, s.data(new Uint8Array(new Uint32Array([0, 1000, 5, 0]).buffer)), 0), 0);
  const id = s.alloc(4);
  assert.equal(s.call("timer_create", 1, 0, id), 0);
  assert.equal(s.call("timer_settime", s.u32(id), 0, s.data(new Uint8Array(new Uint32Array([0, 0, 2, 0]).buffer)), 0), 0);
  s.call("rt_sigsuspend", usr1, 8); // waits with SIGUSR1 still blocked: the old mask is saved
  assert.ok(s.k.blocked);
  const parts = linuxToTree(s.k);
  const os = JSON.parse(dec(parts.os));
  assert.deepEqual(os.signals.info, { 10: [0, PID, UID] });
  assert.deepEqual(os.signals.saved, [(1 << 9) | (1 << 11), 0]);
  assert.deepEqual(os.signals.blocked, [1 << 9, 0]);
  assert.deepEqual(os.signals.timers.real, { at: 5e9 + s.k.now, every: 1e6 });
  assert.deepEqual(os.signals.timers.posix, { 0: { clock: 1, signal: 14, value: 0, overrun: 0, armed: { at: 2e9 + s.k.now, every: 0 } } });
  const copy = Linux.fromTree(parts);
  assert.equal(linuxToTree(copy).os.hash, parts.os.hash);
  assert.deepEqual(copy.signals, s.k.signals);

  const bad = (signals: object, pattern: RegExp) =>
    assert.throws(
      () => Linux.fromTree({ ...parts, os: blob(JSON.stringify({ ...os, signals: { ...os.signals, ...signals } })) }),
      (e: unknown) => e instanceof GuestStateError && pattern.test((e as Error).message),
    );
  bad({ timers: { real: { at: -1, every: 0 } } }, /signals\.timers\.real\.at should be an integer/);
  bad({ timers: { posix: { x: {} } } }, /signals\.timers\.posix\["x"\] is not a valid key/);
  bad({ info: { 10: "x" } }, /signals\.info\[10\] should be an array/);
  bad({ saved: [1] }, /signals\.saved should be an array of 2/);
});

test("signals: fork keeps actions and mask but nothing pending; exec resets handlers; threads start without an alternate stack", () => {
  const s = new Sys();
  const act = s.data(new Uint8Array(new Uint32Array([0x8048000, 0x4000000, 0x8049000, 0, 0]).buffer));
  const ign = s.data(new Uint8Array(new Uint32Array([1, 0, 0, 0, 0]).buffer));
  assert.equal(s.call("rt_sigaction", 10, act, 0, 8), 0);
  assert.equal(s.call("rt_sigaction", 13, ign, 0, 8), 0);
  assert.equal(s.call("rt_sigprocmask", 0, s.data(new Uint8Array(new Uint32Array([1 << 11, 0]).buffer)), 0, 8), 0);
  assert.equal(s.call("kill", PID, 12), 0);
  assert.equal(s.call("sigaltstack", s.data(new Uint8Array(new Uint32Array([0x200000, 0, 8192]).buffer)), 0), 0);
  assert.equal(s.call("alarm", 5), 0);
  const id = s.alloc(4);
  assert.equal(s.call("timer_create", 1, 0, id), 0);
  const parent = s.k.signals;
  const child = forkSignals(parent);
  assert.deepEqual(child.actions, parent.actions);
  assert.deepEqual(child.blocked, [1 << 11, 0]);
  assert.deepEqual(child.pending, [0, 0]);
  assert.equal(child.timers, undefined);
  assert.deepEqual(child.altstack, parent.altstack);
  assert.deepEqual(threadSignals(parent), { blocked: [1 << 11, 0], pending: [0, 0], altstack: { sp: 0, flags: 2, size: 0 } });
  execSignals(parent);
  assert.deepEqual(Object.keys(parent.actions), ["13"], "the handler is gone, SIG_IGN stays");
  assert.deepEqual(parent.pending, [1 << 11, 0], "pending stays");
  assert.ok(parent.timers?.real && !parent.timers.posix, "alarm stays, POSIX timers go");
  assert.equal(parent.altstack.flags, 2);
});

test("signals: waiting while only a timer whose signal is ignored is armed is a deadlock, not an endless wait", () => {
  const exe = build("ignored-timer");
  const fx = runFx86(bytesOf(exe), spec(exe));
  assert.equal(fx.stop.status, "fault");
  assert.equal(fx.stop.fault?.kind, "deadlock");
  assert.match(fx.stop.fault!.detail, /waiting for a signal/);
});

test("signals: processes that all wait while only timers whose signals are ignored are armed are a deadlock", () => {
  const exe = build("ignored-timers-procs");
  const fx = runFx86(bytesOf(exe), spec(exe));
  assert.equal(fx.stop.status, "fault");
  assert.equal(fx.stop.fault?.kind, "deadlock");
  assert.match(fx.stop.fault!.detail, /^blocked forever: /);
});

/** Whether a process of `g`'s guest is stopped now (process/stop.ts). */
function someStopped(g: Guest): boolean {
  return [...g.main.machine.procs?.values() ?? []].some((p) => p.stopSig !== 0);
}

test("signals: stop.c snapshotted while a child is stopped resumes to the same root", () => {
  const exe = build("stop");
  const straight = guest(exe);
  assert.equal(straight.run(Infinity).status, "exited");
  const root = straight.toTree().hash;
  // Walk in small slices; at the first stops found while a child is stopped, go on from the tree.
  const g = guest(exe);
  let snapshots = 0;
  for (let at = 0; g.run(997).status === "budget" && snapshots < 6; at++) {
    if (!someStopped(g) || at % 3 !== 0) continue;
    const resumed = Guest.fromTree(g.toTree());
    assert.ok(someStopped(resumed), "the stop survives the tree");
    assert.equal(resumed.run(Infinity).status, "exited");
    assert.equal(resumed.toTree().hash, root, `resumed at ${g.instructions}`);
    snapshots++;
  }
  assert.ok(snapshots >= 3, `only ${snapshots} snapshots found a stopped child`);
});

test("signals: a process that stops itself alone, or parents waiting for stopped children, are deadlocks that say so", () => {
  const bb = busybox();
  const run = (script: string) => runFx86(bb, { argv: ["busybox", "sh", "-c", script], standardLayout: true, execs: true, exe: "/bin/busybox" });
  const alone = run("echo before; kill -STOP $$; echo after");
  assert.equal(d.decode(alone.stdout), "before\n");
  assert.equal(alone.stop.fault?.kind, "deadlock");
  assert.equal(alone.stop.fault?.detail, `stopped forever (stopped: process ${PID} by SIGSTOP)`);
  const waiting = run("sleep 1 & kill -STOP $!; wait; echo after");
  assert.equal(waiting.stop.fault?.kind, "deadlock");
  assert.match(waiting.stop.fault!.detail, /^blocked forever: .* \(stopped: process \d+ by SIGSTOP\)$/);
});

test("signals: a process's stop survives the tree; bad ones are GuestStateErrors", () => {
  const s = new Sys();
  const parts = linuxToTree(s.k);
  const os = JSON.parse(dec(parts.os));
  assert.equal(os.stop, undefined, "a process never stopped has no stop entry");
  const withStop = (stop: unknown) => Linux.fromTree({ ...parts, os: blob(JSON.stringify({ ...os, stop })) });
  const copy = withStop([20, "stopped"]);
  assert.equal(copy.stopSig, 20);
  assert.equal(copy.stopReport, "stopped");
  assert.deepEqual(JSON.parse(dec(linuxToTree(copy).os)).stop, [20, "stopped"]);
  assert.equal(withStop([0, "continued"]).stopReport, "continued");
  const bad = (stop: unknown, pattern: RegExp) =>
    assert.throws(() => withStop(stop), (e: unknown) => e instanceof GuestStateError && pattern.test((e as Error).message));
  bad([10, null], /os: stop\[0\] is not a stop signal/);
  bad([19, "gone"], /os: stop\[1\] should be "stopped", "continued" or null/);
  bad([19], /os: stop should be an array of 2/);
});
