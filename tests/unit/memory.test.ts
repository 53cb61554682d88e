import { assert, test } from "../harness.ts";
import { Memory, PROT_READ, PROT_WRITE } from "../../core/memory/memory.ts";
import { GuestFault } from "../../core/fault.ts";

test("memory: cross-page 32-bit access and copy-on-write", () => {
  const m = new Memory();
  m.map(0x1000, 0x2000, PROT_READ | PROT_WRITE);
  m.w32(0x1ffe, 0x11223344);
  assert.equal(m.r32(0x1ffe), 0x11223344);
  assert.equal(m.r8(0x2000), 0x22);
  const page = m.pageData(1)!;
  m.takeChanges();
  m.w8(0x1000, 7);
  assert.notEqual(m.pageData(1), page, "a shared page is copied on write");
  assert.equal(page[0], 0);
  assert.equal(m.r8(0x1000), 7);
});

test("memory: faults name the address", () => {
  const m = new Memory();
  m.map(0x1000, 0x1000, PROT_READ);
  assert.throws(() => m.w8(0x1004, 1), (e: unknown) =>
    e instanceof GuestFault && e.address === 0x1004);
  assert.throws(() => m.r32(0x1ffe), (e: unknown) =>
    e instanceof GuestFault && e.address === 0x2000);
});
