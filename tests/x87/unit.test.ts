/**
 * Unit tests of the x87 unit's interfaces: state save/restore, the
 * exception policy (#MF at the next waiting instruction), FNSTSW AX,
 * FCOMI's flags, atomic stores, and the disassembler description. The
 * numerics are covered by the differential test (x87.test.ts).
 */
import { assert, test } from "../harness.ts";
import { describeX87, X87 } from "../../core/cpu/x87/x87.ts";
import { Cpu } from "../../core/cpu/state.ts";
import { af, cf, of, pf, setEflags, sf, zf } from "../../core/cpu/flags.ts";
import { Memory, PROT_READ, PROT_WRITE } from "../../core/memory/memory.ts";
import { GuestFault } from "../../core/fault.ts";

const EIP = 0x8048000;

function machine() {
  const fpu = new X87();
  const c = new Cpu(fpu);
  const m = new Memory();
  m.map(0x1000, 0x1000, PROT_READ | PROT_WRITE);
  m.map(0x2000, 0x1000, PROT_READ);
  /** Runs one instruction; memory forms use the ModRM [disp32] encoding. */
  const run = (esc: number, modrm: number, ea = 0, o16 = false) =>
    fpu.exec(
      c,
      m,
      esc,
      modrm < 0xc0 ? (modrm & 0x38) | 5 : modrm,
      ea,
      o16,
      EIP,
    );
  return { fpu, c, m, run };
}

function faultKind(f: () => void): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof GuestFault) return e.kind;
    throw e;
  }
  return undefined;
}

test("x87: initial state is FNINIT's", () => {
  const { fpu } = machine();
  assert.equal(fpu.cw, 0x037f);
  assert.equal(fpu.statusWord(), 0);
  assert.equal(fpu.tagWord(), 0xffff);
});

test("x87: save/restore round trip", () => {
  const { fpu, c, m, run } = machine();
  run(0xd9, 0xeb); // fldpi
  run(0xd9, 0xe9); // fldl2t
  run(0xde, 0xf9); // fdivp
  run(0xd9, 0xee); // fldz
  m.w16(0x1100, 0x0b7f); // round up, all masked
  run(0xd9, 0x28, 0x1100); // fldcw
  run(0xd9, 0xe8); // fld1
  run(0xde, 0xf1); // fdivrp: 1/0, ZE masked
  m.write(0x1200, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 0, 0])); // a denormal
  run(0xdb, 0x28, 0x1200); // fld m80fp
  const saved = fpu.save();
  assert.equal(saved.length, 108);

  const copy = new X87();
  copy.restore(saved);
  assert.deepEqual(copy.save(), saved);
  // Both continue identically.
  const c2 = new Cpu(copy);
  fpu.exec(c, m, 0xd8, 0xc1, 0, false, EIP); // fadd st0, st1
  copy.exec(c2, m, 0xd8, 0xc1, 0, false, EIP);
  assert.deepEqual(copy.save(), fpu.save());
});

test("x87: an unmasked exception faults at the next waiting instruction", () => {
  const { fpu, c, m, run } = machine();
  m.w16(0x1100, 0x037b); // ZE unmasked
  run(0xd9, 0x28, 0x1100); // fldcw
  run(0xd9, 0xe8); // fld1
  run(0xd9, 0xee); // fldz
  run(0xde, 0xf9); // fdivp: 1/0 -> ZE pending, result suppressed, no fault yet
  assert.equal(fpu.statusWord() & 0x8085, 0x8084, "ES, B and ZE set");
  const top = fpu.top;
  assert.equal(faultKind(() => run(0xd9, 0xe8)), "x87", "fld1 faults");
  assert.equal(fpu.top, top, "the faulting instruction did not run");
  assert.equal(faultKind(() => fpu.fwait(c)), "x87", "fwait faults");
  c.r[0] = 0;
  run(0xdf, 0xe0); // fnstsw ax: non-waiting
  assert.equal(c.r[0] & 0x8085, 0x8084);
  run(0xdb, 0xe2); // fnclex
  assert.equal(faultKind(() => run(0xd9, 0xe8)), undefined);
});

test("x87: FNSTSW AX writes only AX", () => {
  const { c, run } = machine();
  c.r[0] = 0x12345678;
  run(0xd9, 0xe8); // fld1: TOP = 7
  run(0xdf, 0xe0);
  assert.equal(c.r[0] >>> 0, 0x12343800);
});

