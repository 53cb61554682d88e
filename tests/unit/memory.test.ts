import { assert, test } from "../harness.ts";
import { FRAME_BYTES, Memory, PAGE_SIZE, PROT_READ, PROT_WRITE, WASM_POOL, WASM_RI } from "../../core/memory/memory.ts";
import { GuestFault } from "../../core/fault.ts";
import { blockSource, compileBlock } from "../../core/cpu/codegen/compile.ts";
import { decode } from "../../core/cpu/isa/decoder.ts";
import { Cpu } from "../../core/cpu/state.ts";
import { X87 } from "../../core/cpu/x87/x87.ts";

const RW = PROT_READ | PROT_WRITE;

test("memory: cross-page 32-bit access, and a page copied out stays as it was", () => {
  const m = new Memory();
  m.map(0x1000, 0x2000, RW);
  m.w32(0x1ffe, 0x11223344);
  assert.equal(m.r32(0x1ffe), 0x11223344);
  assert.equal(m.r8(0x2000), 0x22);
  const page = m.pageData(1)!;
  m.takeChanges();
  m.w8(0x1000, 7);
  assert.equal(page[0], 0);
  assert.equal(m.r8(0x1000), 7);
  assert.equal(m.pageData(1)![0], 7);
});

test("memory: faults name the address", () => {
  const m = new Memory();
  m.map(0x1000, 0x1000, PROT_READ);
  assert.throws(() => m.w8(0x1004, 1), (e: unknown) =>
    e instanceof GuestFault && e.address === 0x1004);
  assert.throws(() => m.r32(0x1ffe), (e: unknown) =>
    e instanceof GuestFault && e.address === 0x2000);
});

test("memory: a bulk access faults at the first byte it may not touch, and changes nothing", () => {
  const m = new Memory();
  m.map(0x1000, 0x2000, RW);
  m.map(0x3000, 0x1000, PROT_READ);
  assert.throws(() => m.write(0x1800, new Uint8Array(0x2000).fill(9)), (e: unknown) =>
    e instanceof GuestFault && e.address === 0x3000);
  assert.equal(m.r8(0x1800), 0, "nothing written before the fault");
  assert.throws(() => m.read(0x3ff0, 0x20), (e: unknown) =>
    e instanceof GuestFault && e.address === 0x4000);
  assert.throws(() => m.write(0xffffffff - 4, new Uint8Array(8)), (e: unknown) =>
    e instanceof GuestFault && e.address === 0xffffffff - 4);
});

test("memory: the frame pool grows across many frames and keeps every page's data", () => {
  const m = new Memory();
  const pages = 3000, base = 0x40000000;
  const before = m.h8.length;
  m.map(base, pages * PAGE_SIZE, RW);
  for (let k = 0; k < pages; k++) {
    m.w32(base + k * PAGE_SIZE + 8, k * 7919);
    m.w8(base + k * PAGE_SIZE + 4095, k & 255);
  }
  assert.ok(m.h8.length > before && m.h8.length >= (pages + 2) * PAGE_SIZE, "the pool grew");
  for (let k = 0; k < pages; k++) {
    assert.equal(m.r32(base + k * PAGE_SIZE + 8), k * 7919);
    assert.equal(m.r8(base + k * PAGE_SIZE + 4095), k & 255);
    assert.equal(m.r32(base + k * PAGE_SIZE), 0);
  }
});

/** The offsets in a page that exercise aligned, unaligned and page-crossing accesses of every size. */
const OFFSETS = [0, 1, 2, 3, 4, 5, 6, 7, 4088, 4090, 4091, 4092, 4093, 4094, 4095];
const VALUES: Record<number, number> = { 8: 0xa5, 16: 0xbeef, 32: 0x8badf00d | 0 };

test("memory: accessors load and store aligned, unaligned and page-crossing values little-endian", () => {
  for (const size of [8, 16, 32]) {
    for (const o of OFFSETS) {
      const m = new Memory();
      m.map(0xf000, 3 * PAGE_SIZE, RW);
      const a = 0x10000 + o, v = VALUES[size];
      if (size === 8) m.w8(a, v);
      else if (size === 16) m.w16(a, v);
      else m.w32(a, v);
      const bytes = m.read(a, size / 8);
      assert.deepEqual([...bytes], [0, 8, 16, 24].slice(0, size / 8).map((s) => (v >>> s) & 255), `w${size} at +${o}`);
      const got = size === 8 ? m.r8(a) : size === 16 ? m.r16(a) : m.r32(a);
      assert.equal(got, v, `r${size} at +${o}`);
      assert.equal(m.r8(a - 1), 0, "the byte before is untouched");
      assert.equal(m.r8(a + size / 8), 0, "the byte after is untouched");
    }
  }
});

