/**
 * Exact budgets (docs/cpu.md, "Counting"): a run split into budgets of any
 * size ends in the same state as one straight run, each partial run
 * retires exactly its budget, and block mode stops in the same state as
 * single-step mode at every stop, including inside REP string loops.
 */
import { assert, test } from "../harness.ts";
import { machine, type Machine, snapshot, type Snapshot } from "./machine.ts";
import { PROT_EXEC, PROT_READ, PROT_WRITE } from "../../core/memory/memory.ts";
import { CODE_BASE } from "./program.ts";
import { Rng } from "./rng.ts";
import { assembleWorkload, workloadSource } from "./workload.ts";
import { BACKENDS } from "./backends.ts";
import type { Backend } from "../../core/cpu/engine.ts";

function finish(m: Machine): Snapshot {
  while (m.cpu.trap === 0) {
    const stop = m.engine.run(1_000_000);
    assert.equal(stop.fault, undefined, String(stop.fault));
  }
  return snapshot(m);
}

function same(a: Snapshot, b: Snapshot, what: string): void {
  assert.deepEqual({ ...a, memory: undefined }, { ...b, memory: undefined }, what);
  assert.ok(a.memory.every((v, k) => v === b.memory[k]), `${what}: memory differs`);
}

test("budgets: split runs equal straight runs; every backend equals single-step at every stop", () => {
  const rng = new Rng(0xb0d6e7);
  let stops = 0, instructions = 0, repStops = 0;
  for (let p = 0; p < 16; p++) {
    const code = assembleWorkload(`workload-${p}`, workloadSource(rng, 120 + rng.below(120)));
    const straight = finish(machine(code));
    const backend = BACKENDS.filter((b) => b !== "single")[p % (BACKENDS.length - 1)];
    instructions += straight.icount;
    const block = machine(code, backend, 1), single = machine(code, "single", 2);
    // Small budgets stop everywhere; large ones let whole blocks and REP runs go.
    const maxChunk = rng.pick([3, 40, 400]);
    while (block.cpu.trap === 0) {
      const budget = 1 + rng.below(maxChunk);
      const a = block.engine.run(budget), b = single.engine.run(budget);
      assert.equal(a.fault, undefined);
      assert.equal(a.retired, b.retired);
      if (block.cpu.trap === 0) assert.equal(a.retired, budget, "a run retires exactly its budget");
      const sa = snapshot(block);
      same(sa, snapshot(single), `program ${p} (${backend}), stop ${stops}`);
      const at = code[sa.eip - CODE_BASE];
      if (at === 0xf3 || at === 0xf2) repStops++;
      stops++;
    }
    same(snapshot(block), straight, `program ${p}: split run vs straight run`);
  }
  console.log(`budgets: 16 programs, ${instructions} instructions, ${stops} stops compared (${repStops} at REP instructions)`);
});

test("budgets: code that rewrites code runs the new code, whatever the budgets and mode", () => {
  // page 0: mov ecx, 3; L: call F; mov [F+1], cl; add ebx, eax; dec ecx; jnz L; int 0x80
  // page 1: F: mov eax, 0x11111111; ret
  const page0 = [0xb9, 3, 0, 0, 0, 0xe8, 0, 0, 0, 0, 0x88, 0x0d, 0x01, 0x10, 0x00, 0x10, 0x01, 0xc3, 0x49, 0x75, 0];
  const call = 5, loop = 5;
  const rel = 0x1000 - (call + 5);
  page0.splice(call + 1, 4, rel & 0xff, (rel >> 8) & 0xff, 0, 0);
  page0[page0.length - 1] = (loop - page0.length) & 0xff;
  page0.push(0xcd, 0x80);
  const image = new Uint8Array(0x1000 + 6);
  image.set(page0);
  image.set([0xb8, 0x11, 0x11, 0x11, 0x11, 0xc3], 0x1000);
  const expected = (0x11111111 + 0x11111103 + 0x11111102) | 0;
  for (const backend of BACKENDS) {
    for (let chunk = 1; chunk <= 12; chunk++) {
      const m = machine(image, backend, 3);
      m.mem.protect(CODE_BASE, 0x2000, PROT_READ | PROT_WRITE | PROT_EXEC);
      m.cpu.r[3] = 0;
      while (m.cpu.trap === 0) {
        const stop = m.engine.run(chunk);
        assert.equal(stop.fault, undefined, String(stop.fault));
      }
      assert.equal(m.cpu.r[3], expected, `${backend}, budgets of ${chunk}`);
      m.mem.protect(CODE_BASE, 0x2000, PROT_READ | PROT_EXEC);
    }
  }
});

