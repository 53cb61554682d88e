/**
 * Watchpoints against brute force: a guest stepped one instruction at a
 * time, its watched bytes compared after each, gives every position where
 * they changed; the session's watch (chunks, page-write checks, replays)
 * must stop at exactly those positions going forward, and reverse-continue
 * exactly one instruction before each going back. Small chunks and
 * checkpoint intervals put changes on and across every boundary.
 */
import { assert, test } from "../harness.ts";
import { Session } from "../../core/session/mod.ts";
import { ESP } from "../../core/cpu/state.ts";
import { memoryChanges, PROGRAM, syms } from "./brute.ts";

async function stops(s: Session, command: string): Promise<number[]> {
  const out: number[] = [];
  for (;;) {
    const r = await s.execute(command);
    assert.ok(r.ok, r.text);
    const m = /^\[(\d+)\]/m.exec(r.text.split("\n").at(-1)!)!;
    if (!/watchpoint \d+:/.test(r.text)) return out;
    out.push(Number(m[1]));
  }
}

for (const [name, setup] of [
  ["a global (counter)", "watch counter"],
  // Below main's frame: every call writes there, values come and go.
  ["a stack slot callees reuse", "watch *($esp-0x18)"],
] as const) {
  test(`watch: ${name}: forward and reverse stops are brute force's, with chunks of 7 and checkpoints every 50`, async () => {
    const s = new Session({ chunk: 7, every: 50 });
    assert.ok((await s.execute(`load ${PROGRAM}`)).ok);
    await s.execute("break main");
    await s.execute("continue");
    await s.execute("delete");
    const start = s.state.machine().position;
    const espAtMain = s.state.machine().guest.cpu.r[ESP] >>> 0;
    const r = await s.execute(setup);
    assert.ok(r.ok, r.text);
    const addr = name.startsWith("a global") ? syms.lookup("counter")!.address : (espAtMain - 0x18) >>> 0;
    const all = memoryChanges(addr, 4).map((c) => c.at);
    const expected = all.filter((p) => p > start);
    assert.ok(expected.length >= 5, `${expected.length} changes`);
    assert.deepEqual(await stops(s, "continue"), expected);
    // Backwards from the exit, past main's start to the start of the history.
    assert.deepEqual(await stops(s, "reverse-continue"), all.map((p) => p - 1).reverse());
  });
}
