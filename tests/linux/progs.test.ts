/**
 * The C programs in tests/linux/progs/ exercise the system calls fx86
 * implements and print properties (never host-specific values), so that a
 * native run and an fx86 run can be compared byte for byte. Here they are
 * built and run natively, twice, in fresh directories: each must succeed and
 * print the same both times (their own determinism is the precondition of
 * the differential end-to-end tests).
 */
import { assert, test } from "../harness.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile, runNative } from "../elf/build.ts";

const PROGRAMS = [
  "files",
  "dirs",
  "mmap",
  "brk",
  "time",
  "random",
  "pipes",
  "stat",
];

function runOnce(
  exe: string,
): { stdout: string; stderr: string; status: number | null } {
  const dir = mkdtempSync(join(tmpdir(), "fx86-prog-"));
  try {
    return runNative(exe, [exe], {}, { cwd: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const name of PROGRAMS) {
  test(`progs: ${name}.c runs natively with deterministic output`, () => {
    const exe = compile(`tests/linux/progs/${name}.c`, `progs/${name}`, [
      "-static",
      "-Wall",
    ]);
    const first = runOnce(exe);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.stderr, "");
    assert.ok(first.stdout.length > 0);
    assert.ok(
      !first.stdout.includes(": no\n"),
      `a property failed natively:\n${first.stdout}`,
    );
    assert.equal(runOnce(exe).stdout, first.stdout);
  });
}
