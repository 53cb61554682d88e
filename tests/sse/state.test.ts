/**
 * XMM registers and MXCSR as guest state: they survive the guest tree
 * (cpu/xmm, cpu/mxcsr), a damaged MXCSR blob is refused with one line, and
 * FXSAVE/FXRSTOR round-trip the x87, MMX and SSE state.
 */
import { assert, test } from "../harness.ts";
import { Cpu } from "../../core/cpu/state.ts";
import { X87 } from "../../core/cpu/x87/x87.ts";
import { fxrstor, fxsave } from "../../core/cpu/sse/control.ts";
import { cpuFromTree, cpuToTree, LayoutError } from "../../core/vm/layout.ts";
import { blob } from "../../core/tree/mod.ts";
import { Memory, PROT_READ, PROT_WRITE } from "../../core/memory/memory.ts";
import { GuestFault } from "../../core/fault.ts";

function sample(): Cpu {
  const c = new Cpu(new X87());
  for (let k = 0; k < 128; k++) c.xmm[k] = (k * 37 + 5) & 255;
  c.mxcsr = 0x9fe5;
  return c;
}

test("SSE state: XMM registers and MXCSR survive the guest tree", () => {
  const c = sample();
  const tree = cpuToTree(c);
  const back = cpuFromTree(tree);
  assert.deepEqual([...back.xmm], [...c.xmm]);
  assert.equal(back.mxcsr, 0x9fe5);
  const bad = tree.patch([["mxcsr", blob(new Uint8Array([0, 0, 1, 0]))]]);
  assert.throws(() => cpuFromTree(bad), (e) => e instanceof LayoutError && /cpu\/mxcsr sets reserved bits/.test(e.message));
  const short = tree.patch([["xmm", blob(new Uint8Array(16))]]);
  assert.throws(() => cpuFromTree(short), (e) => e instanceof LayoutError && /cpu\/xmm must be 128 bytes/.test(e.message));
});

test("SSE state: FXSAVE then FXRSTOR restores x87, MMX and SSE state; misaligned or reserved MXCSR is #GP", () => {
  const m = new Memory();
  m.map(0x10000, 0x2000, PROT_READ | PROT_WRITE);
  const c = sample();
  c.fpu.top = 3;
  c.fpu.empty = 0x0f;
  for (let p = 0; p < 8; p++) {
    c.fpu.lo[p] = p * 0x1111;
    c.fpu.hi[p] = 0x80000000 | p;
    c.fpu.se[p] = 0x3fff + p;
  }
  fxsave(c, m, 0x10000);
  const d = new Cpu(new X87());
  fxrstor(d, m, 0x10000);
  assert.deepEqual([...d.xmm], [...c.xmm]);
  assert.equal(d.mxcsr, c.mxcsr);
  assert.equal(d.fpu.top, 3);
  assert.equal(d.fpu.empty, 0x0f);
  assert.deepEqual([...d.fpu.lo, ...d.fpu.hi, ...d.fpu.se], [...c.fpu.lo, ...c.fpu.hi, ...c.fpu.se]);
  assert.throws(() => fxsave(c, m, 0x10008), (e) => e instanceof GuestFault && e.kind === "general-protection");
  m.w32(0x10000 + 24, 0x10000);
  assert.throws(() => fxrstor(d, m, 0x10000), (e) => e instanceof GuestFault && e.kind === "general-protection");
});
