/**
 * Every command of `fx86 --help` that reports something takes `--json` and
 * prints one line that parses, with the fields docs/json.md lists; guest
 * output that is not UTF-8 survives `exec --json` byte for byte (base64).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Buffer } from "node:buffer";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { fx86, type Runtime } from "../support/cli.ts";
import { BUSYBOX } from "../support/guests.ts";
import { fx86Env, tempStore } from "../store/support.ts";

/** Commands that report nothing to parse: they change the store silently, stream bytes or a script, or are interactive. */
const NOT_REPORTING = new Set(["snapshot rm", "tree cat", "repl", "shell", "gdbserver", "completions", "help"]);

/** The commands and subcommands `fx86 --help` lists ("snapshot list", "tree ls", "exec", …). */
function commands(rt: Runtime): string[] {
  const names = (help: string) => {
    const section = help.split("\nCommands:\n")[1]?.split("\n\n")[0] ?? "";
    return [...section.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]);
  };
  return names(fx86(rt, ["--help"]).stdout).flatMap((c) => {
    const sub = names(fx86(rt, [c, "--help"]).stdout).filter((s) => s !== "help");
    return sub.length > 0 ? sub.map((s) => `${c} ${s}`) : [c];
  });
}

/** A parsed report: its shape is what the test checks, field by field. */
// deno-lint-ignore no-explicit-any
type Json = any;

/** Runs `fx86 COMMAND --json ARGS` (options after exec's program are the guest's), checks it printed one line of JSON, returns the value. */
function json(rt: Runtime, command: string, args: string[], status = 0): Json {
  const r = fx86Env(rt, [...command.split(" "), "--json", ...args]);
  assert.equal(r.status, status, `${command}: ${r.stderr}`);
  assert.equal(r.stdout.split("\n").length, 2, `${command}: one line`);
  return JSON.parse(r.stdout);
}

function hasFields(value: object, fields: string[], what: string): void {
  for (const f of fields) assert.ok(f in value, `${what}: field ${f} in ${JSON.stringify(value).slice(0, 200)}`);
}

for (const rt of ["deno", "bun"] as Runtime[]) {
  test(`--json (${rt}): every reporting command of fx86 --help prints one parsable line with its documented fields`, () => {
    assert.ok(existsSync(BUSYBOX), `${BUSYBOX} is missing: run tests/prepare.sh`);
    const store = tempStore();
    const dir = mkdtempSync(join(tmpdir(), "fx86-json-"));
    const covered = new Set<string>();
    const run = (name: string, args: string[], fields: string[], status = 0) => {
      covered.add(name);
      const v = json(rt, name, args, status);
      hasFields(Array.isArray(v) ? v[0] : v, fields, name);
      return v;
    };
    try {
      const st = ["--store", store];
      const exec = run("exec", [...st, "--save", "a", "--checkpoint-every", "2000", BUSYBOX, "echo", "hi"], [
        "status", "exit_code", "instructions", "stdout", "stdout_base64", "stderr", "stderr_base64", "stdout_sha256", "root",
      ]);
      assert.equal(exec.stdout, "hi\n");
      run("resume", [...st, "--save", "b", "a"], ["status", "instructions", "stdout_base64", "root"]);
      run("run", [...st, "examples/hello/hello.yaml"], ["ok", "root", "guests"]);
      run("goto", [...st, "a", "100"], ["instruction", "target", "eip", "status", "root"]);
      run("back", [...st, "a", "1"], ["instruction", "target", "eip", "status", "root"]);
      const list = run("snapshot list", st, ["name", "root", "instructions", "status", "created"]);
      assert.deepEqual(list.map((s: Json) => s.name), ["a", "b"]);
      run("snapshot show", [...st, "a"], ["name", "root", "instructions", "status", "start", "budget_used"]);
      run("snapshot diff", [...st, "a", "b"], ["registers", "pages", "files", "other"]);
      const ls = run("tree ls", [...st, "a:"], ["name", "kind", "size", "hash"]);
      assert.ok(ls.some((e: Json) => e.name === "cpu" && e.kind === "dir"), "tree ls a: lists cpu/");
      const verify = run("verify", [...st, "a"], ["name", "ok", "instructions", "start", "root", "expected"]);
      assert.equal(verify.ok, true);
      const bundle = join(dir, "a.fx86");
      run("export", [...st, "a", "-o", bundle], ["output", "snapshots", "bytes"]);
      const other = tempStore();
      const imported = run("import", ["--store", other, bundle], ["snapshots", "objects", "written"]);
      assert.deepEqual(imported.snapshots, ["a"]);
      run("gc", [...st, "--grace", "0"], ["removed", "reachable", "recent", "temporary"]);
      const fsck = run("fsck", st, ["objects", "snapshots", "temporary", "problems"]);
      assert.deepEqual(fsck.problems, []);
      // A one-file package, made by Debian's own dpkg-deb.
      const pkg = join(dir, "pkg");
      mkdirSync(join(pkg, "DEBIAN"), { recursive: true });
      mkdirSync(join(pkg, "etc"));
      writeFileSync(join(pkg, "DEBIAN", "control"), "Package: fx86-json\nVersion: 1\nArchitecture: i386\nMaintainer: fx86\nDescription: test\n");
      writeFileSync(join(pkg, "etc", "fx86-json"), "hi\n");
      const deb = join(dir, "fx86-json.deb");
      const built = spawnSync("dpkg-deb", ["--root-owner-group", "--build", pkg, deb], { encoding: "utf8" });
      assert.equal(built.status, 0, `dpkg-deb (apt-get install dpkg): ${built.error ?? built.stderr}`);
      const root = run("root build", [join(dir, "root"), deb], ["dir", "packages"]);
      assert.deepEqual(root.packages, [deb]);
      assert.equal(readFileSync(join(dir, "root", "etc", "fx86-json"), "utf8"), "hi\n");
      const all = commands(rt);
      assert.ok(all.includes("exec") && all.includes("snapshot list") && all.includes("tree ls"), all.join(", "));
      const missing = all.filter((c) => !NOT_REPORTING.has(c) && !covered.has(c));
      assert.deepEqual(missing, [], "reporting commands of fx86 --help that this test does not run with --json");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`exec --json (${rt}): output that is not UTF-8 survives byte for byte in stdout_base64`, () => {
    // busybox printf: bytes 0xff 0x00 0x80 0xc3 (a cut UTF-8 sequence) and a newline.
    const args = [BUSYBOX, "printf", "\\377\\000\\200\\303\\n"];
    const plain = fx86(rt, ["exec", ...args]);
    assert.equal(plain.status, 0, plain.stderr);
    assert.deepEqual([...plain.stdoutBytes], [0xff, 0x00, 0x80, 0xc3, 0x0a]);
    const report = json(rt, "exec", args);
    assert.deepEqual([...Buffer.from(report.stdout_base64, "base64")], [...plain.stdoutBytes]);
    assert.equal(report.stdout, "\uFFFD\u0000\uFFFD\uFFFD\n", "the text field replaces what is not UTF-8");
  });
}
