/**
 * Code runs at every address of the 32-bit space: EIP is an unsigned
 * 32-bit quantity, and nothing on its way (decoder, block cache, page
 * marks, breakpoints, the Linux layer) may treat an address at or above
 * 0x80000000 as negative. Checked at the engine level across the whole
 * space (blocks crossing 0x7FFFFFFF -> 0x80000000, code in the last page)
 * and through the Linux personality by a guest that maps RWX pages high
 * and calls into them, as a JIT or the dynamic loader does.
 */
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { type Backend, Engine } from "../../core/cpu/engine.ts";
import { Cpu } from "../../core/cpu/state.ts";
import { X87 } from "../../core/cpu/x87/x87.ts";
import { Memory, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../core/memory/memory.ts";
import { Guest } from "../../core/vm/guest.ts";
import { image, nasmFlat, nasmProgram } from "../support/build.ts";
import { REPO } from "../support/guests.ts";
import { BACKENDS } from "./backends.ts";

const STACK = 0x20000000;
const HERE = 0x14; // offset of `here` in pic.asm (checked below against the code)

/** Starts of the position-independent program: both sides of the sign bit, across it, and the top page. */
const STARTS = [
  0x00010000, 0x10000000, 0x40000000, 0x7fffe000,
  0x7ffffffd, // `mov ecx, 5` straddles 0x80000000
  0x7ffffff5, // the loop's call straddles it, and its jnz jumps back across it
  0x7fffffff - HERE, // `pop ebx` is the last byte below 0x80000000
  0x80000000, 0x80000ffe, 0xb7e80000, 0xc0000000, 0xdeadb000, 0xfffef000, 0xffff0000,
  0xfffff000, 0xfffff000 + 0xfb0, // the last page, the program ending a few bytes below 4 GiB
];

function run(code: Uint8Array, start: number, backend: Backend, budget = 1_000_000) {
  const mem = new Memory();
  const first = Math.floor(start / PAGE_SIZE) * PAGE_SIZE;
  mem.map(first, start + code.length - first, PROT_READ | PROT_EXEC);
  mem.poke(start, code);
  mem.map(STACK, PAGE_SIZE, PROT_READ | PROT_WRITE);
  const cpu = new Cpu(new X87());
  cpu.eip = start | 0;
  cpu.r[4] = STACK + PAGE_SIZE;
  const engine = new Engine(cpu, mem);
  engine.backend = backend;
  let retired = 0;
  while (cpu.trap === 0) {
    const stop = engine.run(budget);
    assert.equal(stop.fault, undefined, `code at 0x${start.toString(16)}: ${stop.fault?.message}`);
    retired += stop.retired;
  }
  return { eax: cpu.r[0], ebx: cpu.r[3] >>> 0, esi: cpu.r[6] >>> 0, eip: cpu.eip >>> 0, retired };
}

test("high addresses: the same code runs identically anywhere in the 32-bit space, in every backend", () => {
  const code = nasmFlat(join(REPO, "tests/cpu/guests/pic.asm"), "pic.bin");
  assert.equal(code[HERE], 0x5b, "HERE must be the offset of pop ebx in pic.asm");
  const reference = run(code, 0x10000000, "single");
  for (const start of STARTS) {
    for (const backend of BACKENDS) {
      for (const budget of [1_000_000, 3]) {
        const r = run(code, start, backend, budget);
        const where = `0x${start.toString(16)} ${backend} budget ${budget}`;
        assert.equal(r.eax, 35, where);
        assert.equal(r.ebx, (start + HERE) >>> 0, `${where}: call/pop reads its own address`);
        assert.equal(r.esi, 0x1234abcd, `${where}: a load relative to it`);
        assert.equal(r.eip, (start + code.length) >>> 0, `${where}: stops after the int 0x80`);
        assert.equal(r.retired, reference.retired, `${where}: instruction count`);
      }
    }
  }
});

test("high addresses: a guest maps RWX pages up to 0xBF000000 and calls code it wrote there", () => {
  const program = image(nasmProgram(join(REPO, "tests/cpu/guests/jit.asm"), "jit"));
  for (const backend of BACKENDS) {
    const guest = Guest.fromElf({ program, argv: ["jit"] });
    guest.engine.backend = backend;
    const stop = guest.run(Infinity);
    assert.equal(stop.status, "exited", JSON.stringify(stop));
    assert.equal(stop.status === "exited" && stop.exitCode, 7, "every one of the 7 addresses ran its code");
  }
});
