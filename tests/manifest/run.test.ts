/**
 * Running manifests and checking expectations, with the stand-in VM: which
 * checks pass and fail, sub-guests found in final trees, the JSON and text
 * reports.
 */
import { createHash } from "node:crypto";
import {
  buildManifest,
  formatReport,
  loadManifest,
  memoryHostFiles,
  reportJson,
  runManifest,
  type RunResult,
} from "../../core/manifest/mod.ts";
import { get } from "../../core/tree/mod.ts";
import { assert, test } from "../harness.ts";
import { fakeCalls, fakeProgram, fakeVm } from "./fake-vm.ts";

const host = memoryHostFiles({
  "/m/echo": fakeProgram({ steps: 100, stdout: "$@\n" }),
  "/m/fail": fakeProgram({ steps: 5, exit: 3, stderr: "oops\n" }),
  "/m/crash": fakeProgram({ steps: 7, fault: "page" }),
  "/m/writer": fakeProgram({ steps: 20, write: { "/out/result.txt": "42\n" } }),
  "/m/parent": fakeProgram({ steps: 30, stdout: "parent\n", run: [["/guests/child", 1000]] }),
  "/m/forever": fakeProgram({ steps: 1e12 }),
});

function run(text: string, chunk?: number): RunResult {
  const built = buildManifest(loadManifest("/m/m.yaml", text), { vm: fakeVm, host });
  return runManifest(built, { vm: fakeVm, chunk });
}

