/**
 * issue 13 point 4: host errors on the store. A real full disk (a 4 MiB
 * tmpfs mounted in a user namespace, so no root is needed) and a read-only
 * store (a read-only bind mount) for exec, resume, goto, import and gc; an
 * object path that is a directory (EISDIR) for fsck, verify, export, tree
 * ls, gc, resume and goto. Each failure is one line naming the store (or
 * the object), exit 2, no stack trace; the store stays fsck-clean with no
 * temporary files and the earlier snapshot still verifies.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, runtime, test } from "../harness.ts";
import { Store } from "../../core/store/mod.ts";
import { REPO } from "../support/guests.ts";
import { assertOneLine, fx86Env, scriptArgv, tempStore } from "./support.ts";

const HELLO = "examples/hello/hello";

/** Shell words, quoted. */
function sh(words: string[]): string {
  return words.map((w) => `'${w.replaceAll("'", `'\\''`)}'`).join(" ");
}

/** `fx86 ARGS` as a shell command line under this runtime. */
function fx86Line(args: string[]): string {
  const [bin, argv] = scriptArgv(runtime, join(REPO, "cli", "main.ts"), args);
  return sh([bin, ...argv]);
}

interface Step {
  name: string;
  status: number;
  stderr: string;
  stdout: string;
}

/**
 * Runs shell `setup` then each `[name, command]` in a user and mount
 * namespace (where `setup` may mount a tmpfs or a read-only bind), from the
 * repository, and returns each command's status and output. Mounts vanish
 * with the namespace, so everything that needs them runs here.
 */
function inNamespace(setup: string, steps: [string, string][]): Step[] {
  const out = mkdtempSync(join(tmpdir(), "fx86-ns-"));
  const script = [
    "set -e",
    setup,
    "set +e",
    ...steps.map(([name, cmd], i) => `${cmd} >${out}/${i}.out 2>${out}/${i}.err; echo $? >${out}/${i}.status`),
  ].join("\n");
  const r = spawnSync("unshare", ["-rm", "bash", "-c", script], { cwd: REPO, encoding: "utf8" });
  assert.equal(r.status, 0, `unshare -rm (util-linux) must be able to mount here: ${r.stderr}`);
  const read = (f: string) => spawnSync("cat", [join(out, f)], { encoding: "utf8" }).stdout;
  const result = steps.map(([name], i) => ({
    name,
    status: Number(read(`${i}.status`)),
    stderr: read(`${i}.err`),
    stdout: read(`${i}.out`),
  }));
  rmSync(out, { recursive: true, force: true });
  return result;
}

/** A bundle of a snapshot from another store, to import. */
function bundleFile(): string {
  const other = tempStore();
  assert.equal(fx86Env(runtime, ["exec", "--store", other, "--budget", "3000", "--save", "b", HELLO]).status, 124);
  const file = join(other, "..", "b.fx86");
  assert.equal(fx86Env(runtime, ["export", "b", "-o", file, "--store", other]).status, 0);
  return file;
}

/** The commands of "what must be shown" 3, saving or importing into `store`. */
function writers(store: string, bundle: string): [string, string][] {
  return [
    ["exec", fx86Line(["exec", "--store", store, "--save", "t", HELLO])],
    ["resume", fx86Line(["resume", "s", "--save", "t", "--store", store])],
    ["goto", fx86Line(["goto", "s", "2500", "--save", "t", "--store", store])],
    ["import", fx86Line(["import", bundle, "--store", store])],
  ];
}

/** After the steps: fsck clean, no temporary files, s verifies, t and b were not half-made. */
function checks(store: string): [string, string][] {
  return [
    ["fsck", fx86Line(["fsck", "--store", store])],
    ["tmp", `ls -A ${sh([join(store, "tmp")])}`],
    ["verify", fx86Line(["verify", "s", "--store", store])],
    ["list", fx86Line(["snapshot", "list", "--store", store])],
  ];
}

function assertKept(steps: Step[]): void {
  const by = new Map(steps.map((s) => [s.name, s]));
  assert.equal(by.get("fsck")!.status, 0, by.get("fsck")!.stderr);
  assert.match(by.get("fsck")!.stdout, / 0 problems\n$/);
  assert.equal(by.get("tmp")!.stdout, "", "no temporary file left behind");
  assert.equal(by.get("verify")!.status, 0, by.get("verify")!.stderr);
  assert.deepEqual(by.get("list")!.stdout.trim().split("\n").map((l) => l.split("\t")[0]), ["s"]);
}

test(`host errors (${runtime}): a full disk (tmpfs) fails exec, resume, goto and import with one line; gc still frees space; nothing lost`, () => {
  const base = mkdtempSync(join(tmpdir(), "fx86-full-"));
  const mnt = join(base, "mnt");
  mkdirSync(mnt);
  const bundle = bundleFile();
  const store = join(mnt, "store");
  const steps = inNamespace(
    [
      `mount -t tmpfs -o size=4m tmpfs ${sh([mnt])}`,
      `${fx86Line(["exec", "--store", store, "--budget", "3000", "--save", "s", HELLO])} >/dev/null 2>&1 || [ $? = 124 ]`,
      // Fill the disk to the last block.
      `cat /dev/zero > ${sh([join(mnt, "filler")])} 2>/dev/null || true`,
    ].join("\n"),
    [...writers(store, bundle), ["gc", fx86Line(["gc", "--store", store, "--grace", "0"])], ...checks(store)],
  );
  for (const step of steps.slice(0, 4)) {
    assert.equal(step.status, 2, `${step.name}: ${step.stderr}`);
    assertOneLine(step.stderr, new RegExp(`^fx86: cannot write (object [0-9a-f]{64}|snapshot [tb]) in the store ${store}: no space left on device\\.$`));
  }
  assert.equal(steps[4].status, 0, `gc on a full disk: ${steps[4].stderr}`);
  assertKept(steps);
  rmSync(base, { recursive: true, force: true });
}, { timeoutMs: 300_000 });

test(`host errors (${runtime}): a read-only store fails exec, resume, goto, import and gc with one line; nothing lost`, () => {
  const store = tempStore();
  assert.equal(fx86Env(runtime, ["exec", "--store", store, "--budget", "3000", "--save", "s", HELLO]).status, 124);
  const bundle = bundleFile();
  const steps = inNamespace(
    `mount --bind -o ro ${sh([store])} ${sh([store])}`,
    [...writers(store, bundle), ["gc", fx86Line(["gc", "--store", store, "--grace", "0"])], ...checks(store)],
  );
  for (const step of steps.slice(0, 5)) {
    assert.equal(step.status, 2, `${step.name}: ${step.stderr}`);
    assertOneLine(step.stderr, new RegExp(`^fx86: the store ${store} is read-only\\.$`));
  }
  assertKept(steps);
}, { timeoutMs: 300_000 });

test(`host errors (${runtime}): an object path that is a directory is named in one line by every command`, () => {
  const store = tempStore();
  assert.equal(fx86Env(runtime, ["exec", "--store", store, "--budget", "3000", "--save", "s", HELLO]).status, 124);
  const s = Store.open(store);
  const root = s.getTree(s.getSnapshot("s").root);
  assert.equal(root.kind, "dir");
  const victim = root.kind === "dir" ? root.get("os")!.hash : "";
  const path = s.objectPath(victim);
  rmSync(path);
  mkdirSync(path);
  writeFileSync(join(path, "x"), "");
  const needs = new RegExp(`^fx86: snapshot s needs object ${victim}, which is corrupt\\.$`);
  for (
    const [args, pattern] of [
      [["verify", "s"], needs],
      [["export", "s", "-o", join(store, "..", "s.fx86")], needs],
      [["tree", "ls", "s:os"], needs],
      [["resume", "s"], needs],
      [["goto", "s", "100"], needs],
    ] as [string[], RegExp][]
  ) {
    const r = fx86Env(runtime, [...args, "--store", store]);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assertOneLine(r.stderr, pattern);
  }
  const f = fx86Env(runtime, ["fsck", "--store", store]);
  assert.equal(f.status, 1);
  assert.match(f.stderr, new RegExp(`^object ${victim} is corrupt: it cannot be read \\(is a directory\\); needed by snapshot s\\.\\n`));
  assert.doesNotMatch(f.stderr, /^\s+at /m);
  const gc = fx86Env(runtime, ["gc", "--store", store, "--grace", "0"]);
  assert.equal(gc.status, 0, gc.stderr);
});
