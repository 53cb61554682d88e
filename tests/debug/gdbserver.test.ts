/**
 * Debian's gdb drives `fx86 gdbserver` (under Deno and Bun) in batch mode:
 * it reads the program's symbols through the protocol (exec-file, vFile),
 * breaks at main by symbol, disassembles, watches a variable, goes back
 * with reverse-continue to the write that changed it and one more
 * instruction with reverse-stepi, and reads the registers. The states
 * reached backwards must equal the ones a straight forward run reaches at
 * the same places (a second gdb session that only goes forward).
 */
import { assert, test } from "../harness.ts";
import { REPO } from "../support/guests.ts";
import { join } from "node:path";
import { gdbBatch, registerBlocks, startFx86, startServer } from "./gdb.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import type { Runtime } from "../support/cli.ts";
import { memoryAccesses, syms } from "./brute.ts";

/** examples/debug/counter (built -O0 -g: gdb has its types and lines). */
const COUNTER = () => join(REPO, "examples/debug/counter");

async function session(rt: Runtime, commands: string[]): Promise<string> {
  const server = await startServer(rt, [COUNTER()]);
  const out = gdbBatch(server.port, [...commands, "detach"]);
  assert.equal(await server.exited, 0, `gdbserver under ${rt}: ${server.stderr()}`);
  return out;
}

/** The value gdb printed for `p $pc` lines (`$N = (void (*)()) 0x8049720 <main+43>`), in order. */
function pcs(out: string): number[] {
  return [...out.matchAll(/^\$\d+ = \(void \(\*\)\(\)\) (0x[0-9a-f]+)/gm)].map((m) => Number(m[1]));
}

for (const rt of ["deno", "bun"] as Runtime[]) {
  test(`gdbserver (${rt}): break main, watch, reverse-continue and reverse-stepi land where a forward run does`, async () => {
    const out = await session(rt, [
      "break main", "continue", "x/4i $pc",
      "watch counter", "continue", "continue",
      "reverse-continue", "p counter", "p $pc", "info registers",
      "reverse-stepi", "p $pc", "info registers",
    ]);
    // Symbols came through the protocol: gdb read the program itself (exec-file + vFile).
    assert.match(out, /Reading symbols from target:.*examples\/debug\/counter\.\.\./);
    assert.match(out, /Breakpoint 1, main \(\) at .*counter\.c:16/);
    assert.match(out, /=> 0x[0-9a-f]+ <main\+\d+>:\tmovl +\$0x0,-0xc\(%ebp\)/, "x/4i at main's first statement");
    assert.equal([...out.matchAll(/^ {3}0x[0-9a-f]+ <main\+\d+>:/gm)].length, 3, "x/4i prints four instructions");
    // Forward: 0 -> 1, then 1 -> 3 (counter = twice(counter) + 1).
    assert.match(out, /Old value = 0\nNew value = 1\n[^]*Old value = 1\nNew value = 3\n/);
    // Backward: the write of 3 undone, at the instruction that made it; counter is 1 again.
    assert.match(out, /Old value = 3\nNew value = 1\n/);
    assert.match(out, /^\$1 = 1$/m);
    const [writePc, beforePc] = pcs(out);
    assert.ok(writePc > beforePc, `reverse-stepi goes to the instruction before (${beforePc} < ${writePc})`);
    const [atWrite, beforeWrite] = registerBlocks(out);
    assert.equal(atWrite.get("eip"), "0x" + writePc.toString(16));
    assert.equal(beforeWrite.get("eip"), "0x" + beforePc.toString(16));

    // A straight run to the same places: after the first change, the next arrival at each pc is the second iteration's.
    const straight = await session(rt, [
      "break main", "continue", "watch counter", "continue", "delete",
      `tbreak *0x${beforePc.toString(16)}`, "continue", "info registers",
      `tbreak *0x${writePc.toString(16)}`, "continue", "info registers", "p counter",
    ]);
    const [fwdBefore, fwdWrite] = registerBlocks(straight);
    assert.deepEqual([...beforeWrite], [...fwdBefore], "registers after reverse-stepi = a forward run's");
    assert.deepEqual([...atWrite], [...fwdWrite], "registers after reverse-continue = a forward run's");
    assert.match(straight, /^\$1 = 1$/m);
  });
}

