/**
 * Bad manifests: every class of mistake gives exactly one line,
 * `file:line:column: where: what was expected`.
 */
import { buildManifest, loadManifest, ManifestError, memoryHostFiles } from "../../core/manifest/mod.ts";
import { assert, test } from "../harness.ts";
import { fakeProgram, fakeVm } from "./fake-vm.ts";

const host = memoryHostFiles({
  "/m/prog": fakeProgram({}),
  "/m/data/a.txt": "a",
  "/m/notelf": "hello",
  "/m/empty/": "",
});

/** The one error a manifest gives (loading and building it), or "no error". */
export function errorOf(text: string): string {
  try {
    buildManifest(loadManifest("/m/m.yaml", text), { vm: fakeVm, host });
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    return e.message;
  }
  return "no error";
}

const G = "guests:\n  a:\n    program: prog\n";
const BUDGET = "expected a non-negative instruction count such as 1000000, 1_000_000 or 10M";
const GUEST_PATH = `expected an absolute guest path such as /etc/motd (no empty, "." or ".." components, no trailing "/")`;

const cases: [string, string, string][] = [
  // YAML syntax
  ["tab indentation", "guests:\n  a:\n\tprogram: prog\n", "3:1: YAML syntax error: Tabs are not allowed as indentation"],
  [
    "unclosed flow mapping",
    "guests:\n  a: {program: prog\n",
    "3:1: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }",
  ],
  [
    "duplicate key",
    G + "  a:\n    program: prog\n",
    `4:3: YAML syntax error: duplicate key "a" (keys of a mapping must be unique)`,
  ],
  ["empty document", "", "1:1: expected a mapping, got nothing"],
  ["a list instead of a mapping", "- a\n", "1:1: expected a mapping, got a list"],
  // wrong types
  ["args not a list", G + "    args: one\n", `4:11: guests.a.args: expected a list of strings, got "one"`],
  [
    "an argument that is a number",
    G + "    args: [x, 1]\n",
    "4:15: guests.a.args[1]: expected a string, got 1 (write it in quotes to make it a string)",
  ],
  ["program a number", "guests:\n  a:\n    program: 5\n", "3:14: guests.a.program: expected a host path (relative to the manifest), got 5 (write it in quotes to make it a string)"],
  ["program empty", "guests:\n  a:\n    program:\n", "3:5: guests.a.program: expected a host path (relative to the manifest), got nothing"],
  ["budget a list", G + "    budget: [1]\n", `4:13: guests.a.budget: ${BUDGET}, got a list`],
  ["expect empty", G + "    expect:\n", "4:5: guests.a.expect: expected a mapping of expectations, got nothing"],
  ["status unknown", G + "    expect: {status: done}\n", `4:22: guests.a.expect.status: expected one of new, exited, budget, fault, got "done"`],
  ["exit code out of range", G + "    expect: {exit_code: 256}\n", "4:25: guests.a.expect.exit_code: expected an exit status from 0 to 255, got 256"],
  [
    "bad hash",
    G + "    expect:\n      stdout_sha256: ABC\n",
    `5:22: guests.a.expect.stdout_sha256: expected a SHA-256 hash (64 lower-case hexadecimal digits), got "ABC"`,
  ],
  ["env entry without =", G + "    env: [FOO]\n", `4:11: guests.a.env[0]: expected a NAME=value string, got "FOO"`],
  ["env value a number", G + "    env: {A: 1}\n", "4:14: guests.a.env.A: expected a string, got 1 (write it in quotes to make it a string)"],
  [
    "stdin with two sources",
    G + "    stdin: {file: a, text: b}\n",
    "4:12: guests.a.stdin: expected a string, {text: ...} or {file: host path}, got a mapping",
  ],
  [
    "file entry with two sources",
    G + "    files:\n      /x: {text: a, file: b}\n",
    `5:11: guests.a.files["/x"]: expected exactly one of text, file, dir, mkdir, guest, got a mapping`,
  ],
  [
    "no guests",
    "guests: {}\n",
    "1:9: guests: expected a mapping of guest names to guests, with at least one guest, got an empty mapping",
  ],
  // unknown keys, at every level
  [
    "unknown top-level key",
    "guestz:\n  a:\n    program: prog\n",
    `1:1: unknown key "guestz" (expected one of: version, description, guests); did you mean "guests"?`,
  ],
  [
    "unknown guest key",
    G + "    budgte: 5\n",
    `4:5: guests.a: unknown key "budgte" (expected one of: description, program, argv0, args, env, stdin, seed, files, budget, expect); did you mean "budget"?`,
  ],
  [
    "misspelt required key",
    "guests:\n  a:\n    progrm: prog\n",
    `3:5: guests.a: unknown key "progrm" (expected one of: description, program, argv0, args, env, stdin, seed, files, budget, expect); did you mean "program"?`,
  ],
  [
    "unknown key in a file entry",
    G + "    files:\n      /x: {text: hi, mode: 755}\n",
    `5:22: guests.a.files["/x"]: unknown key "mode" (expected one of: text, file, dir, mkdir, guest)`,
  ],
  [
    "budget on a sub-guest",
    G + "    files:\n      /g:\n        guest:\n          program: prog\n          budget: 10\n",
    `8:11: guests.a.files["/g"].guest: unknown key "budget" (expected one of: description, program, argv0, args, env, stdin, seed, files, expect); a sub-guest's budget is given by the RUN that runs it`,
  ],
  [
    "unknown key in a sub-guest's file entry",
    G + "    files:\n      /g:\n        guest:\n          program: prog\n          files: {/x: {txt: hi}}\n",
    `8:24: guests.a.files["/g"].guest.files["/x"]: unknown key "txt" (expected one of: text, file, dir, mkdir, guest); did you mean "text"?`,
  ],
  [
    "unknown expectation",
    G + "    expect:\n      exitcode: 0\n",
    `5:7: guests.a.expect: unknown key "exitcode" (expected one of: status, exit_code, fault, instructions, root, stdout, stdout_sha256, stdout_contains, stderr, stderr_sha256, stderr_contains, files, guests); did you mean "exit_code"?`,
  ],
  [
    "unknown file expectation",
    G + "    expect:\n      files:\n        /x: {sha: abc}\n",
    `6:14: guests.a.expect.files["/x"]: unknown key "sha" (expected one of: text, sha256, tree, exists)`,
  ],
  [
    "unknown key in a sub-guest expectation",
    G + "    expect:\n      guests:\n        /g: {stat: new}\n",
    `6:14: guests.a.expect.guests["/g"]: unknown key "stat" (expected one of: status, exit_code, fault, instructions, root, stdout, stdout_sha256, stdout_contains, stderr, stderr_sha256, stderr_contains, files, guests); did you mean "status"?`,
  ],
  // missing required keys
  ["guest without program", "guests:\n  a:\n    args: []\n", `2:3: guests.a: missing required key "program"`],
  ["no guests key", "version: 1\n", `1:1: missing required key "guests"`],
  [
    "sub-guest without program",
    G + "    files:\n      /g: {guest: {args: []}}\n",
    `5:12: guests.a.files["/g"].guest: missing required key "program"`,
  ],
  // host files
  ["missing program", "guests:\n  a:\n    program: nope\n", `3:14: guests.a.program: program "nope" (/m/nope) does not exist`],
  [
    "missing host file",
    G + "    files:\n      /x: {file: nope.txt}\n",
    `5:18: guests.a.files["/x"].file: host file "nope.txt" (/m/nope.txt) does not exist`,
  ],
  [
    "missing host directory",
    G + "    files:\n      /x: {dir: nodir}\n",
    `5:17: guests.a.files["/x"].dir: host directory "nodir" (/m/nodir) does not exist`,
  ],
  ["missing stdin file", G + "    stdin: {file: nope}\n", `4:19: guests.a.stdin.file: stdin file "nope" (/m/nope) does not exist`],
  [
    "missing program of a sub-guest",
    G + "    files:\n      /g: {guest: {program: ../nope}}\n",
    `5:29: guests.a.files["/g"].guest.program: program "../nope" (/nope) does not exist`,
  ],
  [
    "program is a directory",
    "guests:\n  a:\n    program: data\n",
    `3:14: guests.a.program: program "data" (/m/data) is a directory, expected a file`,
  ],
  [
    "host file is a directory",
    G + "    files:\n      /x: {file: data}\n",
    `5:18: guests.a.files["/x"].file: host file "data" (/m/data) is a directory, expected a file`,
  ],
  [
    "host directory is a file",
    G + "    files:\n      /x: {dir: data/a.txt}\n",
    `5:17: guests.a.files["/x"].dir: host path "data/a.txt" (/m/data/a.txt) is not a directory`,
  ],
  [
    "program is not an ELF",
    "guests:\n  a:\n    program: notelf\n",
    `3:14: guests.a.program: program "notelf" (/m/notelf) cannot be loaded: not an ELF file (bad magic number)`,
  ],
  // budgets
  ["negative budget", G + "    budget: -1\n", `4:13: guests.a.budget: ${BUDGET}, got -1`],
  ["negative budget as text", G + "    budget: '-5'\n", `4:13: guests.a.budget: ${BUDGET}, got "-5"`],
  ["budget with a bad suffix", G + "    budget: 10X\n", `4:13: guests.a.budget: ${BUDGET}, got "10X"`],
  ["fractional budget", G + "    budget: 1.5\n", `4:13: guests.a.budget: ${BUDGET}, got 1.5`],
  ["budget too large", G + "    budget: 9999999999999G\n", "4:13: guests.a.budget: budget must be at most 9007199254740991"],
  ["budget too large as a number", G + "    budget: 1e20\n", `4:13: guests.a.budget: ${BUDGET}, got 100000000000000000000`],
  // guest names and guest paths
  ["guest name with a slash", "guests:\n  a/b:\n    program: prog\n", `2:3: guests: bad key "a/b": expected a name (not empty, no "/", not "." or "..")`],
  ["guest name ..", "guests:\n  ..:\n    program: prog\n", `2:3: guests: bad key "..": expected a name (not empty, no "/", not "." or "..")`],
  [
    "guest name too long",
    `guests:\n  ${"x".repeat(300)}:\n    program: prog\n`,
    `2:3: guests: bad guest name "${"x".repeat(40)}…": names must be at most 255 bytes of UTF-8`,
  ],
  ["relative guest path", G + "    files:\n      etc/x: {text: hi}\n", `5:7: guests.a.files: bad key "etc/x": ${GUEST_PATH}`],
  ["guest path with ..", G + "    files:\n      /a/../b: {text: hi}\n", `5:7: guests.a.files: bad key "/a/../b": ${GUEST_PATH}`],
  ["guest path with //", G + "    files:\n      /a//b: {text: hi}\n", `5:7: guests.a.files: bad key "/a//b": ${GUEST_PATH}`],
  ["guest path with a trailing /", G + "    files:\n      /a/: {text: hi}\n", `5:7: guests.a.files: bad key "/a/": ${GUEST_PATH}`],
  [
    "guest path with a long name",
    G + `    files:\n      /${"n".repeat(256)}: {text: hi}\n`,
    `5:7: guests.a.files: bad guest path "/${"n".repeat(39)}…": names must be at most 255 bytes of UTF-8`,
  ],
  [
    "text at the root",
    G + "    files:\n      /: {text: hi}\n",
    `5:7: guests.a.files: the root "/" of a file tree can only be a dir (or mkdir), not text`,
  ],
  [
    "a file inside a file",
    G + "    files:\n      /a: {text: hi}\n      /a/b: {text: hi}\n",
    `6:7: guests.a.files: "/a/b" is inside "/a", which is a file`,
  ],
  [
    "a file inside a sub-guest",
    G + "    files:\n      /g: {guest: {program: prog}}\n      /g/fs/x: {text: hi}\n",
    `6:7: guests.a.files: "/g/fs/x" is inside "/g", which is a sub-guest (give it files of its own)`,
  ],
  [
    "a file inside a file of a host directory",
    G + "    files:\n      /d: {dir: data}\n      /d/a.txt/b: {text: x}\n",
    `6:7: guests.a.files["/d/a.txt/b"]: cannot place "/d/a.txt/b": "d/a.txt" is not a directory`,
  ],
  [
    "the root as a sub-guest to expect",
    G + "    expect:\n      guests:\n        /: {status: new}\n",
    `6:9: guests.a.expect.guests: the root "/" of a file tree is not a sub-guest`,
  ],
  [
    "exists: false with content",
    G + "    expect:\n      files:\n        /x: {exists: false, text: a}\n",
    `6:9: guests.a.expect.files: exists: false cannot be combined with other file expectations`,
  ],
];

for (const [name, text, expected] of cases) {
  test(`manifest errors: ${name}`, () => {
    const message = errorOf(text);
    assert.equal(message, `/m/m.yaml:${expected}`);
    assert.ok(!message.includes("\n"), "one line");
  });
}

test("manifest errors: the first problem in document order is the one reported", () => {
  const text = "guests:\n  a:\n    program: prog\n    budget: -1\n  b:\n    program: 5\n    bogus: 1\n";
  assert.equal(errorOf(text), `/m/m.yaml:4:13: guests.a.budget: ${BUDGET}, got -1`);
});

test("manifest errors: aliases and anchors point at the node that is wrong", () => {
  const text = "defaults: &d {program: prog}\nguests:\n  a: *d\n";
  assert.equal(errorOf(text), `/m/m.yaml:1:1: unknown key "defaults" (expected one of: version, description, guests)`);
  const ok = "guests:\n  a: &g {program: prog, args: [x]}\n  b: *g\n";
  assert.equal(errorOf(ok), "no error");
});
