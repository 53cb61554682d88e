/** Helpers for the store tests: temporary stores and the CLI with a chosen environment. */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CliResult, Runtime } from "../support/cli.ts";
import { REPO } from "../support/guests.ts";
import { assert } from "../harness.ts";
import type { SnapshotMeta } from "../../core/store/mod.ts";
import type { TreeNode } from "../../core/tree/mod.ts";

/** A fresh directory for a store (the store itself is created by the first writer). */
export function tempStore(): string {
  return join(mkdtempSync(join(tmpdir(), "fx86-store-")), "store");
}

/** The command line that runs a TypeScript file of the repository under a runtime. */
export function scriptArgv(rt: Runtime, file: string, args: string[]): [string, string[]] {
  const bin = join(REPO, "node_modules", ".bin", rt);
  return [bin, rt === "deno" ? ["run", "-A", file, ...args] : [file, ...args]];
}

/** `fx86 ARGS...` under a runtime, with extra environment variables and a working directory. */
export function fx86Env(
  rt: Runtime,
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; stdin?: string; prefix?: string[] } = {},
): CliResult {
  const [bin, argv] = scriptArgv(rt, join(REPO, "cli", "main.ts"), args);
  const [cmd, cmdArgs] = opts.prefix ? [opts.prefix[0], [...opts.prefix.slice(1), bin, ...argv]] : [bin, argv];
  const r = spawnSync(cmd, cmdArgs, {
    cwd: opts.cwd ?? REPO,
    input: opts.stdin ?? "",
    env: { ...process.env, ...opts.env },
    maxBuffer: 1 << 28,
  });
  if (r.error) throw r.error;
  const d = new TextDecoder();
  return { status: r.status, stdout: d.decode(r.stdout), stderr: d.decode(r.stderr), stdoutBytes: new Uint8Array(r.stdout) };
}

/** A user error: exactly one line on stderr, no stack trace. */
export function assertOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${stderr}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(stderr, /^\s+at /m);
}

/** Starts tests/store/writer.ts (snapshots a busy guest in a loop) in the background. */
export function startWriter(rt: Runtime, store: string, prefix: string, count: number) {
  return startScript(rt, join(REPO, "tests", "store", "writer.ts"), [store, prefix, String(count)]);
}

/** Starts `fx86 ARGS...` in the background (to be killed, or awaited with `done`). */
export function startFx86(rt: Runtime, args: string[]) {
  return startScript(rt, join(REPO, "cli", "main.ts"), args);
}

/** Starts a TypeScript file of the repository in the background, collecting its output. */
function startScript(rt: Runtime, file: string, args: string[]) {
  const [bin, argv] = scriptArgv(rt, file, args);
  const child = spawn(bin, argv, { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "", stderr = "";
  child.stdout.on("data", (b) => stdout += b);
  child.stderr.on("data", (b) => stderr += b);
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((ok) =>
    child.on("close", (code, signal) => ok({ code, signal, stdout, stderr }))
  );
  return { child, done, output: () => stdout };
}

/** Waits `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** Deterministic pseudo-random numbers below `n`, so a failure can be reproduced. */
export function lcg(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
}

/** Snapshot metadata for a tree written by a test (no run behind it). */
export function meta(root: Pick<TreeNode, "hash">): SnapshotMeta {
  return {
    root: root.hash,
    origin: null,
    start: null,
    budget_used: 0,
    instructions: 0,
    status: "budget",
    time_ms: 0,
    runtime: "deno",
    created: "2026-01-01T00:00:00.000Z",
  };
}
