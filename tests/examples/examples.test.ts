/**
 * The example guests of examples/ (docs/c-runtime.md): their manifests pass
 * under `fx86 run` with Deno and Bun and give the same root on both, and the
 * committed binaries behave natively as documented (the nesting leaf
 * computes its result; Fx86 instructions are SIGILL on real hardware).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { fx86, type Runtime } from "../support/cli.ts";
import { REPO } from "../support/guests.ts";

const runtimes: Runtime[] = ["deno", "bun"];
const MANIFESTS = ["examples/plugin/plugin.yaml", "examples/nesting/nesting.yaml"];
const roots: Record<string, Record<string, string>> = {};

for (const manifest of MANIFESTS) {
  for (const rt of runtimes) {
    test(`examples (${rt}): ${manifest} passes`, () => {
      const r = fx86(rt, ["run", "--json", manifest]);
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
    for (const rt of runtimes) r[rt] ??= JSON.parse(fx86(rt, ["run", "--json", manifest]).stdout).root;
    assert.match(r.deno, /^[0-9a-f]{64}$/);
    assert.equal(r.bun, r.deno);
  });
}

// The committed binaries, natively (this needs an x86 host).
const native = process.platform === "linux" && (process.arch === "x64" || process.arch === "ia32");

function runNative(path: string, args: string[]) {
  const r = spawnSync(join(REPO, path), args, { cwd: REPO });
  return { status: r.status, signal: r.signal, stdout: String(r.stdout) };
}

test("examples (native): the nesting leaf computes its result without fx86", () => {
  const r = runNative("examples/nesting/nest", ["2", "3"]);
  assert.equal(r.status, 0);
  assert.equal(
    r.stdout,
    "    [2] leaf: counting the primes below 100000\n    [2] leaf: 9592 primes, sum 454396537, FNV-1a 008a4749\n",
  );
}, { ignore: !native });

test("examples (native): hosts die with SIGILL at their first Fx86 instruction", () => {
  const nest = runNative("examples/nesting/nest", []);
  assert.equal(nest.signal, "SIGILL");
  assert.match(nest.stdout, /^\[0\] level 0 of 3: loading \S+\/nest into \/child as level 1\n$/);
  const plugin = runNative("examples/plugin/plugin", ["examples/plugin/message.txt.gz"]);
  assert.equal(plugin.signal, "SIGILL");
}, { ignore: !native });
