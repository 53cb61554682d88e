/**
 * Watchpoints against brute force: a guest stepped one instruction at a
 * time, its watched bytes compared after each, gives every position where
 * they changed; the session's watch (chunks, page-write checks, replays)
 * must stop at exactly those positions going forward, and reverse-continue
 * exactly one instruction before each going back. Small chunks and
 * checkpoint intervals put changes on and across every boundary. Read and
 * access watchpoints likewise against the instructions iced-x86 says read
 * (or read or write) the watched bytes (tests/debug/brute.ts).
 */
import { assert, test } from "../harness.ts";
import { Session } from "../../core/session/mod.ts";
import { ESP } from "../../core/cpu/state.ts";
import { memoryAccesses, memoryChanges, PROGRAM, syms } from "./brute.ts";

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

/** Watched places: counter, and a stack slot below main's frame (every call writes there, values come and go). */
const PLACES = [
  { name: "a global (counter)", expr: "counter", addr: () => syms.lookup("counter")!.address },
  { name: "a stack slot callees reuse", expr: "*($esp-0x18)", addr: (esp: number) => (esp - 0x18) >>> 0 },
];

/**
 * Runs `watch` (`rwatch`, `awatch`) on a place from main, in chunks of 7
 * with checkpoints every 50, and checks the stops against `reference`
 * (the positions after which a watchpoint must stop, over the whole run):
 * forward from main, then backwards from the exit, past main's start to
 * the start of the history.
 */
async function checkStops(command: string, place: (typeof PLACES)[number], reference: (addr: number) => number[]) {
  const s = new Session({ chunk: 7, every: 50 });
  assert.ok((await s.execute(`load ${PROGRAM}`)).ok);
  await s.execute("break main");
  await s.execute("continue");
  await s.execute("delete");
  const start = s.state.machine().position;
  const r = await s.execute(`${command} ${place.expr}`);
  assert.ok(r.ok, r.text);
  const all = reference(place.addr(s.state.machine().guest.cpu.r[ESP] >>> 0));
  const expected = all.filter((p) => p > start);
  assert.ok(expected.length >= 5, `${expected.length} stops expected`);
  assert.deepEqual(await stops(s, "continue"), expected);
  assert.deepEqual(await stops(s, "reverse-continue"), all.map((p) => p - 1).reverse());
}

for (const place of PLACES) {
  test(`watch: ${place.name}: forward and reverse stops are brute force's, with chunks of 7 and checkpoints every 50`, () =>
    checkStops("watch", place, (addr) => memoryChanges(addr, 4).map((c) => c.at)));
  for (const [command, which] of [["rwatch", "read"], ["awatch", "access"]] as const) {
    test(`${command}: ${place.name}: forward and reverse stops are the instructions iced-x86 says ${which === "read" ? "read" : "touch"} it`, () =>
      checkStops(command, place, (addr) => memoryAccesses(addr, 4, which).map((a) => a.at)));
  }
}
