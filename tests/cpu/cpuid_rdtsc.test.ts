/**
 * CPUID answers fx86's documented values (docs/cpu.md), never the host's;
 * RDTSC reads the guest's instruction count, in every execution mode.
 */
import { assert, test } from "../harness.ts";
import { machine } from "./machine.ts";
import { CODE_BASE } from "./program.ts";
import { BACKENDS } from "./backends.ts";

const CPUID = [0x0f, 0xa2], RDTSC = [0x0f, 0x31], INT80 = [0xcd, 0x80];

function ascii(s: string): number {
  let v = 0;
  for (let k = 3; k >= 0; k--) v = (v << 8) | s.charCodeAt(k);
  return v >>> 0;
}

/** docs/cpu.md, "CPUID": [EAX, EBX, ECX, EDX] by leaf. */
const ANSWERS: [number, number[]][] = [
  [0, [1, ascii("Genu"), ascii("ntel"), ascii("ineI")]], // max leaf 1, "GenuineIntel"
  [1, [0x611, 0x800, 0, 0x07888111]], // family 6 model 1 stepping 1; CLFLUSH line 64; FPU TSC CX8 CMOV CLFSH MMX FXSR SSE SSE2
  [2, [0, 0, 0, 0]],
  [4, [0, 0, 0, 0]],
  [7, [0, 0, 0, 0]],
  [0x80000000, [0x80000000, 0, 0, 0]], // no extended leaves
  [0x80000001, [0, 0, 0, 0]],
  [0x80000002, [0, 0, 0, 0]],
  [0x40000000, [0, 0, 0, 0]], // no hypervisor leaves
  [0xffffffff, [0, 0, 0, 0]],
];

test("CPUID: fixed, documented answers for every leaf", () => {
  for (const backend of BACKENDS) {
    for (const [leaf, expected] of ANSWERS) {
      const m = machine(new Uint8Array([...CPUID, ...INT80]), backend);
      m.cpu.r.set([leaf, 0x12345678, 0x9abcdef0, 0x0fedcba9]);
      const stop = m.engine.run(100);
      assert.equal(stop.fault, undefined);
      const r = m.cpu.r;
      assert.deepEqual([r[0], r[3], r[1], r[2]].map((v) => v >>> 0), expected, `leaf 0x${leaf.toString(16)}`);
    }
  }
});

/** mov ecx, 5; l: dec ecx; jnz l; rdtsc; int 0x80: 11 instructions retire before RDTSC. */
const COUNTED = [0xb9, 5, 0, 0, 0, 0x49, 0x75, 0xfd, ...RDTSC, ...INT80];

test("RDTSC: EDX:EAX is the number of instructions retired before it", () => {
  for (const backend of BACKENDS) {
    for (const start of [0, 1000, 0xfffffff0, 2 ** 40 + 7]) {
      const m = machine(new Uint8Array(COUNTED), backend);
      m.cpu.icount = start;
      m.engine.run(1000);
      const t = start + 11;
      assert.equal(m.cpu.r[0] >>> 0, t % 2 ** 32, `start ${start}`);
      assert.equal(m.cpu.r[2] >>> 0, Math.floor(t / 2 ** 32));
      assert.equal(m.cpu.icount, start + 13);
    }
  }
});

test("RDTSC: the same count whatever budgets the run is split into", () => {
  for (let chunk = 1; chunk <= 13; chunk++) {
    const m = machine(new Uint8Array(COUNTED));
    let retired = 0;
    while (m.cpu.trap === 0) retired += m.engine.run(chunk).retired;
    assert.equal(retired, 13);
    assert.equal(m.cpu.r[0], 11, `chunks of ${chunk}`);
    assert.equal(m.cpu.eip >>> 0, CODE_BASE + COUNTED.length);
  }
});