test("gdbserver: rwatch and awatch (Z3, Z4) stop after the instructions iced-x86 says read or touch counter, forward and back", async () => {
  const counter = syms.lookup("counter")!.address;
  const reads = memoryAccesses(counter, 4, "read"), accesses = memoryAccesses(counter, 4, "access");
  const hex = (n: number) => "0x" + n.toString(16);
  const out = await session("deno", [
    "break main", "continue", "delete",
    "rwatch counter", "continue", "p $pc", "continue", "p $pc", "continue", "p $pc",
    "reverse-continue", "p $pc", "delete",
    "awatch counter", "continue", "p $pc", "continue", "p $pc",
  ]);
  assert.match(out, /Hardware read watchpoint 2: counter\n\nValue = 0\n/);
  assert.match(out, /Hardware access \(read\/write\) watchpoint 3: counter\n\n(Value = |Old value = )/);
  // Stopped after each read (pc on the next instruction); reverse-continue goes back before the third.
  const [a, b, c, back, d, e] = pcs(out);
  assert.deepEqual([a, b, c].map(hex), reads.slice(0, 3).map((r) => hex(r.next)));
  assert.equal(hex(back), hex(reads[2].eip));
  // awatch from before the third read: that read, then the access after it (counter's write: 1 -> 3).
  assert.match(out, /watchpoint 3: counter\n\nOld value = 1\nNew value = 3\n/);
  const after = accesses.filter((x) => x.at >= reads[2].at);
  assert.deepEqual([d, e].map(hex), after.slice(0, 2).map((x) => hex(x.next)));
});

test("gdbserver: reverse-continue with nothing to stop at goes to the start of the history and says so", async () => {
  const out = await session("deno", ["break main", "continue", "delete", "reverse-continue", "p $pc", "info symbol $pc"]);
  assert.match(out, /No more reverse-execution history\./);
  assert.match(out, /_start in section \.text/);
});

test("repl --gdb: gdb takes over the session a script left at a breakpoint, and the REPL ends when gdb detaches", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fx86-gdb-"));
  try {
    writeFileSync(join(dir, "setup.fx86"), "break twice\ncontinue\n");
    const repl = await startFx86("bun", ["repl", COUNTER(), "--gdb", "0", "--script", join(dir, "setup.fx86")]);
    const out = gdbBatch(repl.port, ["p $pc", "bt", "reverse-stepi", "x/i $pc", "detach"]);
    assert.equal(await repl.exited, 0, repl.stderr());
    const at = [...repl.stdout().matchAll(/^\[(\d+)\] counter (0x[0-9a-f]{8}): /gm)].at(-1)!;
    assert.match(out, new RegExp(`^\\$1 = \\(void \\(\\*\\)\\(\\)\\) ${at[2].replace(/0x0*/, "0x")} <twice>`, "m"));
    assert.match(out, /#1 +0x[0-9a-f]+ in main \(\) at .*counter\.c:17/, "gdb's own unwinder sees main calling twice");
    assert.match(out, /=> 0x[0-9a-f]+ <main\+\d+>:\tcall +0x[0-9a-f]+ <twice>/, "one instruction back: the call");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("gdbserver: gdb reads the x87 registers (ratio = counter / 3.0 on the FPU stack)", async () => {
  // 0x08049736 is main's fdivrp (objdump): ST0 = 3.0, ST1 = counter; after it ST0 = counter / 3.
  const out = await session("deno", [
    "break *0x08049736", "continue", "continue", "continue", "p counter", "p $st0", "p $st1", "info float", "stepi", "p $st0",
  ]);
  assert.match(out, /^\$1 = 7$/m);
  assert.match(out, /^\$2 = 3$/m);
  assert.match(out, /^\$3 = 7$/m);
  assert.match(out, /^\$4 = 2\.33333333333333333326$/m, "7 / 3 in 80-bit extended precision");
  // info float: gdb decodes our status and tag words: two valid registers at the top of the stack, the rest empty.
  assert.match(out, /^=>R6: Valid +0x4000c000000000000000 \+3\s*$/m);
  assert.match(out, /^ {2}R7: Valid +0x4001e000000000000000 \+7\s*$/m);
  assert.match(out, /^ {2}R0: Empty /m);
  assert.match(out, /TOP: 6/);
  // The last x87 instruction before: objdump's `fldl 0x80b7008` at 0x8049730 (opcode dd 05).
  assert.match(out, /Instruction Pointer: 0x73:0x08049730/);
  assert.match(out, /Operand Pointer: +0x7b:0x080b7008/);
  assert.match(out, /Opcode: +0xdd05/);
});
