/**
 * `fx86 run` end to end, as a user runs it, under Deno and Bun, with the real
 * engine: the hello manifest, sub-guests three levels deep, failing
 * expectations, `--json`, and bad manifests (one line, exit status 2).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { nasmProgram } from "../support/build.ts";
import { fx86, type Runtime } from "../support/cli.ts";
import { REPO } from "../support/guests.ts";

const runtimes: Runtime[] = ["deno", "bun"];
const HELLO = join(REPO, "examples", "hello", "hello");

/** A scratch directory with a manifest (and whatever else is written into it). */
function scratch(manifest: string, files: Record<string, string> = {}): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "fx86-run-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const file = join(dir, "m.yaml");
  writeFileSync(file, manifest);
  return { dir, file };
}

function runner(budget: number): string {
  return nasmProgram(join(REPO, "tests/manifest/guests/runner.asm"), `runner-${budget}`, { BUDGET: String(budget) });
}

/** Three levels: top runs /guests/child (a runner), which runs its /guests/child (hello). */
function nested(expectTop = "{status: exited, exit_code: 0}"): string {
  return `
guests:
  top:
    program: ${runner(50_000_000)}
    files:
      /guests/child:
        guest:
          program: ${runner(50_000_000)}
          files:
            /guests/child:
              guest:
                program: ${HELLO}
                args: [deep]
                expect: {status: exited, stdout_contains: "argv[1] = deep\\n"}
          expect: {status: exited, exit_code: 0, stdout: "ran child\\n"}
      /guests/idle:
        guest: {program: ${HELLO}, expect: {status: new}}
    expect: ${expectTop}
`;
}

const roots: Record<string, string[]> = {};

for (const rt of runtimes) {
  test(`fx86 run (${rt}): the hello manifest passes`, () => {
    const r = fx86(rt, ["run", "examples/hello/hello.yaml"]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.equal(r.stderr, "");
    const lines = r.stdout.trimEnd().split("\n");
    assert.match(lines[0], /^hello {2}exited 0 {2}[\d,]+ instructions {2}root [0-9a-f]{12}$/);
    assert.ok(lines.slice(1, -2).every((l) => l.startsWith("  ok    ")), r.stdout);
    assert.match(lines.at(-2)!, /^root [0-9a-f]{64}$/);
    assert.match(lines.at(-1)!, /^PASS examples\/hello\/hello\.yaml: \d+ expectations hold \(1 guest\)$/);
    const j = JSON.parse(fx86(rt, ["run", "--json", "examples/hello/hello.yaml"]).stdout);
    assert.equal(j.ok, true);
    assert.equal(j.guests[0].path, "hello");
    assert.equal(j.guests[0].status, "exited");
    (roots.hello ??= []).push(j.root);
  });

  test(`fx86 run (${rt}): sub-guests three levels deep, --json`, () => {
    const { file } = scratch(nested());
    const r = fx86(rt, ["run", "--allow-host-paths", "--json", file]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(j), ["ok", "root", "guests"]);
    assert.equal(j.ok, true);
    const keys = ["path", "status", "exit_code", "instructions", "root", "expectations", "children"];
    const shape = (g: Record<string, unknown>): unknown => {
      assert.deepEqual(Object.keys(g), keys);
      assert.match(g.root as string, /^[0-9a-f]{64}$/);
      return [g.path, g.status, g.exit_code, (g.children as Record<string, unknown>[]).map(shape)];
    };
    assert.deepEqual(j.guests.map(shape), [
      ["top", "exited", 0, [
        ["top/fs/guests/child", "exited", 0, [
          ["top/fs/guests/child/fs/guests/child", "exited", 0, []],
        ]],
        ["top/fs/guests/idle", "new", null, []],
      ]],
    ]);
    // Budgets nest: each level is charged its sub-guests' instructions.
    const top = j.guests[0], mid = top.children[0], leaf = mid.children[0];
    assert.ok(top.instructions > mid.instructions && mid.instructions > leaf.instructions && leaf.instructions > 1000);
    assert.equal(top.children[1].instructions, 0);
    (roots.nested ??= []).push(j.root);
  });

  test(`fx86 run (${rt}): failing expectations give exit status 1 and say why`, () => {
    const { file } = scratch(nested("{exit_code: 3, stdout: \"ran child\\n\"}"));
    const r = fx86(rt, ["run", "--allow-host-paths", file]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^ {2}FAIL {2}exit code: expected 3, got 0 {2}\(.*m\.yaml:18:14\)$/m);
    assert.match(r.stdout, /^ {2}ok {4}stdout is as expected \(10 bytes\)$/m);
    assert.match(r.stdout, /\nFAIL .*m\.yaml: 1 of \d+ expectations failed \(4 guests\)\n$/);
    const j = JSON.parse(fx86(rt, ["run", "--allow-host-paths", "--json", file]).stdout);
    assert.equal(j.ok, false);
  });

  test(`fx86 run (${rt}): a budget that runs out inside a sub-guest`, () => {
    const { file } = scratch(`
guests:
  top:
    program: ${runner(50_000_000)}
    budget: 5000
    files:
      /guests/child: {guest: {program: ${HELLO}, expect: {status: budget}}}
    expect: {status: budget, instructions: 5000}
`);
    const r = fx86(rt, ["run", "--allow-host-paths", "--json", file]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.guests[0].children[0].status, "budget");
  });

  test(`fx86 run (${rt}): bad manifests give one line, file:line:column, exit status 2`, () => {
    const cases: [string, string][] = [
      ["guests:\n  a:\n\tprogram: p\n", "3:1: YAML syntax error: Tabs are not allowed as indentation"],
      ["guests:\n  a:\n    program: p\n    args: 5\n", "4:11: guests.a.args: expected a list of strings, got 5"],
      [
        "guests:\n  a:\n    program: p\n    files:\n      /g: {guest: {program: p, argz: []}}\n",
        `5:32: guests.a.files["/g"].guest: unknown key "argz"`,
      ],
      ["guests:\n  a:\n    args: []\n", `2:3: guests.a: missing required key "program"`],
      ["guests:\n  a:\n    program: nope\n", `3:14: guests.a.program: program "nope"`],
      ["guests:\n  a:\n    program: sub\n", `3:14: guests.a.program: program "sub"`],
      ["guests:\n  a:\n    program: p\n    budget: -10\n", "4:13: guests.a.budget: expected a non-negative instruction count"],
      ["guests:\n  a:\n    program: p\n    files: {/a/../b: {text: x}}\n", `4:13: guests.a.files: bad key "/a/../b"`],
      ["guests:\n  a:\n    program: p\n", `3:14: guests.a.program: program "p"`], // not an ELF
    ];
    for (const [text, message] of cases) {
      const { file } = scratch(text, { p: "not an ELF\n", "sub/x": "" });
      const r = fx86(rt, ["run", "--allow-host-paths", file]);
      assert.equal(r.status, 2, `${text}\n${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, "");
      const lines = r.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.ok(lines[0].startsWith(`${file}:${message}`), `${lines[0]}\ndoes not start with\n${file}:${message}`);
      assert.doesNotMatch(r.stderr, /^\s+at /m);
    }
    const missing = fx86(rt, ["run", "/nonexistent/m.yaml"]);
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr, "fx86: cannot read manifest /nonexistent/m.yaml: no such file or directory\n");
  });
}

test("fx86 run: the same roots under Deno and Bun", () => {
  for (const [name, list] of Object.entries(roots)) {
    assert.equal(list.length, 2, name);
    assert.equal(list[0], list[1], name);
  }
  assert.deepEqual(Object.keys(roots).sort(), ["hello", "nested"]);
});
