/**
 * `when` and `why` against brute force (tests/debug/brute.ts): every change
 * `when` lists is one a single-stepped run sees, with the instruction that
 * made it, and nothing else; `why` lands before the last change, again and
 * again going back. Small chunks and checkpoint intervals, so windows,
 * chunks and checkpoints fall everywhere.
 */
import { assert, test } from "../harness.ts";
import { Session } from "../../core/session/mod.ts";
import { EAX, ESP } from "../../core/cpu/state.ts";
import { memoryChanges, PROGRAM, registerChanges, syms } from "./brute.ts";

async function ok(s: Session, line: string): Promise<string> {
  const r = await s.execute(line);
  assert.ok(r.ok, `${line}: ${r.text}`);
  return r.text;
}

/** `instruction N (0x…` lines: position before the change, and the instruction's address. */
function listed(text: string): { at: number; eip: number }[] {
  return [...text.matchAll(/instruction (\d+) \((0x[0-9a-f]{8})/g)].map((m) => ({ at: Number(m[1]), eip: Number(m[2]) }));
}

async function atExit(): Promise<Session> {
  const s = new Session({ chunk: 11, every: 64 });
  await ok(s, `load ${PROGRAM}`);
  await ok(s, "continue");
  return s;
}

test("when: a global's and a stack slot's changes are brute force's, and the position stays", async () => {
  const s = await atExit();
  const end = s.state.machine().position;
  const counter = syms.lookup("counter")!.address;
  const expected = memoryChanges(counter, 4).map((c) => ({ at: c.at - 1, eip: c.eip }));
  assert.deepEqual(listed(await ok(s, "when counter")), expected);
  // Below main's frame (its ESP - 0x18 at main): callees reuse it, values come and go.
  const slot = 0xbffffdb4;
  assert.deepEqual(listed(await ok(s, "when *0xbffffdb4")), memoryChanges(slot, 4).map((c) => ({ at: c.at - 1, eip: c.eip })));
  assert.equal(s.state.machine().position, end);
});

test("why: back to each last change of a variable and of registers, as brute force finds them", async () => {
  const s = await atExit();
  const counter = syms.lookup("counter")!.address;
  const writes = memoryChanges(counter, 4).map((c) => ({ at: c.at - 1, eip: c.eip })).reverse();
  for (const w of writes) assert.deepEqual(listed(await ok(s, "why counter")), [w]);
  assert.match(await ok(s, "why counter"), /did not change since the start/);
  assert.equal(s.state.machine().position, writes.at(-1)!.at, "a search that finds nothing stays");
  for (const [reg, index] of [["eax", EAX], ["esp", ESP]] as const) {
    const t = await atExit();
    const changes = registerChanges((g) => g.cpu.r[index]).map((c) => ({ at: c.at - 1, eip: c.eip })).reverse();
    for (const c of changes.slice(0, 6)) assert.deepEqual(listed(await ok(t, `why ${reg}`)), [c], reg);
  }
});
