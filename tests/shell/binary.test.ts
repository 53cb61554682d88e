/**
 * The standalone executable dist/fx86 (`deno task compile`): built here
 * unless a build newer than every source file exists, then run from a
 * directory with no node_modules, with a PATH holding no JavaScript
 * runtime: run, exec, repl --script and shell (in tmux) behave as the CLI
 * run from source does.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { fx86 } from "../support/cli.ts";
import { REPO } from "../support/guests.ts";
import { Terminal } from "./tmux.ts";

const BINARY = join(REPO, "dist", "fx86");

/** Newest modification time of the files the binary is built from. */
function newestSource(): number {
  let newest = 0;
  const walk = (path: string) => {
    const st = statSync(path);
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ["cli", "core", "mod.ts", "package-lock.json", "scripts/compile.ts"]) walk(join(REPO, p));
  return newest;
}

/** Builds dist/fx86 when missing or older than its sources (into a temporary name, then renamed). */
function freshBinary(): string {
  let built = 0;
  try {
    built = statSync(BINARY).mtimeMs;
  } catch { /* not built yet */ }
  if (built > newestSource()) return BINARY;
  const tmp = `${BINARY}.${process.pid}.tmp`;
  const r = spawnSync(join(REPO, "node_modules", ".bin", "bun"), ["scripts/compile.ts", tmp], { cwd: REPO, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  renameSync(tmp, BINARY);
  return BINARY;
}

/** A directory holding copies of the examples, and nothing else. */
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "fx86-bin-"));
  for (const ex of ["hello", "nesting"]) cpSync(join(REPO, "examples", ex), join(dir, ex), { recursive: true });
  return dir;
}

/** Runs the binary in `cwd` with no runtime on PATH. */
function runBinary(cwd: string, args: string[], input = "") {
  const r = spawnSync(BINARY, args, { cwd, input, encoding: "utf8", env: { PATH: "/usr/bin:/bin", HOME: cwd } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const REPL_SCRIPT = `load nesting/nesting.yaml
break run-entry nest/fs/child/fs/child
continue
step
guests
back
regs
tree ls
`;

test("standalone binary: run, exec and repl from a directory without node_modules, as from source", () => {
  freshBinary();
  const dir = scratch();
  try {
    const run = runBinary(dir, ["run", "hello/hello.yaml"]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /PASS hello\/hello\.yaml: 8 expectations hold/);

    const exec = runBinary(dir, ["exec", "hello/hello", "--", "x", "y z"]);
    assert.equal(exec.status, 0, exec.stderr);
    const fromSource = fx86("bun", ["exec", "examples/hello/hello", "--", "x", "y z"]);
    assert.equal(exec.stdout, fromSource.stdout);

    writeFileSync(join(dir, "walk.fx86"), REPL_SCRIPT);
    const repl = runBinary(dir, ["repl", "--script", "walk.fx86"]);
    assert.equal(repl.status, 0, repl.stderr);
    const sourceScript = REPL_SCRIPT.replace("load nesting/", "load examples/nesting/");
    const replSource = fx86("bun", ["repl"], sourceScript);
    assert.equal(replSource.status, 0, replSource.stderr);
    assert.equal(repl.stdout, replSource.stdout.replaceAll("examples/nesting/", "nesting/"));
    assert.match(repl.stdout, /breakpoint 1: RUN entry of nest\/fs\/child\/fs\/child/);

    const bad = runBinary(dir, ["run", "nope.yaml"]);
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr.trim().split("\n").length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("standalone binary: the shell in a terminal", async () => {
  freshBinary();
  const dir = scratch();
  const t = new Terminal(["env", "PATH=/usr/bin:/bin", BINARY, "shell", "nesting/nesting.yaml"], dir);
  try {
    await t.until((s) => s.includes("loaded nesting/nesting.yaml") && s.includes("EIP 0804a479"), "the loaded manifest");
    t.send("s");
    await t.until((s) => s.includes("EIP 0804a47b*"), "EIP after a step");
    t.send("q");
    const after = await t.until((s) => s.includes("EXITED"), "the exit");
    assert.equal(after.trim(), "EXITED 0");
  } finally {
    t.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
