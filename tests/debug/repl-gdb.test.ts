/**
 * The gdb-style command language, end to end: examples/repl/gdb-style.fx86
 * prints its checked-in output under Deno and Bun, and what it shows
 * agrees with Debian's gdb driving `fx86 gdbserver` through the same stops
 * (gdb reads the program's DWARF and disassembles with its own code), and
 * with straight forward runs (`goto`) to the positions reverse execution
 * reached.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { fx86, type Runtime } from "../support/cli.ts";
import { REPO } from "../support/guests.ts";
import { gdbBatch, startServer } from "./gdb.ts";

const SCRIPT = "examples/repl/gdb-style.fx86";
const PROGRAM = "examples/debug/counter";
const EXPECTED = readFileSync(join(REPO, "examples/repl/gdb-style.out"), "utf8");

for (const rt of ["deno", "bun"] as Runtime[]) {
  test(`repl gdb-style (${rt}): the script prints the checked-in output`, () => {
    const r = fx86(rt, ["repl", PROGRAM, "--script", SCRIPT]);
    assert.equal(r.stderr, "", rt);
    assert.equal(r.status, 0, rt);
    assert.equal(r.stdout, EXPECTED, `${rt}: output differs from examples/repl/gdb-style.out`);
  });
}

/** The `[N] id 0xEIP: …` lines of an output. */
function places(text: string): { position: number; eip: number }[] {
  return [...text.matchAll(/^\[(\d+)\] \S+ (0x[0-9a-f]{8}):/gm)].map((m) => ({ position: Number(m[1]), eip: Number(m[2]) }));
}

/** gdb's `info registers` lines for some registers, as gdb prints them. */
function registerLines(text: string, names: string[]): string[] {
  return text.split("\n").filter((l) => names.some((n) => l.startsWith(n.padEnd(15)))).map((l) => l.trimEnd());
}

test("repl gdb-style: watch, reverse-continue and reverse-stepi agree with gdb on fx86 gdbserver", async () => {
  const server = await startServer("deno", [join(REPO, PROGRAM)]);
  const gdb = gdbBatch(server.port, [
    "break main", "continue", "watch counter", "continue", "continue", "p counter",
    "reverse-continue", "p $pc", "reverse-stepi", "info registers eax eip eflags", "detach",
  ]);
  await server.exited;
  // The same changes, in the same order.
  const changes = [...gdb.matchAll(/Old value = (-?\d+)\nNew value = (-?\d+)/g)].map((m) => `${m[1]}->${m[2]}`);
  const ours = [...EXPECTED.matchAll(/Old value = (-?\d+)\nNew value = (-?\d+)/g)].map((m) => `${m[1]}->${m[2]}`);
  assert.deepEqual(ours.slice(0, 3), changes);
  // reverse-continue stops at the same instruction, reverse-stepi at the same registers.
  const pc = Number(/^\$2 = \(void \(\*\)\(\)\) (0x[0-9a-f]+)/m.exec(gdb)![1]);
  const afterReverse = EXPECTED.slice(EXPECTED.indexOf("Old value = 3\nNew value = 1"));
  assert.equal(places(afterReverse)[0].eip, pc);
  const names = ["eax", "eip", "eflags"];
  assert.deepEqual(registerLines(EXPECTED, names), registerLines(gdb, names));
});

test("repl gdb-style: where reverse execution went, a straight run from the start gets the same state", () => {
  // Positions reverse-continue, reverse-stepi, reverse-nexti and reverse-finish reached, with the EIP shown there.
  const lines = EXPECTED.split("\n");
  const reached: { position: number; eip: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (/^\[\d+\]/.test(lines[i]) && /Old value = 3|went back|stopped at instruction|^New value = 1/.test(lines[i - 1] ?? "")) {
      reached.push(places(lines[i])[0]);
    }
  }
  assert.ok(reached.length >= 3, `found ${reached.length} reverse stops`);
  const script = reached.map((r) => `goto ${r.position}`).join("\n") + "\n";
  const r = fx86("deno", ["repl", PROGRAM], script);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(places(r.stdout).slice(1), reached);
});

test("repl gdb-style: bt names the frames and source lines gdb's own unwinder and DWARF reader give", async () => {
  const server = await startServer("deno", [join(REPO, PROGRAM)]);
  const gdb = gdbBatch(server.port, ["break add", "continue", "bt", "detach"]);
  await server.exited;
  // gdb: "#0  add (a=0, b=0) at debug/counter.c:8", "#1  0x… in twice (x=0) at …:12", "#2  0x… in main () at …:17".
  const theirs = [...gdb.matchAll(/^#\d+ +(?:0x[0-9a-f]+ in )?(\w+) \(.*\) at \S*?counter\.c:(\d+)$/gm)].map((m) => `${m[1]}:${m[2]}`);
  // Ours at add's first instruction (gdb's break add is after its prologue: line 8 rather than 7).
  const block = EXPECTED.slice(EXPECTED.indexOf("#0  0x080496d5 in add"));
  const ours = [...block.matchAll(/^#\d+ +0x[0-9a-f]{8} in (\w+) \(\S+\) at counter\.c:(\d+)$/gm)].slice(0, 3).map((m) => `${m[1]}:${m[2]}`);
  assert.deepEqual(ours.slice(1), theirs.slice(1));
  assert.deepEqual([ours[0], theirs[0]], ["add:7", "add:8"]);
});
