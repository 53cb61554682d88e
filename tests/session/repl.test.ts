/**
 * `fx86 repl` end to end, under Deno and Bun: the checked-in walk through
 * the nesting example, facts about it checked independently (against
 * `fx86 run --json`), script and stdin failures, and a REPL snapshot that
 * `fx86 resume` continues.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { fx86, type Runtime } from "../support/cli.ts";
import { BUSYBOX, REPO } from "../support/guests.ts";

const RUNTIMES: Runtime[] = ["deno", "bun"];
const SCRIPT = "examples/repl/nesting.fx86";
const EXPECTED = readFileSync(join(REPO, "examples/repl/nesting.out"), "utf8");

interface GuestJson {
  path: string;
  instructions: number;
  root: string;
  children: GuestJson[];
}

/** `[N] id 0xEIP: …` lines of an output, in order. */
function places(text: string) {
  return [...text.matchAll(/^\[(\d+)\] (\S+) (0x[0-9a-f]{8}): (.*)$/gm)].map((m) => ({
    position: Number(m[1]),
    id: m[2],
    eip: m[3],
    text: m[4],
  }));
}

test("repl: the nesting walk prints the checked-in output under Deno and Bun", () => {
  for (const rt of RUNTIMES) {
    const r = fx86(rt, ["repl", "examples/nesting/nesting.yaml", "--script", SCRIPT]);
    assert.equal(r.stderr, "", rt);
    assert.equal(r.status, 0, rt);
    assert.equal(r.stdout, EXPECTED, `${rt}: output differs from examples/repl/nesting.out`);
  }
});

test("repl: the walk's facts hold independently of the checked-in output", () => {
  const out = fx86("deno", ["repl", "examples/nesting/nesting.yaml", "--script", SCRIPT]).stdout;
  const p = places(out);
  // Stopped at the RUN entry: level 1 on its RUN instruction (Fx86 opcode 0f 0a 00).
  const entry = p.find((x) => x.text === "fx86 0x0")!;
  assert.equal(entry.id, "nest/fs/child");
  const i = p.indexOf(entry);
  // step: one instruction later, in level 2; back: exactly where the step started.
  assert.equal(p[i + 1].position, entry.position + 1);
  assert.equal(p[i + 1].id, "nest/fs/child/fs/child");
  assert.deepEqual(p[i + 2], entry, "back returns to the RUN entry (same position, guest and EIP)");
  // The level-2 guest's registers before its first instruction: EIP is its ELF entry point.
  const leafEntry = readFileSync(join(REPO, "examples/nesting/nest")).subarray(24, 28);
  const entryPoint = new DataView(leafEntry.buffer, leafEntry.byteOffset, 4).getUint32(0, true);
  assert.match(out, new RegExp(`eip 0x${entryPoint.toString(16).padStart(8, "0")}\\* eflags`));
  // next over the RUN: level 2 ran the whole RUN budget its parent gave it (400000, nesting.yaml's output says so).
  const afterNext = p[i + 3];
  assert.equal(afterNext.id, "nest/fs/child");
  assert.equal(afterNext.position, entry.position + 400_000 + 1);
  // The end: instruction counts and the host root equal a plain `fx86 run --json`.
  const run = JSON.parse(fx86("deno", ["run", "--json", "examples/nesting/nesting.yaml"]).stdout);
  const counts = new Map<string, number>();
  const walk = (g: GuestJson) => {
    counts.set(g.path, g.instructions);
    g.children.forEach(walk);
  };
  run.guests.forEach(walk);
  assert.equal(counts.size, 3);
  const finalGuests = out.slice(out.lastIndexOf("deleted all breakpoints"));
  for (const [path, n] of counts) {
    assert.match(finalGuests, new RegExp(`${path.replaceAll("/", "\\/")} +exited 0 +${n}\\b`), path);
  }
  assert.match(out, new RegExp(`^host root: ${run.root}$`, "m"));
  assert.equal(p[p.length - 1].position, counts.get("nest"));
});

test("repl: program arguments after -- reach the guest as they are, dashes included", () => {
  for (const rt of ["deno", "bun"] as const) {
    const r = fx86(rt, ["repl", "examples/hello/hello", "--", "-x", "--", "y"], "continue\noutput\n");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /argv\[1\] = -x\nargv\[2\] = --\nargv\[3\] = y\n/);
  }
});

test("repl: options after the program are the program's, without --; fx86's own still count; an unknown one before it is an error", () => {
  for (const rt of ["deno", "bun"] as const) {
    const script = join(mkdtempSync(join(tmpdir(), "fx86-repl-")), "s.fx86");
    writeFileSync(script, "continue\noutput\n");
    try {
      const r = fx86(rt, ["repl", "examples/hello/hello", "-x", "--y=1", "--script", script]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /argv\[1\] = -x\nargv\[2\] = --y=1\n/);
      assert.doesNotMatch(r.stdout, /argv\[3\]/);
    } finally {
      rmSync(join(script, ".."), { recursive: true, force: true });
    }
    const bad = fx86(rt, ["repl", "--bogus", "examples/hello/hello"]);
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, "fx86: unknown option '--bogus'\n");
  }
});

