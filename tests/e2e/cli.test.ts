/** `fx86 exec` end to end, as a user runs it, under both runtimes. */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { Terminal } from "../shell/tmux.ts";
import { cProgram, nasmProgram } from "../support/build.ts";
import { fx86, type Runtime } from "../support/cli.ts";
import { BUSYBOX, busybox, pseudoRandom, pseudoText, REPO } from "../support/guests.ts";

const HELLO = "examples/hello/hello";
const runtimes: Runtime[] = ["deno", "bun"];

/** A user error or guest stop: exactly one line on stderr, no stack trace. */
function assertOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${stderr}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(stderr, /^\s+at /m);
}

for (const rt of runtimes) {
  test(`cli (${rt}): exec runs the bundled example with arguments`, () => {
    const r = fx86(rt, ["exec", HELLO, "one", "two words"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Hello from an fx86 guest!\nargv\[1\] = one\nargv\[2\] = two words\n/);
    assert.match(r.stdout, /sum 1\/k\^2 for k <= 1000 = 1\.643934566681560\n/);
  });

  test(`cli (${rt}): a reader that goes away (| head) ends fx86 quietly with SIGPIPE's status`, () => {
    const bin = join(REPO, "node_modules", ".bin", rt);
    const cmd = `${bin} ${rt === "deno" ? "run -A " : ""}cli/main.ts exec ${BUSYBOX} seq 200000 | head -1; ` +
      `echo "status \${PIPESTATUS[0]}" >&2`;
    const r = spawnSync("bash", ["-c", cmd], { cwd: REPO, encoding: "utf8" });
    assert.equal(r.stdout, "1\n");
    assert.equal(r.stderr, "status 141\n", "no stack trace, nothing but the status");
  });

  test(`cli (${rt}): exit status, stdin and --root pass through`, () => {
    const root = mkdtempSync(join(tmpdir(), "fx86-root-"));
    mkdirSync(join(root, "etc"));
    writeFileSync(join(root, "etc", "list"), "b\na\nc\n");
    const sorted = fx86(rt, ["exec", "--root", root, BUSYBOX, "sort", "/etc/list"]);
    assert.equal(sorted.stdout, "a\nb\nc\n");
    assert.equal(sorted.status, 0);
    assert.equal(fx86(rt, ["exec", BUSYBOX, "false"]).status, 1);
    const wc = fx86(rt, ["exec", BUSYBOX, "wc", "-c"], "12345");
    assert.equal(wc.stdout.trim(), "5");
    const missing = fx86(rt, ["exec", BUSYBOX, "cat", "/nope"]);
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr, "cat: can't open '/nope': No such file or directory\n");
  });

  test(`cli (${rt}): --json reports the run`, () => {
    const r = fx86(rt, ["exec", "--json", BUSYBOX, "md5sum"], "hello\n");
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.status, "exited");
    assert.equal(j.exit_code, 0);
    assert.equal(j.stdout, "b1946ac92492d2347c6235b4d2611184  -\n");
    assert.equal(j.stderr, "");
    assert.equal(j.stdout_sha256, createHash("sha256").update(j.stdout).digest("hex"));
    assert.ok(Number.isSafeInteger(j.instructions) && j.instructions > 1000);
    assert.match(j.root, /^[0-9a-f]{64}$/);
    assert.equal(j.fault, undefined);
  });

  test(`cli (${rt}): --budget stops after exactly N instructions`, () => {
    for (const n of [1, 1000, 12_345]) {
      const j = JSON.parse(fx86(rt, ["exec", "--json", "--budget", String(n), HELLO]).stdout);
      assert.equal(j.status, "budget");
      assert.equal(j.instructions, n);
      assert.equal(j.exit_code, null);
    }
    const r = fx86(rt, ["exec", "--budget", "5k", HELLO]);
    assert.equal(r.status, 124);
    assertOneLine(r.stderr, /^fx86: budget exhausted after 5000 instructions at eip 0x[0-9a-f]{8}$/);
  });

  test(`cli (${rt}): --trace logs system calls`, () => {
    const r = fx86(rt, ["exec", "--trace", BUSYBOX, "echo", "hi"]);
    assert.equal(r.stdout, "hi\n");
    assert.match(r.stderr, /^\[fx86\] write\(1, "hi\\n", 3\) = 3$/m);
    assert.match(r.stderr, /^\[fx86\] exit_group\(0\) = \?$/m);
  });

  test(`cli (${rt}): help on every command, clear errors for bad flags`, () => {
    for (const args of [["--help"], ["exec", "--help"]]) {
      const r = fx86(rt, args);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /Usage: fx86/);
    }
    const bad = fx86(rt, ["exec", "--budget", "-5", HELLO]);
    assert.equal(bad.status, 2);
    assertOneLine(bad.stderr, /option '--budget <n>' argument '-5' is invalid/);
    const unknown = fx86(rt, ["exec", "--bogus", HELLO]);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown option '--bogus'/);
    const cmd = fx86(rt, ["frobnicate"]);
    assert.equal(cmd.status, 2);
    assert.match(cmd.stderr, /unknown command 'frobnicate'/);
  });
}