test("x87: FCOMI sets ZF/PF/CF and clears OF/SF/AF", () => {
  const { c, run } = machine();
  setEflags(c, 0x8d5, 0x8d5);
  run(0xd9, 0xe8); // fld1
  run(0xd9, 0xee); // fldz: st0 = 0 < st1 = 1
  run(0xdb, 0xf1); // fcomi st0, st1
  assert.deepEqual([zf(c), pf(c), cf(c), of(c), sf(c), af(c)], [
    0,
    0,
    1,
    0,
    0,
    0,
  ]);
  run(0xdf, 0xe9); // fucomip st0, st1: 0 vs 1 again, then pop
  run(0xd9, 0xc0); // fld st0: 1 vs 1
  run(0xdb, 0xe9); // fucomi
  assert.deepEqual([zf(c), pf(c), cf(c)], [1, 0, 0]);
});

test("x87: a store that faults changes nothing", () => {
  const { fpu, m, run } = machine();
  run(0xd9, 0xeb); // fldpi
  const before = fpu.save();
  // fstp m64fp at 0x1ffc crosses into the read-only page at 0x2000
  assert.equal(faultKind(() => run(0xdd, 0x18, 0x1ffc)), "page");
  assert.deepEqual(m.read(0x1ffc, 4), new Uint8Array(4));
  // FIP/FOP/FDP were recorded; everything else is as before.
  assert.deepEqual(fpu.save().subarray(28), before.subarray(28));
  assert.equal(fpu.statusWord(), 0x3800);
});

test("x87: undefined encodings fault", () => {
  const { run } = machine();
  for (
    const [esc, modrm] of [[0xd9, 0xd1], [0xdb, 0x08], [0xdd, 0x08], [
      0xdf,
      0x08,
    ], [0xde, 0xd8]]
  ) {
    assert.equal(faultKind(() => run(esc, modrm)), "undefined-opcode");
  }
});

test("x87: describeX87 names every encoding from the table", () => {
  assert.deepEqual(describeX87(0xd8, 0xc1), {
    mnemonic: "fadd",
    operands: ["st0", "st1"],
  });
  assert.deepEqual(describeX87(0xdc, 0xe9), {
    mnemonic: "fsub",
    operands: ["st1", "st0"],
  });
  assert.deepEqual(describeX87(0xde, 0xe1), {
    mnemonic: "fsubrp",
    operands: ["st1", "st0"],
  });
  assert.deepEqual(describeX87(0xdd, 0x1d), {
    mnemonic: "fstp",
    operands: ["m64fp"],
  });
  assert.deepEqual(describeX87(0xdf, 0x2d), {
    mnemonic: "fild",
    operands: ["m64int"],
  });
  assert.deepEqual(describeX87(0xdf, 0xe0), {
    mnemonic: "fnstsw",
    operands: ["ax"],
  });
  assert.deepEqual(describeX87(0xdd, 0x75), {
    mnemonic: "fnsave",
    operands: ["m94/108byte"],
  });
  assert.deepEqual(describeX87(0xdf, 0xe9), {
    mnemonic: "fucomip",
    operands: ["st0", "st1"],
  });
  assert.deepEqual(describeX87(0xde, 0xd9), {
    mnemonic: "fcompp",
    operands: [],
  });
  assert.equal(describeX87(0xdb, 0x0d), undefined, "fisttp is SSE3");
  let defined = 0;
  for (let esc = 0xd8; esc <= 0xdf; esc++) {
    for (let modrm = 0; modrm < 256; modrm++) {
      const d = describeX87(esc, modrm);
      if (!d) continue;
      defined++;
      assert.match(d.mnemonic, /^f[a-z0-9]+$/);
      for (const o of d.operands) {
        assert.match(
          o,
          /^(st[0-7]|ax|m(32|64|80)fp|m(16|32|64)int|m80bcd|m2byte|m14\/28byte|m94\/108byte)$/,
        );
      }
    }
  }
  // 57 of the 64 memory /reg slots (not D9 /1, DB /4, DB /6, DD /5 nor
  // the three FISTTP) times 24 memory ModRMs each, plus the 420 register
  // forms a P6 executes.
  assert.equal(defined, 57 * 24 + 420);
});
