/**
 * The example guests of examples/ (docs/c-runtime.md): their manifests pass
 * under `fx86 run` with Deno and Bun and give the same root on both, and the
 * committed binaries behave without fx86 as documented (the nesting leaf
 * computes its result; Fx86 instructions are SIGILL on an x86 processor),
 * on the reference of tests/support/reference.ts: natively where the kernel
 * runs i386 code, else under qemu-i386, which raises SIGILL for the
 * undefined opcode 0F 0A and dies of it as the program would.
 */
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { fx86, type Runtime } from "../support/cli.ts";
import { REPO, runReference } from "../support/guests.ts";
import { i386Runner } from "../support/reference.ts";

const runtimes: Runtime[] = ["deno", "bun"];
const MANIFESTS = ["examples/plugin/plugin.yaml", "examples/nesting/nesting.yaml"];
/** The plug-in example reads busybox from examples/bin, outside its directory (docs/manifest.md, host paths). */
const RUN = ["run", "--allow-host-paths", "--json"];
const roots: Record<string, Record<string, string>> = {};

for (const manifest of MANIFESTS) {
  for (const rt of runtimes) {
    test(`examples (${rt}): ${manifest} passes`, () => {
      const r = fx86(rt, [...RUN, manifest]);
      const report = r.stdout ? JSON.parse(r.stdout) : undefined;
      const failed = JSON.stringify(report?.guests ?? [], null, 1)
        .split("\n").filter((l) => l.includes('"ok": false') || l.includes("message")).join("\n");
      assert.equal(r.status, 0, `${r.stderr}\n${failed}`);
      assert.equal(report.ok, true);
      (roots[manifest] ??= {})[rt] = report.root;
    });
  }
  test(`examples: ${manifest} gives the same root under Deno and Bun`, () => {
    const r = roots[manifest] ?? {};
    for (const rt of runtimes) r[rt] ??= JSON.parse(fx86(rt, [...RUN, manifest]).stdout).root;
    assert.match(r.deno, /^[0-9a-f]{64}$/);
    assert.equal(r.bun, r.deno);
  });
}

// The committed binaries, without fx86.
const REFERENCE = i386Runner();

function runWithoutFx86(path: string, args: string[]) {
  const program = join(REPO, path);
  const r = runReference(program, { argv: [program, ...args] });
  return { status: r.status, signal: r.signal, stdout: new TextDecoder().decode(r.stdout) };
}

test(`examples (${REFERENCE}): the nesting leaf computes its result without fx86`, () => {
  const r = runWithoutFx86("examples/nesting/nest", ["2", "3"]);
  assert.equal(r.status, 0);
  assert.equal(
    r.stdout,
    "    [2] leaf: counting the primes below 100000\n    [2] leaf: 9592 primes, sum 454396537, FNV-1a 008a4749\n",
  );
});

test(`examples (${REFERENCE}): hosts die with SIGILL at their first Fx86 instruction`, () => {
  const nest = runWithoutFx86("examples/nesting/nest", []);
  assert.equal(nest.signal, "SIGILL");
  assert.match(nest.stdout, /^\[0\] level 0 of 3: loading \S+\/nest into \/child as level 1\n$/);
  const plugin = runWithoutFx86("examples/plugin/plugin", [join(REPO, "examples/plugin/message.txt.gz")]);
  assert.equal(plugin.signal, "SIGILL");
});