function messages(r: RunResult, path = r.guests[0].path): [boolean, string][] {
  const find = (gs: RunResult["guests"]): RunResult["guests"][number] | undefined => {
    for (const g of gs) {
      if (g.path === path) return g;
      const c = find(g.children);
      if (c) return c;
    }
  };
  return find(r.guests)!.checks.map((c) => [c.ok, c.message]);
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

test("manifest run: without expect, a top-level guest must exit with status 0", () => {
  const ok = run("guests:\n  a: {program: echo, args: [hi]}\n");
  assert.equal(ok.ok, true);
  assert.deepEqual(messages(ok), [[true, "status is exited"], [true, "exit code is 0"]]);
  const bad = run("guests:\n  a: {program: fail}\n");
  assert.equal(bad.ok, false);
  assert.deepEqual(messages(bad), [[true, "status is exited"], [false, "exit code: expected 0, got 3"]]);
  const none = run("guests:\n  a: {program: fail, expect: {}}\n");
  assert.equal(none.ok, true);
  assert.deepEqual(messages(none), []);
});

test("manifest run: status, exit code, fault, instructions, output", () => {
  const r = run(`
guests:
  a:
    program: echo
    args: [hello, world]
    expect:
      status: exited
      exit_code: 0
      instructions: 100
      stdout: "hello world\\n"
      stdout_sha256: ${sha("hello world\n")}
      stdout_contains: [hello, world]
      stderr: ""
  b:
    program: crash
    expect: {status: fault, fault: page, instructions: 7}
  c:
    program: fail
    expect: {stderr_contains: oops, stderr_sha256: ${sha("oops\n")}}
`);
  assert.equal(r.ok, true, JSON.stringify(r.guests.map((g) => g.checks)));
  assert.deepEqual(messages(r, "a"), [
    [true, "status is exited"],
    [true, "exit code is 0"],
    [true, "instructions: 100"],
    [true, "stdout is as expected (12 bytes)"],
    [true, `stdout sha256 is ${sha("hello world\n").slice(0, 12)}…`],
    [true, `stdout contains "hello"`],
    [true, `stdout contains "world"`],
    [true, "stderr is as expected (0 bytes)"],
  ]);
  assert.deepEqual(messages(r, "b"), [[true, "status is fault"], [true, "fault is page"], [true, "instructions: 7"]]);
});

test("manifest run: failing expectations say what was found instead", () => {
  const r = run(`
guests:
  a:
    program: echo
    args: [hello, world]
    expect:
      status: budget
      exit_code: 1
      fault: divide
      instructions: 99
      stdout: "hello there\\n"
      stdout_sha256: "${"0".repeat(64)}"
      stdout_contains: bye
      root: "${"1".repeat(64)}"
  b:
    program: crash
    expect: {exit_code: 0}
`);
  assert.equal(r.ok, false);
  const root = r.guests[0].root;
  assert.deepEqual(messages(r, "a"), [
    [false, "status: expected budget, got exited 0"],
    [false, "exit code: expected 1, got 0"],
    [false, "fault: expected divide, got no fault (exited 0)"],
    [false, "instructions: expected 99, got 100"],
    [false, `root: expected ${"1".repeat(64)}, got ${root}`],
    [false, `stdout: expected "hello there\\n" (12 bytes), got "hello world\\n" (12 bytes); first difference at byte 6`],
    [false, `stdout sha256: expected ${"0".repeat(64)}, got ${sha("hello world\n")}`],
    [false, `stdout does not contain "bye"`],
  ]);
  assert.deepEqual(messages(r, "b"), [[false, "exit code: expected 0, got no exit code (fault (page at 0x08048000))"]]);
});

test("manifest run: file expectations", () => {
  const r = run(`
guests:
  a:
    program: writer
    files:
      /in/data: {text: "abc"}
    expect:
      files:
        /out/result.txt: {text: "42\\n", sha256: ${sha("42\n")}, exists: true}
        /in/data: {text: "abd"}
        /in: {text: "x"}
        /nothing: {exists: false}
        /missing: {sha256: ${"a".repeat(64)}}
        /out: {tree: ${"b".repeat(64)}}
`);
  assert.deepEqual(messages(r), [
    [true, "/out/result.txt exists"],
    [true, "/out/result.txt has the expected text (3 bytes)"],
    [true, `/out/result.txt sha256 is ${sha("42\n").slice(0, 12)}…`],
    [false, `/in/data: expected "abd" (3 bytes), got "abc" (3 bytes); first difference at byte 2`],
    [false, "/in: expected a file, but it is a directory"],
    [true, "/nothing does not exist"],
    [false, "/missing: expected a file, but nothing is there"],
    [false, `/out tree hash: expected ${"b".repeat(64)}, got ${get(r.tree, "a/fs/out").hash}`],
  ]);
  assert.equal(r.ok, false);
});

test("manifest run: sub-guests are found in final trees and checked", () => {
  const r = run(`
guests:
  p:
    program: parent
    files:
      /guests/child:
        guest:
          program: echo
          args: [from, child]
          files:
            /guests/grandchild: {guest: {program: echo, expect: {status: new}}}
          expect: {status: exited, stdout: "from child\\n", instructions: 100}
      /guests/idle:
        guest: {program: echo, expect: {status: new, instructions: 0}}
    expect:
      instructions: 130
      stdout: "parent\\n"
      guests:
        /guests/child: {exit_code: 0}
        /guests/absent: {status: new}
`);
  const j = reportJson(r);
  const shape = (g: (typeof j.guests)[number]): unknown => [g.path, g.status, g.children.map(shape)];
  assert.deepEqual(j.guests.map(shape), [
    ["p", "exited", [
      ["p/fs/guests/child", "exited", [["p/fs/guests/child/fs/guests/grandchild", "new", []]]],
      ["p/fs/guests/idle", "new", []],
    ]],
  ]);
  assert.deepEqual(messages(r, "p"), [
    [true, "instructions: 130"],
    [true, "stdout is as expected (7 bytes)"],
    [false, "no sub-guest at /guests/absent"],
  ]);
  assert.deepEqual(messages(r, "p/fs/guests/child"), [
    [true, "exit code is 0"], // the parent's expect.guests first
    [true, "status is exited"],
    [true, "instructions: 100"],
    [true, "stdout is as expected (11 bytes)"],
  ]);
  assert.deepEqual(messages(r, "p/fs/guests/child/fs/guests/grandchild"), [[true, "status is new"]]);
  assert.equal(r.ok, false);
});

test("manifest run: budgets, in chunks, give the same result as one run", () => {
  const text = "guests:\n  a: {program: forever, budget: 1M, expect: {status: budget, instructions: 1000000}}\n";
  fakeCalls.runs.length = 0;
  const one = run(text);
  assert.deepEqual(fakeCalls.runs, [1_000_000]);
  fakeCalls.runs.length = 0;
  const chunked = run(text, 300_000);
  assert.deepEqual(fakeCalls.runs, [300_000, 300_000, 300_000, 100_000]);
  assert.equal(one.ok, true);
  assert.equal(one.root, chunked.root);
  fakeCalls.runs.length = 0;
  run("guests:\n  a: {program: echo}\n", 30);
  assert.deepEqual(fakeCalls.runs, [30, 30, 30, 30]); // no budget: runs until it stops
});

test("manifest run: the JSON report", () => {
  const r = run("guests:\n  a: {program: echo, args: [x]}\n  b: {program: crash, expect: {status: fault}}\n");
  const j = JSON.parse(JSON.stringify(reportJson(r)));
  assert.deepEqual(Object.keys(j), ["ok", "root", "guests"]);
  assert.equal(j.ok, true);
  assert.match(j.root, /^[0-9a-f]{64}$/);
  assert.equal(j.root, r.tree.hash);
  assert.deepEqual(j.guests[0], {
    path: "a",
    status: "exited",
    exit_code: 0,
    instructions: 100,
    root: r.tree.get("a")!.hash,
    expectations: [
      { ok: true, message: "status is exited", line: 2, column: 3 },
      { ok: true, message: "exit code is 0", line: 2, column: 3 },
    ],
    children: [],
  });
  assert.deepEqual(j.guests[1].fault, { kind: "page", eip: "0x08048000", address: "0x00000000", detail: "fake" });
  assert.equal(j.guests[1].exit_code, null);
});

test("manifest run: the readable report", () => {
  const r = run(`
guests:
  p:
    program: parent
    files:
      /guests/child: {guest: {program: echo, args: [c]}}
    expect: {exit_code: 1}
`);
  const lines = formatReport(r, "m.yaml").split("\n");
  const root = (path: string) => {
    const all = [r.guests[0], ...r.guests[0].children];
    return all.find((g) => g.path === path)!.root.slice(0, 12);
  };
  assert.deepEqual(lines, [
    `p  exited 0  130 instructions  root ${root("p")}`,
    "  FAIL  exit code: expected 1, got 0  (/m/m.yaml:7:14)",
    `  p/fs/guests/child  exited 0  100 instructions  root ${root("p/fs/guests/child")}`,
    `root ${r.root}`,
    "FAIL m.yaml: 1 of 1 expectation failed (2 guests)",
    "",
  ]);
  const ok = formatReport(run("guests:\n  a: {program: forever, budget: 1234567, expect: {status: budget}}\n"), "m.yaml");
  assert.match(ok, /^a {2}budget {2}1,234,567 instructions {2}root [0-9a-f]{12}\n {2}ok {4}status is budget\nroot [0-9a-f]{64}\nPASS m\.yaml: 1 expectation holds \(1 guest\)\n$/);
});
