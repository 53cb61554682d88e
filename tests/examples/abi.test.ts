/**
 * The Fx86 ABI (docs/abi.md) as C guests use it through
 * examples/include/fx86.h: tests/examples/abi.c, built freestanding (with
 * the runtime of examples/include) and with static glibc, runs its checks
 * under `fx86 exec` with Deno and Bun.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { fx86, type Runtime } from "../support/cli.ts";
import { BUILD, REPO } from "../support/guests.ts";

const INCLUDE = join(REPO, "examples", "include");
const SRC = join(REPO, "tests", "examples", "abi.c");
const COMMON = ["-m32", "-static", "-O2", "-fno-pie", "-no-pie", "-Wall", `-I${INCLUDE}`];
const BUILDS: Record<string, string[]> = {
  freestanding: [
    ...COMMON, "-nostdlib", "-ffreestanding", "-fno-stack-protector", "-fno-tree-loop-distribute-patterns",
    "-DFREESTANDING", SRC, join(INCLUDE, "fx86_rt.c"), join(INCLUDE, "fx86_start.S"), "-lgcc",
  ],
  glibc: [...COMMON, SRC],
};
const DEPS = [SRC, ...["fx86.h", "fx86_rt.h", "fx86_rt.c", "fx86_start.S"].map((f) => join(INCLUDE, f))];

/** Builds abi.c one way (into tests/.build/) and returns the binary's path. */
function build(kind: string): string {
  mkdirSync(BUILD, { recursive: true });
  const out = join(BUILD, `abi-${kind}`);
  const newest = Math.max(...DEPS.map((f) => statSync(f).mtimeMs));
  if (!existsSync(out) || statSync(out).mtimeMs < newest) {
    try {
      execFileSync("gcc", [...BUILDS[kind], "-o", out], { stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      const err = e as { code?: string; stderr?: Uint8Array };
      if (err.code === "ENOENT") throw new Error("gcc is not installed: run tests/prepare.sh (npm test does)");
      throw new Error(`gcc failed: ${new TextDecoder().decode(err.stderr ?? new Uint8Array())}`);
    }
  }
  return out;
}

/** abi.c's output under fx86 (one run per build and runtime). */
const outputs = new Map<string, { stdout: string; stderr: string; status: number | null }>();
function run(kind: string, rt: Runtime) {
  const key = `${kind} ${rt}`;
  if (!outputs.has(key)) {
    const bin = build(kind);
    // The guest finds its own ELF at /abi, to LOAD it as sub-guests.
    const root = mkdtempSync(join(tmpdir(), "fx86-abi-"));
    copyFileSync(bin, join(root, "abi"));
    outputs.set(key, fx86(rt, ["exec", "--root", root, "--argv0", "/abi", bin]));
  }
  return outputs.get(key)!;
}

/**
 * Known to fail: after a run split by BUDGET_IN_RUN stops, the sub-guest
 * host's `fsmeta` differs from the one-run state (the sub-guest directory
 * gets a new inode number at every write-back of its partial state), so
 * the final state depends on how the budget was split — docs/abi.md says it
 * must not. Checked by its own test, ignored until the engine keeps them
 * equal.
 */
const KNOWN = /^FAIL .*: reaching the same state \(hash\)$/;
const FIXED_SAME_STATE = true;

for (const kind of Object.keys(BUILDS)) {
  for (const rt of ["deno", "bun"] as Runtime[]) {
    test(`abi (${rt}): fx86.h, ${kind} build`, () => {
      const r = run(kind, rt);
      const fails = r.stdout.split("\n").filter((l) => l.startsWith("FAIL"));
      assert.deepEqual(fails.filter((l) => !KNOWN.test(l)), [], r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`\n${fails.length} failures\n$`), r.stdout + r.stderr);
      assert.equal(r.status, fails.length, r.stderr);
      assert.match(r.stdout, /^ok {3}with BUDGET_IN_RUN stops \(\d+\)$/m);
      assert.match(r.stdout, /^ok {3}using the same budget \((\d+), \1\)$/m);
    });

    test(`abi (${rt}): fx86.h, ${kind} build: a split run reaches the same state`, () => {
      assert.match(run(kind, rt).stdout, /^ok {3}reaching the same state \(hash\)$/m);
    }, { ignore: !FIXED_SAME_STATE });
  }
}
