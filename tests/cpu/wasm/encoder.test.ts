/**
 * The wasm encoder against the runtimes' own WebAssembly engines: modules
 * it builds validate, and compute what their text says.
 */
import { assert, test } from "../../harness.ts";
import { Code, I32, MemOp, ModuleBuilder, Op, sleb, uleb } from "../../../core/cpu/wasm/encoder.ts";

test("wasm encoder: LEB128 of edge values", () => {
  assert.deepEqual(uleb(0), [0]);
  assert.deepEqual(uleb(127), [0x7f]);
  assert.deepEqual(uleb(128), [0x80, 0x01]);
  assert.deepEqual(uleb(0xffffffff), [0xff, 0xff, 0xff, 0xff, 0x0f]);
  assert.deepEqual(sleb(0), [0]);
  assert.deepEqual(sleb(63), [0x3f]);
  assert.deepEqual(sleb(64), [0xc0, 0x00]);
  assert.deepEqual(sleb(-1), [0x7f]);
  assert.deepEqual(sleb(-64), [0x40]);
  assert.deepEqual(sleb(-65), [0xbf, 0x7f]);
  assert.deepEqual(sleb(-0x80000000), [0x80, 0x80, 0x80, 0x80, 0x78]);
});

test("wasm encoder: a loop over memory, an imported function and br_table", () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const words = new Int32Array(memory.buffer);
  for (let k = 0; k < 100; k++) words[k] = k * 3 - 50;
  const calls: number[] = [];
  const m = new ModuleBuilder();
  const i2i = m.type([I32], [I32]);
  m.importMemory("env", "memory", 1);
  const note = m.importFunc("env", "note", i2i);
  // sum(n): s = 0; for (k = n; k != 0; k--) s += mem[(k-1)*4]; return note(s)
  const sum = new Code()
    .block().loop()
    .localGet(0).op(Op.i32_eqz).brIf(1)
    .localGet(0).i32Const(1).op(Op.i32_sub).localTee(0).i32Const(2).op(Op.i32_shl)
    .mem(MemOp.i32_load, 0, 2).localGet(1).op(Op.i32_add).localSet(1)
    .br(0)
    .op(Op.end).op(Op.end)
    .localGet(1).call(note);
  m.func(i2i, 1, sum, "sum");
  // pick(i): br_table over three cases and a default
  const pick = new Code()
    .block().block().block().block()
    .localGet(0).brTable([0, 1, 2], 3)
    .op(Op.end).i32Const(10).op(Op.return)
    .op(Op.end).i32Const(-20).op(Op.return)
    .op(Op.end).i32Const(0x7fffffff).op(Op.return)
    .op(Op.end).i32Const(-0x80000000);
  m.func(i2i, 0, pick, "pick");
  const bytes = m.build();
  assert.ok(WebAssembly.validate(bytes), "the module validates");
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    env: { memory, note: (v: number) => (calls.push(v), v ^ 1) },
  });
  const e = exports as { sum: (n: number) => number; pick: (i: number) => number };
  const expected = Array.from({ length: 100 }, (_, k) => k * 3 - 50).reduce((a, b) => a + b, 0);
  assert.equal(e.sum(100), expected ^ 1);
  assert.deepEqual(calls, [expected]);
  assert.deepEqual([0, 1, 2, 3, 99, -1].map(e.pick), [10, -20, 0x7fffffff, -0x80000000, -0x80000000, -0x80000000]);
});

test("wasm encoder: memory.copy moves overlapping ranges as memmove, memory.fill repeats a byte", () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const bytes = new Uint8Array(memory.buffer);
  bytes.set([1, 2, 3, 4, 5, 6, 7, 8]);
  const m = new ModuleBuilder();
  const three = m.type([I32, I32, I32], []);
  m.importMemory("env", "memory", 1);
  m.func(three, 0, new Code().localGet(0).localGet(1).localGet(2).memoryCopy(), "copy");
  m.func(three, 0, new Code().localGet(0).localGet(1).localGet(2).memoryFill(), "fill");
  const { copy, fill } = new WebAssembly.Instance(new WebAssembly.Module(m.build()), { env: { memory } })
    .exports as Record<string, (a: number, b: number, c: number) => void>;
  copy(2, 0, 6);
  assert.deepEqual([...bytes.subarray(0, 8)], [1, 2, 1, 2, 3, 4, 5, 6]);
  fill(100, 0x1ab, 3);
  assert.deepEqual([...bytes.subarray(99, 104)], [0, 0xab, 0xab, 0xab, 0]);
});