test("cli: bad programs get one line and exit status 2", () => {
  const dir = mkdtempSync(join(tmpdir(), "fx86-bad-"));
  const garbage = join(dir, "garbage");
  writeFileSync(garbage, pseudoRandom(4096, 5));
  const truncated = join(dir, "truncated");
  writeFileSync(truncated, busybox().subarray(0, 100));
  const empty = join(dir, "empty");
  writeFileSync(empty, "");
  const cases: [string[], RegExp][] = [
    [["exec", garbage], /^fx86: .*garbage: not an ELF file/],
    [["exec", truncated], /^fx86: .*truncated: .*truncated/],
    [["exec", empty], /^fx86: .*empty: /],
    [["exec", join(dir, "missing")], /^fx86: cannot read program .*missing: no such file or directory$/],
    [["exec", dir], /^fx86: cannot read program .*: is a directory$/],
    [["exec", "--root", join(dir, "nope"), BUSYBOX, "true"], /^fx86: cannot read root directory .*nope: no such file/],
  ];
  for (const rt of runtimes) {
    for (const [args, pattern] of cases) {
      const r = fx86(rt, args);
      assert.equal(r.status, 2, `${rt} ${args.join(" ")}: ${r.stderr}`);
      assertOneLine(r.stderr, pattern);
      assert.equal(r.stdout, "");
    }
  }
});

test("cli: misbehaving guests stop with a fault status, never a host crash", () => {
  const src = "tests/e2e/guests/faults.asm";
  const cases: [string, number, string, RegExp][] = [
    ["jump_unmapped", 139, "page", /instruction fetch from unmapped address 0x12345678/],
    ["undefined", 132, "undefined-opcode", /undefined opcode 0f 0b/],
    ["fx86_undefined", 132, "undefined-opcode", /undefined Fx86 function 0x7f/],
    ["privileged", 132, "privileged", /hlt/],
    ["divide", 136, "divide", /division by zero/],
    ["write_text", 139, "page", /write to protected address/],
    ["stack_overflow", 139, "page", /write to unmapped address/],
  ];
  for (const [name, status, kind, detail] of cases) {
    const prog = nasmProgram(src, `fault-${name}`, { FAULT: name });
    for (const rt of runtimes) {
      const r = fx86(rt, ["exec", prog]);
      assert.equal(r.status, status, `${name} (${rt}): ${r.stderr}`);
      assertOneLine(r.stderr, new RegExp(`^fx86: guest fault \\(${kind}\\) at eip 0x[0-9a-f]{8}`));
      assert.match(r.stderr, detail);
      const j = JSON.parse(fx86(rt, ["exec", "--json", prog]).stdout);
      assert.equal(j.status, "fault");
      assert.equal(j.fault.kind, kind);
    }
  }
  const spin = nasmProgram(src, "fault-spin", { FAULT: "spin" });
  const j = JSON.parse(fx86("deno", ["exec", "--json", "--budget", "1000000", spin]).stdout);
  assert.equal(j.status, "budget");
  assert.equal(j.instructions, 1_000_000);
});

test("cli: the same run gives the same root and count under Deno and Bun", () => {
  const root = mkdtempSync(join(tmpdir(), "fx86-det-"));
  writeFileSync(join(root, "in.txt"), pseudoText(50_000));
  const runs = [
    ["exec", "--json", "--root", root, BUSYBOX, "gzip", "-c", "/in.txt"],
    ["exec", "--json", HELLO, "x"],
    ["exec", "--json", "--budget", "77777", BUSYBOX, "sha256sum", "/in.txt"],
  ];
  for (const args of runs) {
    const [a, b, c] = [fx86("deno", args), fx86("bun", args), fx86("deno", args)];
    const [ja, jb, jc] = [a, b, c].map((r) => JSON.parse(r.stdout));
    assert.equal(ja.root, jb.root, `Deno vs Bun: ${args.join(" ")}`);
    assert.equal(ja.root, jc.root, `repeat: ${args.join(" ")}`);
    assert.equal(ja.instructions, jb.instructions);
    assert.equal(ja.stdout_sha256, jb.stdout_sha256);
  }
});

