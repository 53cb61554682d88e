/**
 * The command language as a table: one entry per command gives the parser,
 * help, completion and docs/shell.md; they cannot drift apart.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { COMMANDS, reference, Session } from "../../core/session/mod.ts";
import { loadLine, words } from "../../core/session/command.ts";
import { parseAddress, parseCount, parseValue } from "../../core/session/numbers.ts";
import { REPO } from "../support/guests.ts";
import { loaded, NESTING, ok } from "./support.ts";

test("language: names and aliases are unique; help lists every command and describes each", async () => {
  const names = COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
  assert.equal(new Set(names).size, names.length, `duplicates in ${names.join(" ")}`);
  const s = new Session();
  const help = await ok(s, "help");
  for (const c of COMMANDS) {
    assert.ok(help.split("\n").some((l) => l.startsWith(c.name + " ") || l === c.name || l.startsWith(c.name + "  ")), c.name);
    const one = await ok(s, `help ${c.name}`);
    assert.ok(one.startsWith(c.name), one);
    assert.ok(one.includes(c.summary));
    for (const a of c.aliases ?? []) assert.equal(await ok(s, `help ${a}`), one, `alias ${a}`);
    assert.equal(s.help(c.name), one);
  }
  assert.equal(s.help(), help);
});

test("language: docs/shell.md's command list is the table's", () => {
  const doc = readFileSync(join(REPO, "docs/shell.md"), "utf8");
  const begin = "<!-- commands: generated from core/session/table.ts -->\n";
  const end = "<!-- end of commands -->";
  const i = doc.indexOf(begin), j = doc.indexOf(end);
  assert.ok(i >= 0 && j > i, "markers in docs/shell.md");
  assert.equal(doc.slice(i + begin.length, j), reference(), "the command list is stale: run npx deno task docs");
});

test("language: words, counts, values, addresses", () => {
  assert.deepEqual(words('  load prog "a b"  c\\d ""'), ["load", "prog", "a b", "c\\d", ""]);
  assert.deepEqual(words('x "say \\"hi\\""'), ["x", 'say "hi"']);
  assert.throws(() => words('load "open'), /unterminated quote/);
  assert.equal(parseCount("5M", "N"), 5_000_000);
  assert.equal(parseCount("2k", "N"), 2000);
  assert.equal(parseCount("1_000", "N"), 1000);
  assert.equal(parseCount("0x40", "N"), 64);
  assert.equal(parseCount("3G", "N"), 3e9);
  for (const bad of ["", "5m", "-1", "1.5", "x", "9999999999999999999"]) assert.throws(() => parseCount(bad, "N"), Error, bad);
  assert.equal(parseValue("-1", "V"), 0xffffffff);
  assert.equal(parseValue("0xdeadbeef", "V"), 0xdeadbeef);
  assert.throws(() => parseValue("0x100000000", "V"), /32 bits/);
  const regs = (r: string) => ({ esp: 0x1000, eip: 0x8049000 } as Record<string, number>)[r];
  assert.equal(parseAddress("esp+8", regs), 0x1008);
  assert.equal(parseAddress("eip-0x10", regs), 0x8048ff0);
  assert.equal(parseAddress("0x10", regs), 0x10);
  assert.equal(parseAddress("esp-0x1001", regs), 0xffffffff);
  assert.throws(() => parseAddress("foo+1", regs), /register expression/);
});

test("language: completion of commands, subcommands, registers, guest ids, tree paths", async () => {
  const s = await loaded(NESTING);
  assert.deepEqual(s.complete("ste"), ["step"]);
  assert.ok(s.complete("").length === COMMANDS.length);
  assert.deepEqual(s.complete("tree "), ["ls", "cat"]);
  assert.deepEqual(s.complete("tree ls c"), ["cpu/"]);
  assert.ok(s.complete("tree cat cpu/e").includes("cpu/eip"));
  assert.deepEqual(s.complete("set ei"), ["eip"]);
  assert.deepEqual(s.complete("trace o"), ["on", "off"]);
  assert.deepEqual(s.complete("mem es"), ["esi", "esp", "es"]);
  assert.deepEqual(s.complete("disasm ei"), ["eip"]);
  assert.deepEqual(s.complete("break syscall wr"), ["write", "writev"]);
  assert.deepEqual(s.complete("break syscall write i"), ["in", "if"]);
  assert.deepEqual(s.complete("break run-entry "), ["nest/"], "no sub-guest yet: the start of one's path");
  await ok(s, "break run-entry nest/fs/child/fs/child");
  await ok(s, "continue");
  assert.deepEqual(s.complete("select nest/fs/child/"), ["nest/fs/child/fs/child"]);
  assert.deepEqual(s.complete("break run-entry nest/"), ["nest/fs/child", "nest/fs/child/fs/child"]);
  assert.deepEqual(s.complete("delete "), ["all", "1"]);
  assert.deepEqual(s.complete("nosuch x"), []);
});

test("language: load completes host paths like a shell, directories only after --root", async () => {
  const s = new Session({});
  const examples = join(REPO, "examples");
  assert.deepEqual(s.complete(`load ${examples}/hel`), [`${examples}/hello/`]);
  assert.deepEqual(s.complete(`load ${examples}/hello/hello.`), [`${examples}/hello/hello.c`, `${examples}/hello/hello.yaml`]);
  assert.deepEqual(s.complete(`load --root ${examples}/hello/`), [], "no directory in it");
  assert.ok(s.complete(`load --root ${REPO}/`).includes(`${REPO}/examples/`));
  assert.ok(!s.complete(`load --root ${REPO}/`).includes(`${REPO}/README.md`));
  assert.ok(s.complete(`load --stdin ${REPO}/R`).includes(`${REPO}/README.md`));
  assert.deepEqual(s.complete("load --"), ["--root", "--stdin"]);
  assert.deepEqual(s.complete(`load ${REPO}/.gitig`), [`${REPO}/.gitignore`]);
  assert.ok(!s.complete(`load ${REPO}/`).some((p) => p.includes("/.git")), "hidden entries only when asked for");
  assert.deepEqual(s.complete(`load ${examples}/hello/hello `), [], "the program's arguments are its own");
  assert.deepEqual(s.complete("load /nonexistent/x"), []);
});

test("language: loadLine quotes every word so that words reads back the same argv", () => {
  const args = ["a b", 'say "hi"', "back\\slash", "", "-x", "--", "tab\there"];
  assert.deepEqual(words(loadLine("/dir with space/prog", args)), ["load", "/dir with space/prog", "--", ...args]);
  assert.deepEqual(words(loadLine("m.yaml", [])), ["load", "m.yaml"]);
});