test("repl: --root and --stdin give a program the files and input fx86 exec gives it: same output, same state", () => {
  const dir = mkdtempSync(join(tmpdir(), "fx86-repl-root-"));
  try {
    const root = join(dir, "root");
    mkdirSync(join(root, "etc"), { recursive: true });
    writeFileSync(join(root, "list"), "pear\napple\nfig\n");
    writeFileSync(join(root, "etc", "motd"), "hi\n");
    writeFileSync(join(dir, "input"), "kiwi\nbanana\n");
    const args = [BUSYBOX, "sort", "/list", "-"];
    for (const rt of ["deno", "bun"] as const) {
      const exec = JSON.parse(fx86(rt, ["exec", "--json", "--root", root, ...args], "kiwi\nbanana\n").stdout);
      assert.equal(exec.stdout, "apple\nbanana\nfig\nkiwi\npear\n");
      const store = join(dir, `store-${rt}`);
      const r = fx86(rt, ["repl", "--store", store, "--root", root, "--stdin", join(dir, "input"), ...args], "continue\noutput\nsnapshot end\n");
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.stdout.includes(exec.stdout), r.stdout);
      const meta = JSON.parse(fx86(rt, ["snapshot", "show", "--store", store, "--json", "end"]).stdout);
      assert.equal(meta.root, exec.root, "the same guest state as exec's");
    }
    const bad = fx86("bun", ["repl", "--root", join(dir, "nothing"), ...args], "continue\n");
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^fx86: cannot read root directory .*nothing: no such file or directory\n$/);
    const manifest = fx86("bun", ["repl", "--stdin", join(dir, "input"), "examples/hello/hello.yaml"]);
    assert.equal(manifest.status, 2);
    assert.match(manifest.stderr, /--root and --stdin are for a program/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("repl: the same script twice, and from stdin, gives byte-identical output", () => {
  const a = fx86("bun", ["repl", "examples/nesting/nesting.yaml", "--script", SCRIPT]);
  const b = fx86("bun", ["repl", "examples/nesting/nesting.yaml"], readFileSync(join(REPO, SCRIPT)));
  assert.equal(a.stdout, EXPECTED);
  assert.equal(b.stdout, EXPECTED);
  assert.equal(b.status, 0);
});

test("repl: the first failing command names its file and line, exits 1, and nothing after it runs", () => {
  const dir = mkdtempSync(join(tmpdir(), "fx86-repl-"));
  try {
    const script = join(dir, "bad.fx86");
    writeFileSync(script, "# a comment\n\nstep 2\nstep two\nstep\n");
    for (const rt of RUNTIMES) {
      const r = fx86(rt, ["repl", "examples/hello/hello.yaml", "--script", script]);
      assert.equal(r.status, 1, rt);
      assert.equal(r.stderr, `fx86: ${script}:4: N must be a number such as 100, 0x40 or 5M, not "two"\n`, rt);
      assert.deepEqual(places(r.stdout).map((x) => x.position), [0, 2], rt);
      const s = fx86(rt, ["repl", "examples/hello/hello.yaml"], "guests\nfrobnicate\nstep\n");
      assert.equal(s.status, 1);
      assert.equal(s.stderr, 'fx86: <stdin>:2: unknown command "frobnicate"; type help for the list\n');
      assert.ok(!s.stdout.includes("[1] "), "the step after the failure did not run");
    }
    // No target: load inside the script; quit ends it early.
    const q = fx86("deno", ["repl"], "load examples/hello/hello.yaml\nquit\nbogus\n");
    assert.equal(q.status, 0);
    assert.match(q.stdout, /^loaded examples\/hello\/hello.yaml: 1 top-level guest \(hello\)$/m);
    // A target that cannot be loaded: one line, exit 2.
    const bad = fx86("deno", ["repl", "/nonexistent/prog"]);
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, "fx86: cannot read program /nonexistent/prog: no such file or directory\n");
    const missing = fx86("deno", ["repl", "examples/hello/hello.yaml", "--script", join(dir, "none.fx86")]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^fx86: cannot read script .*none.fx86: no such file or directory\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("repl: a snapshot taken at a breakpoint deep in the nesting resumes (in the other runtime) to the uninterrupted result", () => {
  const store = mkdtempSync(join(tmpdir(), "fx86-repl-store-"));
  try {
    const script = "break run-entry nest/fs/child/fs/child\ncontinue\nstep 1000\nsnapshot deep\n";
    const r = fx86("deno", ["repl", "--store", store, "examples/nesting/nesting.yaml"], script);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^snapshot deep: nest at instruction 12840, root [0-9a-f]{16}$/m);
    const resumed = fx86("bun", ["resume", "--store", store, "--json", "deep"]);
    assert.equal(resumed.status, 0, resumed.stderr);
    const run = JSON.parse(fx86("bun", ["run", "--json", "examples/nesting/nesting.yaml"]).stdout);
    const report = JSON.parse(resumed.stdout);
    assert.equal(report.root, run.guests[0].root);
    assert.equal(report.instructions, run.guests[0].instructions);
    // verify replays it from the session's start.
    const v = fx86("deno", ["verify", "--store", store, "deep"]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    // The REPL restores it and finishes with the same root.
    const back = fx86("bun", ["repl", "--store", store], "load examples/nesting/nesting.yaml\nrestore deep\ncontinue\nstatus\n");
    assert.equal(back.status, 0, back.stderr);
    assert.match(back.stdout, new RegExp(`^host root: ${run.root}$`, "m"));
    // Its history went with it: fx86 back travels in it, and so does a REPL after restore.
    const one = JSON.parse(fx86("bun", ["back", "--store", store, "--json", "deep", "1000"]).stdout);
    assert.equal(one.instruction, 11_840);
    const walked = fx86("deno", ["repl", "--store", store], "load examples/nesting/nesting.yaml\nrestore deep\nback 1000\nsnapshot walked\n");
    assert.equal(walked.status, 0, walked.stderr);
    assert.equal(JSON.parse(fx86("bun", ["snapshot", "show", "--store", store, "--json", "walked"]).stdout).root, one.root);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});