test("cli: --version is package.json's; --help lists the exit statuses; run given a program points to exec; goto past the end says where the run ends", () => {
  const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
  const store = mkdtempSync(join(tmpdir(), "fx86-conv-"));
  assert.equal(fx86("bun", ["exec", "--store", store, "--save", "a", "examples/hello/hello"]).status, 0);
  for (const rt of runtimes) {
    assert.equal(fx86(rt, ["--version"]).stdout, pkg.version + "\n", rt);
    const help = fx86(rt, ["--help"]).stdout;
    assert.match(help, /^Exit statuses:$/m);
    for (const status of ["124", "139", "141"]) assert.ok(help.includes(status), `${rt}: --help names ${status}`);
    const run = fx86(rt, ["run", "examples/hello/hello"]);
    assert.equal(run.status, 2);
    assertOneLine(run.stderr, /^fx86: examples\/hello\/hello is a program, not a manifest: run it with fx86 exec examples\/hello\/hello$/);
    const past = fx86(rt, ["goto", "--store", store, "a", "99999999"]);
    assert.equal(past.status, 0, past.stderr);
    assert.match(past.stdout, /^instruction (\d+)\n/);
    const end = /^instruction (\d+)/.exec(past.stdout)![1];
    assertOneLine(past.stderr, new RegExp(`^fx86: the run ends at instruction ${end} \\(exited\\), before instruction 99999999$`));
  }
});

test("exec --env, --stdin FILE and --seed reach the guest", () => {
  const dir = mkdtempSync(join(tmpdir(), "fx86-exec-opts-"));
  const input = join(dir, "input");
  writeFileSync(input, "from a file\n");
  const random = cProgram("tests/e2e/guests/random.c", "random");
  for (const rt of runtimes) {
    const env = fx86(rt, ["exec", "--env", "FOO=bar", "--env", "LANG=C.UTF-8", "--env", "FOO=baz", BUSYBOX, "env"]);
    assert.equal(env.stdout, "PATH=/bin:/usr/bin\nHOME=/\nTERM=dumb\nFOO=baz\nLANG=C.UTF-8\n", rt);
    assert.equal(fx86(rt, ["exec", "--stdin", input, BUSYBOX, "cat"], "not this\n").stdout, "from a file\n");
    const draws = (seed: string[]) => {
      const r = fx86(rt, ["exec", ...seed, random]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^[0-9a-f]{32} [0-9a-f]{32}\n$/);
      return r.stdout;
    };
    const [plain, x, x2, y] = [draws([]), draws(["--seed", "x"]), draws(["--seed", "x"]), draws(["--seed", "y"])];
    assert.equal(x, x2, "the same seed, the same bytes");
    assert.equal(new Set([plain, x, y]).size, 3, "another seed, other bytes");
    assert.equal(draws(["--seed", "fx86"]), plain, "the default seed is fx86");
    const bad = fx86(rt, ["exec", "--env", "nope", BUSYBOX, "true"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--env .*'nope' is invalid\. expected NAME=VALUE/);
    const missing = fx86(rt, ["exec", "--stdin", join(dir, "missing"), BUSYBOX, "true"]);
    assert.equal(missing.status, 2);
    assertOneLine(missing.stderr, /^fx86: cannot read stdin file .*missing: no such file or directory$/);
  }
});

test("exec on a terminal: a progress line on stderr while a long run goes on, erased at the end", async () => {
  const nest = cProgram("tests/bench/nest.c", "nest");
  const bun = join(REPO, "node_modules", ".bin", "bun");
  // About 5*10^9 instructions of work, stopped by the budget after a few seconds.
  const t = new Terminal([bun, "cli/main.ts", "exec", "--budget", "1500000000", nest, "0", "400000000"], REPO, 100, 10);
  try {
    await t.until((s) => /^running nest: [\d,]+ of 1,500,000,000 instructions$/m.test(s), "the progress line");
    const end = await t.until((s) => s.includes("EXITED"), "the end", 60_000);
    // The stop and the exit status, and no progress line left behind.
    assert.match(end.trim(), /^fx86: budget exhausted after 1500000000 instructions at eip 0x[0-9a-f]{8}\nEXITED 124$/);
  } finally {
    t.close();
  }
});
