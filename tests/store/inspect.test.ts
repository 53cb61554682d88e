/** The inspection commands end to end: snapshot list|show|diff|rm, tree ls|cat, gc, fsck, run --save. */
import { assert, test } from "../harness.ts";
import type { Runtime } from "../support/cli.ts";
import { BUSYBOX } from "../support/guests.ts";
import { fx86Env, tempStore } from "./support.ts";

const runtimes: Runtime[] = ["deno", "bun"];

for (const rt of runtimes) {
  test(`inspect (${rt}): list, show, diff, tree ls/cat, rm, gc, fsck`, () => {
    const store = tempStore();
    const fx = (...args: string[]) => {
      const r = fx86Env(rt, [...args, "--store", store]);
      assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
      return r.stdout;
    };
    const sh = ["sh", "-c", "echo one > /f; echo two"];
    const first = fx86Env(rt, ["exec", "--store", store, "--budget", "30000", "--save", "a", BUSYBOX, ...sh]);
    assert.equal(first.status, 124, first.stderr);
    fx("resume", "a", "--save", "b");

    const list = fx("snapshot", "list").trim().split("\n").map((l) => l.split("\t"));
    assert.deepEqual(list.map((l) => [l[0], l[2], l[3]]), [["a", "30000", "budget"], ["b", list[1][2], "exited"]]);
    assert.match(fx("snapshot", "show", "b"), /^name: b\nroot: [0-9a-f]{64}\norigin: a\nstart: [0-9a-f]{64}\nbudget_used: \d+\n/);

    const changes = fx("snapshot", "diff", "a", "b");
    assert.match(changes, /^registers:\n(  \w+: 0x[0-9a-f]{8} → 0x[0-9a-f]{8}\n|  icount: \d+ → \d+\n|  (x87|xmm): .*\n)+pages:\n/);
    assert.match(changes, /\n  eip: 0x[0-9a-f]{8} → 0x[0-9a-f]{8}\n/);
    assert.match(changes, /\npages:\n  0x[0-9a-f]{8}-0x[0-9a-f]{8} modified \(\d+ pages?\)\n/);
    assert.match(changes, /\nfiles:\n  A f\nother:\n/);
    assert.match(changes, /\n  status: \{"status":"budget".*\} → \{"status":"exited".*\}\n/);
    assert.match(changes, /\n  stdout: 0 bytes → 4 bytes\n/);
    const json = JSON.parse(fx("snapshot", "diff", "a", "b", "--json"));
    assert.equal(json.guest, true);
    assert.deepEqual(json.files, [{ path: "f", type: "added", kind: "blob" }]);
    assert.ok(json.registers.some((r: { name: string }) => r.name === "eip"));
    assert.equal(fx("snapshot", "diff", "b", "b"), "");

    assert.equal(fx("tree", "cat", "b:stdout"), "two\n");
    assert.equal(fx("tree", "cat", "b:fs/f"), "one\n");
    const cpu = fx("tree", "ls", "b:cpu");
    assert.match(cpu, /^b +4 [0-9a-f]{12} cs\nb +4 [0-9a-f]{12} ds\nb +4 [0-9a-f]{12} eax\n/);
    assert.match(cpu, /\nb +8 [0-9a-f]{12} icount\n/);
    assert.match(fx("tree", "ls", "b:"), /^d +\d+ [0-9a-f]{12} cpu\n/);
    assert.match(fx("tree", "ls", "b:stdout"), /^b +4 [0-9a-f]{12} stdout\n$/);

    fx("snapshot", "rm", "a");
    assert.match(fx("snapshot", "list"), /^b\t[^\n]*\n$/);
    assert.match(fx("gc"), /^removed 0 objects, \d+ reachable, kept \d+ recent unreachable objects\n$/);
    const gc = fx("gc", "--grace", "0");
    assert.match(gc, /^removed [1-9]\d* objects, \d+ reachable\n$/);
    assert.match(fx("fsck"), /^\d+ objects, 1 snapshots, 0 problems\n$/);
    assert.equal(fx("tree", "cat", "b:stdout"), "two\n");
  });
}

test("inspect: run MANIFEST --save stores the final host tree", () => {
  const store = tempStore();
  const r = fx86Env("bun", ["run", "--save", "m", "--store", store, "examples/hello/hello.yaml"]);
  assert.equal(r.status, 0, r.stderr);
  const root = /^root ([0-9a-f]{64})$/m.exec(r.stdout)![1];
  const show = JSON.parse(fx86Env("deno", ["snapshot", "show", "m", "--json", "--store", store]).stdout);
  assert.equal(show.root, root);
  assert.equal(show.status, "passed");
  assert.match(fx86Env("deno", ["tree", "ls", "m:", "--store", store]).stdout, /^d +\d+ [0-9a-f]{12} hello\n$/);
  const resume = fx86Env("deno", ["resume", "m", "--store", store]);
  assert.equal(resume.status, 2);
  assert.equal(resume.stderr, "fx86: m holds a guest, not one guest; resume one of m/hello.\n");
});
