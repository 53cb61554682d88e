/**
 * Every command of the session doing its job, checked against facts that
 * come from elsewhere: the ELF header, the guest's own system calls, a
 * straight run, the store.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { Store } from "../../core/store/mod.ts";
import { Guest } from "../../core/vm/guest.ts";
import { REPO } from "../support/guests.ts";
import { HELLO, loaded, NESTING, ok, where } from "./support.ts";

const HELLO_ELF = join(REPO, "examples/hello/hello");
const elf = readFileSync(HELLO_ELF);
const ENTRY = elf.readUInt32LE(24);
const hex = (n: number) => "0x" + (n >>> 0).toString(16).padStart(8, "0");

test("commands: load a program with arguments; guests, step, run, continue, output, status", async () => {
  const s = await loaded(`${HELLO_ELF} "two words" x`);
  assert.match(await ok(s, "guests"), /^\*> hello +new +0$/);
  const at = where(await ok(s, "step"));
  assert.equal(at.position, 1);
  assert.deepEqual(s.view().disasm.find((r) => r.current)?.address, at.eip);
  assert.equal(where(await ok(s, "run 99")).position, 100);
  const end = await ok(s, "continue");
  assert.match(end, /^hello exited with status 0 at instruction \d+$/m);
  const straight = Guest.fromElf({ program: new Uint8Array(elf), argv: ["hello", "two words", "x"] });
  straight.run(Infinity);
  assert.equal(where(end).position, straight.instructions);
  assert.equal(await ok(s, "output"), new TextDecoder().decode(straight.linux.stdout).replace(/\n$/, ""));
  assert.match(await ok(s, "output"), /argv\[1\] = two words\nargv\[2\] = x/);
  assert.match(await ok(s, "status"), new RegExp(`instruction ${straight.instructions} of ${straight.instructions} reached`));
  // A stopped guest stays stopped.
  assert.match(await ok(s, "step"), /hello exited with status 0/);
});

test("commands: a -- after the program separates it from arguments, which may start with -", async () => {
  const s = await loaded(`${HELLO_ELF} -- -x --`);
  await ok(s, "continue");
  assert.match(await ok(s, "output"), /argv\[1\] = -x\nargv\[2\] = --\n/);
  assert.doesNotMatch(await ok(s, "output"), /argv\[3\]/);
});

test("commands: regs, mem, disasm and tree read the selected guest", async () => {
  const s = await loaded(HELLO);
  const regs = await ok(s, "regs");
  assert.match(regs, new RegExp(`eip ${hex(ENTRY)} `), "EIP starts at the ELF entry point");
  const view = s.view();
  const esp = view.registers.find((r) => r.name === "esp")!.value;
  // The initial stack starts with argc = 3 (hello one "two words"), then argv pointers.
  assert.match(await ok(s, "mem esp 4"), new RegExp(`^${hex(esp & ~15)} .*03 00 00 00`));
  assert.equal(view.memory[0].address, (esp & ~15) >>> 0);
  assert.equal(view.memory[0].bytes[esp & 15], 3);
  // disasm at EIP decodes the entry's first bytes (xor ebp, ebp = 31 ed).
  const d = (await ok(s, "disasm")).split("\n");
  assert.equal(d.length, 8);
  assert.equal(d[0], `=> ${hex(ENTRY)} <_start>     31 ed                xor ebp, ebp`);
  assert.equal((await ok(s, "disasm eip+2 1")).split("\n").length, 1);
  assert.match(await ok(s, "mem 0 16"), /^0x00000000  \.\. \.\./, "unmapped bytes");
  assert.match(await ok(s, "tree ls"), /^d +\d+ {2}cpu\/$/m);
  assert.match(await ok(s, "tree cat status"), /^\{"status":"new"/);
  assert.equal(await ok(s, "tree cat fs/etc/motd"), "Welcome to fx86");
  assert.equal(await ok(s, "tree cat cpu/eip"), `00000000  ${[0, 8, 16, 24].map((b) => ((ENTRY >> b) & 255).toString(16).padStart(2, "0")).join(" ")}`);
  assert.equal(s.view().treePath, "");
  await ok(s, "tree ls fs/etc");
  assert.deepEqual(s.view().tree.map((r) => r.name), ["motd"]);
  assert.equal(s.view().treePath, "fs/etc");
});

test("commands: the view's MXCSR and XMM rows are the guest's, marked where the last move changed them", async () => {
  const s = await loaded(HELLO_ELF);
  const start = s.view().vectors;
  assert.deepEqual(start.map((r) => r.name), ["mxcsr", ...[...Array(8).keys()].map((n) => `xmm${n}`)]);
  assert.deepEqual(start[0].dwords, [0x1f80], "MXCSR at reset");
  assert.ok(start.every((r) => !r.changed), "nothing has moved yet");
  await ok(s, "continue");
  const straight = Guest.fromElf({ program: new Uint8Array(elf), argv: ["hello"] });
  straight.run(Infinity);
  const bytes = new DataView(straight.cpu.xmm.buffer, straight.cpu.xmm.byteOffset);
  const expected = [[straight.cpu.mxcsr], ...[...Array(8).keys()].map((n) => [12, 8, 4, 0].map((k) => bytes.getUint32(16 * n + k, true)))];
  const end = s.view().vectors;
  assert.deepEqual(end.map((r) => r.dwords), expected);
  end.forEach((r, i) => assert.equal(r.changed, r.dwords.join() !== start[i].dwords.join(), r.name));
  // glibc's start-up and string functions take their SSE2 paths (docs/sse.md).
  assert.ok(end.some((r) => r.changed), "the run changed an XMM register");
});

test("commands: breakpoints on syscalls, addresses, instruction counts and RUN exits; delete", async () => {
  const s = await loaded(HELLO);
  assert.equal(await ok(s, "break"), "no breakpoints");
  assert.equal(await ok(s, "break syscall write"), "breakpoint 1 syscall write");
  const hit = await ok(s, "continue");
  assert.match(hit, /^breakpoint 1: system call write \(4\) in hello$/m);
  const at = where(hit);
  assert.equal(await ok(s, `disasm ${hex(at.eip)} 1`), `=> ${hex(at.eip)} <_dl_sysinfo_int80>  cd 80                int 0x80`);
  assert.equal(s.view().registers.find((r) => r.name === "eax")!.value, 4);
  const length = s.view().registers.find((r) => r.name === "edx")!.value;
  // next steps over the int 0x80: write returns the count it wrote.
  const after = where(await ok(s, "next"));
  assert.equal(after.eip, at.eip + 2);
  assert.equal(s.view().registers.find((r) => r.name === "eax")!.value, length);
  await ok(s, "delete 1");
  // An address breakpoint set with a register expression, marked in disasm.
  await ok(s, "goto 10");
  const eip = where(await ok(s, "status")).eip;
  await ok(s, "goto 5");
  assert.equal(await ok(s, "break eip+0 in hello"), `breakpoint 2 address ${hex(s.view().registers.find((r) => r.name === "eip")!.value)} in hello`);
  await ok(s, "delete 2");
  await ok(s, `break ${hex(eip)}`);
  assert.equal(where(await ok(s, "continue")).position, 10);
  assert.ok(s.view().disasm.find((r) => r.current)!.breakpoint);
  assert.match(await ok(s, "disasm"), new RegExp(`^=>\\*${hex(eip)}`));
  await ok(s, "break icount 2000");
  await ok(s, "break syscall 45");
  assert.equal(await ok(s, "break"), `3 address ${hex(eip)} in hello\n4 icount 2000\n5 syscall brk`);
  assert.match(await ok(s, "continue"), /^breakpoint 4: icount 2000 at instruction 2000$/m);
  const brk = await ok(s, "continue");
  assert.match(brk, /^breakpoint 5: system call brk \(45\) in hello$/m);
  assert.equal(s.view().registers.find((r) => r.name === "eax")!.value, 45);
  assert.equal(await ok(s, "delete all"), "deleted all breakpoints");
  assert.match(await ok(s, "continue"), /hello exited with status 0/);
  // RUN exits in the nesting example: level 2's first RUN ends after its budget of 400000.
  const n = await loaded(NESTING);
  await ok(n, "break run-exit nest/fs/child/fs/child");
  const exit = await ok(n, "continue");
  assert.match(exit, /^breakpoint 1: RUN exit of nest\/fs\/child\/fs\/child \(in nest\/fs\/child\)$/m);
  assert.match(await ok(n, "guests"), /nest\/fs\/child\/fs\/child +budget +400000$/m);
});

test("commands: next steps over a call; select pins the selection until select alone", async () => {
  const s = await loaded(HELLO);
  let text = "";
  // Find the first call of the program.
  for (let i = 0; i < 100 && !/: call /.test(text); i++) text = await ok(s, "step");
  const at = where(text);
  const esp = s.view().registers.find((r) => r.name === "esp")!.value;
  const len = s.view().disasm.find((r) => r.current)!.bytes.split(" ").length;
  const after = where(await ok(s, "next"));
  assert.equal(after.eip, at.eip + len);
  assert.ok(after.position > at.position + 1, "the callee ran");
  assert.equal(s.view().registers.find((r) => r.name === "esp")!.value, esp);
  const n = await loaded(NESTING);
  await ok(n, "break run-entry nest/fs/child/fs/child");
  await ok(n, "continue");
  const ambiguous = await n.execute("select /child");
  assert.deepEqual(ambiguous, { ok: false, text: '"/child" is ambiguous: nest/fs/child, nest/fs/child/fs/child' });
  assert.equal(await ok(n, "select nest"), "selected nest");
  await ok(n, "step 10");
  assert.equal(n.view().selected, "nest");
  assert.match(await ok(n, "select"), /^following the active guest: nest\/fs\/child\/fs\/child$/);
  assert.equal(n.view().guests.find((g) => g.active)!.id, "nest/fs/child/fs/child");
});

test("commands: snapshot, restore and diff through the store", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fx86-session-store-"));
  try {
    const s = await loaded(HELLO, { store: () => Store.open(dir, { write: true }), runtime: "test" });
    await ok(s, "run 1000");
    const root = s.state.machine().tree().hash;
    assert.equal(await ok(s, "snapshot at1000"), `snapshot at1000: hello at instruction 1000, root ${root.slice(0, 16)}`);
    const store = Store.open(dir);
    const meta = store.getSnapshot("at1000");
    assert.equal(meta.root, root);
    assert.equal(meta.instructions, 1000);
    assert.equal(meta.budget_used, 1000);
    assert.equal(meta.runtime, "test");
    assert.deepEqual(s.complete("restore at"), ["at1000"]);
    await ok(s, "continue");
    assert.match(await ok(s, "diff at1000 now"), /^registers:\n {2}eax: /);
    assert.match(await ok(s, "diff @1000 now"), /^registers:/);
    assert.equal(await ok(s, "diff at1000 @1000"), "no differences");
    assert.equal(await ok(s, "diff now now"), "no differences");
    assert.match(await ok(s, "restore at1000"), /^restored at1000\n\[1000\] hello /);
    assert.equal(s.state.machine().tree().hash, root);
    assert.equal(s.state.machine().budget, 10_000_000, "the machine keeps its budget");
    assert.match(await ok(s, "continue"), /hello exited with status 0/);
    // Over an existing name, snapshot refuses (as --save does) and the old one stays.
    const again = await s.execute("snapshot at1000");
    assert.equal(again.ok, false);
    assert.equal(again.text, `snapshot at1000 already exists in ${dir}; remove it first (fx86 snapshot rm at1000) or choose another name.`);
    assert.equal(Store.open(dir).getSnapshot("at1000").root, root);
    assert.equal((await s.execute("snapshot ../x")).ok, false);
    assert.deepEqual(Store.open(dir).snapshotNames(), ["at1000"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("commands: trace prints system calls with guest ids, and step prints the instructions it runs", async () => {
  const s = await loaded(NESTING);
  assert.equal(await ok(s, "trace on"), "trace on");
  const out = await ok(s, "run 420000");
  assert.match(out, /^\[nest\] fx86 MKDIR\("\/child\/fs\/bin", 1\) = 0$/m);
  assert.match(out, /^\[nest\/fs\/child\] fx86 MKDIR\("\/child\/fs\/bin", 1\) = 0$/m);
  assert.match(out, /^\[nest\/fs\/child\/fs\/child\] write\(1, "    \[2\] leaf: counting the prime"\.\.\., 47\) = 47$/m);
  const stepped = (await ok(s, "step 3")).split("\n");
  assert.equal(stepped.length, 4);
  assert.deepEqual(stepped.slice(0, 3).map((l) => where(l).position), [420000, 420001, 420002]);
  assert.equal(where(stepped[3]).position, 420003);
  await ok(s, "trace off");
  const quiet = await ok(s, "run 300000");
  assert.equal(quiet.split("\n").length, 1, quiet);
  assert.equal(where(quiet).position, 720003);
});

test("commands: help and quit", async () => {
  const s = await loaded(HELLO);
  const r = await s.execute("quit");
  assert.deepEqual(r, { ok: true, text: "", quit: true });
  assert.match(await ok(s, "help step"), /^step \[N\]\n {2}execute N instructions/);
});
