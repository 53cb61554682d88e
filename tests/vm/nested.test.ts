/**
 * Recursive guests through Fx86 RUN: a parent edits its child through the
 * tree, survives its faults, resumes it across budgets; nested runs give
 * the same result however the budgets are split, under Deno and Bun.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { FileSystem } from "../../core/linux/fs/filesystem.ts";
import { Guest, readStatus } from "../../core/vm/guest.ts";
import { cProgram, image, nasmProgram } from "../support/build.ts";
import { fx86 } from "../support/cli.ts";

const CHILD_SRC = "tests/vm/guests/child.asm";
const parentPath = cProgram("tests/vm/guests/parent.c", "vm-parent");
const children = ["exit_eax", "exit_value", "undefined", "spin"].map((mode) =>
  [mode, nasmProgram(CHILD_SRC, `vm-child-${mode}`, { MODE: mode })] as const
);

function files(): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = { "bin/parent": image(parentPath) };
  for (const [mode, path] of children) out[`bin/${mode}`] = image(path);
  return out;
}

function parent(args: string[]): Guest {
  const fs = new FileSystem();
  for (const [name, bytes] of Object.entries(files())) fs.writeFile(`/${name}`, bytes, { mode: 0o755 });
  return Guest.fromElf({ program: image(parentPath), argv: ["parent", ...args], fs });
}

function stdout(g: Guest): string {
  return new TextDecoder().decode(g.linux.stdout);
}

test("nested: a parent sets its child's EAX through the tree before RUN", () => {
  const g = parent(["edit-reg"]);
  assert.equal(g.run(Infinity).status, "exited");
  assert.equal(stdout(g), "write eax: 4, child exit 42\n");
});

test("nested: a parent patches its child's memory through the tree before RUN", () => {
  const exe = children.find(([m]) => m === "exit_value")![1];
  const nm = execFileSync("nm", [exe]).toString();
  const addr = "0x" + /^([0-9a-f]+) d value$/m.exec(nm)![1];
  const g = parent(["edit-mem", addr]);
  assert.equal(g.run(Infinity).status, "exited");
  assert.equal(stdout(g), "byte was 7, write 1, child exit 99\n");
});

test("nested: a faulting sub-guest does not disturb its parent", () => {
  const g = parent(["fault"]);
  const stop = g.run(Infinity);
  assert.equal(stop.status, "exited");
  assert.equal(stop.exitCode, 0);
  assert.equal(stdout(g), "child stop 2 fault code 2, budget left 1000; parent carries on\nagain: stop 2 code 2\n");
  const child = g.linux.fs.getTree("/child");
  assert.equal(child.kind, "dir");
  const status = readStatus(child as never);
  assert.equal(status.status, "fault");
  assert.equal(status.fault?.kind, "undefined-opcode");
});

test("nested: the child's own budget runs out and the parent resumes it", () => {
  const g = parent(["slices", "100000"]);
  assert.equal(g.run(Infinity).status, "exited");
  // 3,000,000 loop iterations of two instructions, plus set-up and exit.
  assert.equal(stdout(g), "child exit 5 after 61 runs\n");
});

test("nested: three levels, any split of the top budget gives the same root", () => {
  const args = ["nest", "3", "50000"];
  const straight = parent(args);
  assert.equal(straight.run(Infinity).status, "exited");
  const out = stdout(straight);
  assert.match(out, /^level 3: child exit 0 after \d+ runs\nlevel 2: child exit 0 after \d+ runs\nlevel 1: child exit 0 after \d+ runs\nleaf [0-9a-f]{8}\n$/);
  const total = straight.instructions;
  const root = straight.toTree().hash;

  let x = 12345;
  let stoppedInsideRun = 0;
  for (let trial = 0; trial < 4; trial++) {
    const g = parent(args);
    const slice = [997, 31_337, 250_000, 1_000_003][trial];
    for (;;) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const s = g.run(1 + (x % slice));
      if (s.status !== "budget") break;
      if (g.status.in_run) {
        stoppedInsideRun++;
        // Stopped inside RUN: EIP is on the un-retired FX86 RUN instruction.
        assert.deepEqual([0, 1, 2].map((k) => g.mem.r8(g.cpu.eip + k)), [0x0f, 0x0a, 0x00]);
      }
    }
    assert.equal(g.instructions, total, `slices up to ${slice}`);
    assert.equal(g.toTree().hash, root, `slices up to ${slice}`);
    assert.equal(stdout(g), out);
  }
  assert.ok(stoppedInsideRun > 10, `stopped inside RUN ${stoppedInsideRun} times`);
});

test("nested: the same nested run gives the same root under Deno and Bun", () => {
  const root = mkdtempSync(join(tmpdir(), "fx86-nested-"));
  mkdirSync(join(root, "bin"));
  for (const [name, bytes] of Object.entries(files())) writeFileSync(join(root, name), bytes, { mode: 0o755 });
  const args = ["exec", "--json", "--root", root, parentPath, "nest", "2", "70000"];
  const [d, b] = [fx86("deno", args), fx86("bun", args)].map((r) => JSON.parse(r.stdout));
  assert.equal(d.status, "exited");
  assert.equal(d.root, b.root);
  assert.equal(d.instructions, b.instructions);
  assert.match(d.stdout, /^level 2: child exit 0/);
});