/** Runs one instruction (its bytes) with EBX = `a` and EAX = `eax`; returns EAX after. */
function runInstr(m: Memory, bytes: number[], a: number, eax: number): number {
  const instr = decode((addr) => bytes[addr - 0x100], 0x100);
  const c = new Cpu(new X87());
  c.r[0] = eax;
  c.r[3] = a;
  compileBlock([instr])(c, c.r, m, 1);
  return c.r[0];
}

test("memory: generated code loads and stores aligned, unaligned and page-crossing values through the pool", () => {
  const store = { 8: [0x88, 0x03], 16: [0x66, 0x89, 0x03], 32: [0x89, 0x03] }; // mov [ebx], al/ax/eax
  const load = { 8: [0x8a, 0x03], 16: [0x66, 0x8b, 0x03], 32: [0x8b, 0x03] }; // mov al/ax/eax, [ebx]
  const add = { 8: [0x00, 0x03], 16: [0x66, 0x01, 0x03], 32: [0x01, 0x03] }; // add [ebx], al/ax/eax
  const src = blockSource([decode((addr) => [0x8b, 0x03][addr], 0)]);
  assert.match(src, /m\.h32\[/, "a 32-bit load is inlined through h32");
  for (const size of [8, 16, 32] as const) {
    const mask = size === 32 ? -1 : (1 << size) - 1;
    for (const o of OFFSETS) {
      const m = new Memory();
      m.map(0xf000, 3 * PAGE_SIZE, RW);
      const a = 0x10000 + o, v = VALUES[size];
      runInstr(m, store[size], a, v);
      assert.deepEqual([...m.read(a, size / 8)], [0, 8, 16, 24].slice(0, size / 8).map((s) => (v >>> s) & 255), `store ${size} at +${o}`);
      assert.equal(runInstr(m, load[size], a, 0) & mask, v & mask, `load ${size} at +${o}`);
      runInstr(m, add[size], a, 1);
      assert.equal(size === 8 ? m.r8(a) : size === 16 ? m.r16(a) : m.r32(a), (v + 1) & mask, `add ${size} at +${o}`);
      assert.equal(m.r8(a - 1) | m.r8(a + size / 8), 0, "neighbours untouched");
    }
  }
});

test("memory: fresh pages share the zero frame until written, then get a zero-filled frame of their own", () => {
  const m = new Memory();
  m.map(0x1000, 4 * PAGE_SIZE, RW);
  const zero = m.ri[1];
  assert.ok(zero !== 0);
  for (let pn = 1; pn <= 4; pn++) {
    assert.equal(m.ri[pn], zero, "every fresh page reads the same frame");
    assert.equal(m.wi[pn], 0, "and cannot write it in place");
  }
  m.w32(0x2010, -1);
  assert.notEqual(m.ri[2], zero);
  assert.equal(m.wi[2], m.ri[2], "the written page is now written in place");
  assert.equal(m.r32(0x2010), -1);
  assert.equal(m.r32(0x2000), 0, "the rest of the new frame is zero");
  for (const pn of [1, 3, 4]) assert.equal(m.ri[pn], zero);
  assert.equal(m.r32(0x3010), 0, "the zero frame was not written");
});

test("memory: pageData returns a copy, installPage copies its bytes in", () => {
  const m = new Memory();
  m.map(0x1000, PAGE_SIZE, RW);
  m.w8(0x1000, 1);
  const out = m.pageData(1)!;
  out[0] = 99;
  assert.equal(m.r8(0x1000), 1, "changing the copy changes nothing");
  m.w8(0x1000, 2);
  assert.equal(out[0], 99, "and writing memory does not change the copy");
  const bytes = new Uint8Array(PAGE_SIZE).fill(5);
  m.installPage(3, bytes, PROT_READ);
  bytes.fill(6);
  assert.equal(m.r32(0x3000), 0x05050505, "the installed page keeps the bytes it was given");
  assert.equal(m.pageData(3)![100], 5);
  m.installPage(1, bytes, RW);
  assert.equal(m.r8(0x1000), 6, "installing over a written page replaces its contents");
});

test("memory: a frame freed by unmap is reused without leaking its old contents", () => {
  const m = new Memory();
  m.map(0x1000, 8 * PAGE_SIZE, RW);
  m.poke(0x1000, new Uint8Array(8 * PAGE_SIZE).fill(0xff));
  const size = m.h8.length;
  m.unmap(0x1000, 8 * PAGE_SIZE);
  m.map(0x100000, 8 * PAGE_SIZE, RW);
  for (let k = 0; k < 8; k++) m.w8(0x100000 + k * PAGE_SIZE + 1, 7);
  assert.equal(m.h8.length, size, "the freed frames were reused, not new ones");
  for (let k = 0; k < 8; k++) {
    const page = m.read(0x100000 + k * PAGE_SIZE, PAGE_SIZE);
    assert.equal(page[1], 7);
    assert.equal(page.reduce((s, b) => s + b, 0), 7, "nothing else of the old page shows");
  }
  m.installPage(0x300, new Uint8Array(PAGE_SIZE), RW);
  m.unmap(0x100000, PAGE_SIZE);
  m.mapLazy(0x200, 1, RW);
  m.setPageSource(() => new Uint8Array(PAGE_SIZE).fill(3));
  assert.equal(m.r32(0x200000), 0x03030303, "a lazy page fetched into a reused frame holds the source's bytes");
});

test("memory: after takeChanges, the first write records the change in place, then writes go fast", () => {
  const m = new Memory();
  m.map(0x1000, 3 * PAGE_SIZE, RW);
  m.w8(0x1000, 1);
  m.w8(0x2000, 1);
  assert.deepEqual(m.takeChanges(), { pages: [1, 2, 3], layout: true });
  assert.deepEqual(m.takeChanges(), { pages: [], layout: false });
  const frame = m.ri[2];
  assert.equal(m.wi[2], 0, "a clean page is not written in place");
  m.w32(0x2004, 0x12345678);
  assert.equal(m.ri[2], frame, "no copy: the page keeps its frame");
  assert.equal(m.wi[2], frame);
  assert.equal(m.r8(0x2000), 1);
  m.w8(0x3000, 1); // page 3 was never written: it gets a frame now
  assert.deepEqual(m.takeChanges(), { pages: [2, 3], layout: false });
  assert.equal(m.wi[2], 0);
  assert.equal(m.r32(0x2004), 0x12345678);
});

test("memory: toWasm keeps every page, and the wasm memory sees the same tables and frames", () => {
  const m = new Memory();
  m.map(0x10000, 64 * PAGE_SIZE, RW);
  for (let p = 0; p < 20; p++) m.w32(0x10000 + p * PAGE_SIZE + 8, p * 0x01010101);
  const w = m.toWasm();
  assert.equal(m.toWasm(), w, "moved once");
  for (let p = 0; p < 20; p++) assert.equal(m.r32(0x10000 + p * PAGE_SIZE + 8), p * 0x01010101);
  // Writing more pages grows the wasm memory; earlier contents stay.
  for (let p = 20; p < 64; p++) m.w32(0x10000 + p * PAGE_SIZE + 12, ~p);
  for (let p = 0; p < 64; p++) {
    assert.equal(m.r32(0x10000 + p * PAGE_SIZE + (p < 20 ? 8 : 12)), p < 20 ? p * 0x01010101 : ~p);
  }
  // What generated wasm does: the entry from the read table (PAGE_VALID | the frame's offset), then the word from the pool.
  const view = new DataView(w.buffer);
  for (const a of [0x10008, 0x10000 + 40 * PAGE_SIZE + 12]) {
    const entry = view.getInt32(WASM_RI + (a >>> 12) * 4, true);
    assert.ok(entry < 0, "a fast-path entry has PAGE_VALID");
    assert.equal(view.getInt32(WASM_POOL + (entry & FRAME_BYTES) + (a & 4095), true), m.r32(a));
  }
  assert.equal(view.getInt32(WASM_RI + (0x100000 >>> 12) * 4, true), 0, "an unmapped page's entry is 0");
});

test("trapAccesses: instruction accesses to trapped pages are reported, bulk ones and other pages are not", () => {
  const m = new Memory();
  m.map(0x1000, 0x2000, PROT_READ | PROT_WRITE);
  const seen: string[] = [];
  m.onTrap = (addr, size, write) => seen.push(`${write ? "w" : "r"}${size}@${addr.toString(16)}`);
  m.trapAccesses([1]);
  m.w32(0x1ffe, 0x11223344); // crosses into page 2: reported, it touches page 1
  assert.equal(m.r32(0x1ffe), 0x11223344);
  m.r8(0x2004); // page 2: not trapped
  m.read(0x1000, 4); // bulk (system calls): not an instruction
  m.w8(0x1001, 7);
  assert.deepEqual(seen, ["w4@1ffe", "r4@1ffe", "w1@1001"]);
  m.trapAccesses(undefined);
  m.r8(0x1001);
  assert.equal(seen.length, 3, "no longer reported");
  assert.notEqual(m.ri[1], 0, "back on the fast path");
});