test("budgets: an instruction a region hands to the host that rewrites the next one runs the new code", () => {
  // XADD has no wasm emitter: regions call the host for it, and its write lands in their own code.
  const code = assembleWorkload("smc-host-call", [
    "bits 32", `org ${CODE_BASE}`, "mov ecx, 3", "xor ebx, ebx",
    "L: mov dl, cl", "xadd byte [X+1], dl", "X: mov eax, 0x11111111", "add ebx, eax", "dec ecx", "jnz L", "int 0x80",
  ].join("\n") + "\n");
  const run = (backend: Backend, chunk: number) => {
    const m = machine(code, backend, 3);
    m.mem.protect(CODE_BASE, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC);
    while (m.cpu.trap === 0) assert.equal(m.engine.run(chunk).fault, undefined);
    m.mem.protect(CODE_BASE, 0x1000, PROT_READ | PROT_EXEC);
    return m.cpu.r[3];
  };
  const expected = run("single", 1);
  assert.equal(expected, (0x11111114 + 0x11111116 + 0x11111117) | 0, "single-stepping runs each rewritten MOV");
  for (const backend of BACKENDS) {
    for (const chunk of [1, 2, 3, 5, 8, 1000]) assert.equal(run(backend, chunk), expected, `${backend}, budgets of ${chunk}`);
  }
});

test("budgets: a fault inside a block counts the instructions retired before it", () => {
  // inc eax; inc eax; rep stosb (ECX = 5000 runs off the work area); never reached: int 0x80
  const code = [0x40, 0x40, 0xbf, 0xf0, 0xff, 0x00, 0x40, 0xb9, 0x88, 0x13, 0, 0, 0xf3, 0xaa, 0xcd, 0x80];
  for (const backend of BACKENDS) {
    const m = machine(new Uint8Array(code), backend);
    const stop = m.engine.run(100_000);
    assert.equal(stop.fault?.kind, "page");
    // inc, inc, mov edi, mov ecx, then 16 STOSB iterations before 0x40010000
    assert.equal(stop.retired, 4 + 16);
    assert.equal(m.cpu.icount, stop.retired);
    assert.equal(m.cpu.eip >>> 0, CODE_BASE + 12, "EIP stays on the REP instruction");
    assert.equal(m.cpu.r[1], 5000 - 16, "ECX counts the iterations that completed");
  }
  // inc eax; inc eax; xor ecx, ecx; div ecx: one block, faulting at its fourth instruction
  for (const backend of BACKENDS) {
    const m = machine(new Uint8Array([0x40, 0x40, 0x31, 0xc9, 0xf7, 0xf1, 0xcd, 0x80]), backend);
    const stop = m.engine.run(100);
    assert.equal(stop.fault?.kind, "divide");
    assert.equal(stop.retired, 3);
    assert.equal(m.cpu.icount, 3);
    assert.equal(m.cpu.eip >>> 0, CODE_BASE + 4);
    assert.equal(m.cpu.r[0], 2);
  }
});

test("budgets: a region made again with a path its loop takes late stops where single-stepping does", () => {
  // A loop whose branch goes one way for its first half and the other way after, as gzip's deflate loop
  // does once its window fills: the region made at the loop's first hotness lacks the late path, and
  // is made again with it once the dispatcher has gone there from it often enough.
  const code = assembleWorkload("late-path", [
    "bits 32", `org ${CODE_BASE}`,
    "mov ecx, 600", "xor eax, eax", "xor ebx, ebx",
    "outer:", "cmp ecx, 300", "jb late",
    "early:", "add eax, ecx", "rol eax, 3", "jmp join",
    "late:", "sub ebx, ecx", "xor ebx, eax", "call helper",
    "join:", "dec ecx", "jnz outer",
    "int 0x80",
    "helper:", "lea edx, [ebx+ecx*4]", "imul edx, eax", "ret",
  ].join("\n"));
  const straight = finish(machine(code, "single", 2));
  let stops = 0, reformed = 0;
  for (const maxChunk of [7, 60, 1000, 1_000_000]) {
    const rng = new Rng(maxChunk);
    const regions = machine(code, "regions", 1), single = machine(code, "single", 2);
    while (regions.cpu.trap === 0) {
      const budget = 1 + rng.below(maxChunk);
      const a = regions.engine.run(budget), b = single.engine.run(budget);
      assert.equal(a.retired, b.retired);
      same(snapshot(regions), snapshot(single), `budgets up to ${maxChunk}, stop ${stops}`);
      stops++;
    }
    same(snapshot(regions), straight, `budgets up to ${maxChunk}: split run vs straight run`);
    reformed += regions.engine.reformed;
  }
  assert.ok(reformed > 0, "no region was made again");
  console.log(`budgets: late-path loop, ${stops} stops compared, ${reformed} regions made again`);
});
