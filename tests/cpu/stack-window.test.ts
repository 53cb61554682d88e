/**
 * Stack windows (core/cpu/wasm/stack.ts): a region block reaches the
 * stack at offsets from ESP it knows, after one page check at its start.
 * Wherever ESP puts the window (inside a page, across a page boundary, on
 * no page at all) every backend stops in the state single-stepping does,
 * at every budget; a block whose window keeps crossing a boundary gives it
 * up, and one that never does keeps it.
 */
import { assert, test } from "../harness.ts";
import { machine, type Machine, snapshot, WORK_BASE } from "./machine.ts";
import { BACKENDS } from "./backends.ts";

/**
 * `iterations` rounds of: add eax, 3; push eax; push ebx; mov ecx, [esp+4];
 * add [esp+16], ecx; mov ebx, [esp+16]; add esp, 4; pop eax; dec edx; jnz;
 * then int 0x80. The loop's window spans ESP - 8 to ESP + 12.
 */
function loop(iterations: number): Uint8Array {
  const body = [
    0x83, 0xc0, 0x03, 0x50, 0x53, 0x8b, 0x4c, 0x24, 0x04, 0x01, 0x4c, 0x24, 0x10,
    0x8b, 0x5c, 0x24, 0x10, 0x83, 0xc4, 0x04, 0x58, 0x4a,
  ];
  const n = iterations;
  return new Uint8Array([0xba, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24, ...body, 0x75, -(body.length + 2) & 0xff, 0xcd, 0x80]);
}

function start(code: Uint8Array, backend: Parameters<typeof machine>[1], slot: number, esp: number): Machine {
  const m = machine(code, backend, slot);
  m.cpu.r[4] = esp;
  return m;
}

function same(a: Machine, b: Machine, what: string): void {
  const sa = snapshot(a), sb = snapshot(b);
  assert.deepEqual({ ...sa, memory: undefined }, { ...sb, memory: undefined }, what);
  assert.ok(sa.memory.every((v, k) => v === sb.memory[k]), `${what}: memory differs`);
}

test("stack windows: inside a page or across a boundary, every backend runs the loop as single-stepping does", () => {
  // 20,000 rounds: enough for the tiered backend to make regions too.
  const code = loop(20_000);
  const page = WORK_BASE + 0x2000;
  for (const backend of BACKENDS) {
    for (const esp of [page + 0x800, page - 12, page - 8, page + 4, page + 8, page + 12]) {
      const what = `${backend}, ESP 0x${esp.toString(16)}`;
      const m = start(code, backend, 1, esp), single = start(code, "single", 2, esp);
      for (const x of [m, single]) while (x.cpu.trap === 0) assert.equal(x.engine.run(1_000_000).fault, undefined, what);
      same(m, single, what);
      if (backend === "regions" || backend === "tiered") {
        const across = esp - 8 < page && esp + 12 > page;
        assert.equal(m.engine.windowless > 0, across, `${what}: the loop's block gave up its window`);
      }
    }
  }
});

test("stack windows: budgets stop every backend where single-stepping stops, across a boundary too", () => {
  const code = loop(300);
  const page = WORK_BASE + 0x3000;
  let stops = 0;
  for (const backend of BACKENDS.filter((b) => b !== "single")) {
    for (const esp of [page + 0x400, page + 4]) {
      for (const chunk of [2, 23, 150]) {
        const m = start(code, backend, 1, esp), single = start(code, "single", 2, esp);
        while (m.cpu.trap === 0) {
          const a = m.engine.run(chunk), b = single.engine.run(chunk);
          assert.equal(a.retired, b.retired);
          same(m, single, `${backend}, ESP 0x${esp.toString(16)}, budgets of ${chunk}, stop ${stops++}`);
        }
      }
    }
  }
  assert.ok(stops > 2000, `${stops} stops`);
});

test("stack windows: a push to no page faults at the push, as single-stepping does", () => {
  const code = loop(10);
  for (const backend of BACKENDS) {
    for (const esp of [0x50000000, WORK_BASE]) {
      const m = start(code, backend, 1, esp), single = start(code, "single", 2, esp);
      const a = m.engine.run(1000), b = single.engine.run(1000);
      assert.equal(a.fault?.message, b.fault?.message, backend);
      assert.ok(a.fault !== undefined, `${backend}: ESP 0x${esp.toString(16)} faults`);
      same(m, single, `${backend}, ESP 0x${esp.toString(16)}`);
    }
  }
});
