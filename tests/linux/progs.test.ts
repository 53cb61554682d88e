/**
 * The C programs in tests/linux/progs/ exercise the system calls fx86
 * implements and print properties (never host-specific values), so that a
 * reference run and an fx86 run can be compared byte for byte. Here each is
 * built and run on the reference (tests/support/reference.ts: natively where
 * the kernel runs i386 code, else under qemu-i386; test names say which)
 * twice, in fresh directories: each run must succeed with every property
 * holding and print the same both times (the programs' own determinism),
 * and fx86 must print exactly that too.
 */
import { assert, test } from "../harness.ts";
import { bytesOf, compile } from "../elf/build.ts";
import { runFx86, runReference, type RunSpec } from "../support/guests.ts";
import { comparableOutput, i386Runner } from "../support/reference.ts";

const REFERENCE = i386Runner();

const PROGRAMS = [
  "files",
  "dirs",
  "mmap",
  "brk",
  "time",
  "random",
  "pipes",
  "stat",
  "procs",
  "threads",
  "proc",
  "fifo",
  "epoll",
  "select",
  "cputime",
];

/**
 * Lines qemu-i386 7.2 gets wrong, by program: under qemu they are left out
 * of every comparison (a kernel and fx86 agree on them, so the native
 * reference keeps checking them).
 */
const QEMU_WRONG: Record<string, string[]> = {
  // qemu maps over the existing mapping instead of failing with EEXIST.
  mmap: ["MAP_FIXED_NOREPLACE refuses: "],
  // qemu writes select's time left back only when the call succeeds, not on EINTR.
  select: ["  time left: about 2.7 s"],
  // qemu's own /proc/self/stat gives 0 for the times.
  cputime: ["/proc/self/stat: children's time above the parent's: "],
};

/** The output lines compared through this reference. */
function comparable(name: string, stdout: string): string {
  return comparableOutput(stdout, QEMU_WRONG[name] ?? []);
}

for (const name of PROGRAMS) {
  test(`progs (${REFERENCE}): ${name}.c runs with deterministic output, the same under fx86`, () => {
    const exe = compile(`tests/linux/progs/${name}.c`, `progs/${name}`, [
      "-static",
      "-Wall",
      "-pthread",
    ]);
    // procs.c executes itself again (as /proc/self/exe): fx86 needs it in the guest's tree.
    const spec: RunSpec = { argv: [exe], env: [], standardLayout: true, execs: true };
    const fxSpec: RunSpec = { ...spec, exe: "/bin/" + name };
    const d = new TextDecoder();
    const once = () => {
      const r = runReference(exe, spec);
      return { status: r.status, stdout: d.decode(r.stdout), stderr: d.decode(r.stderr) };
    };
    const first = once();
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.stderr, "");
    const expected = comparable(name, first.stdout);
    assert.ok(expected.length > 0);
    assert.ok(
      !expected.includes(": no\n"),
      `a property failed on ${REFERENCE}:\n${first.stdout}`,
    );
    assert.equal(once().stdout, first.stdout);
    const fx = runFx86(bytesOf(exe), fxSpec);
    assert.equal(fx.status, 0, d.decode(fx.stderr));
    assert.equal(comparable(name, d.decode(fx.stdout)), expected);
  });
}
