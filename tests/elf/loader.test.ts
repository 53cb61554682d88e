import { assert, test } from "../harness.ts";
import {
  Cpu,
  CS,
  DS,
  EAX,
  EBP,
  ESP,
  FS,
  GS,
  SS,
} from "../../core/cpu/state.ts";
import { X87 } from "../../core/cpu/x87/x87.ts";
import {
  Memory,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
} from "../../core/memory/memory.ts";
import { type LoadedProgram, loadElf } from "../../core/elf/load.ts";
import { ElfError } from "../../core/elf/elf.ts";
import { MMAP_TOP, PIE_BASE, STACK_BOTTOM, STACK_TOP } from "../../core/linux/layout.ts";
import { FileSystem } from "../../core/linux/fs/filesystem.ts";
import { Linux } from "../../core/linux/linux.ts";
import { runReference } from "../support/guests.ts";
import { i386Runner } from "../support/reference.ts";
import { busybox, bytesOf, compile, HOST_LDSO } from "./build.ts";
import { describeStack, qemuComparable } from "./describe.ts";

const REFERENCE = i386Runner();

const ARGV_TAIL = ["one", "two words", "", "ünïcödé"];
const ENV = { A: "1", PATH: "/bin:/usr/bin", EMPTY: "", LONG: "x".repeat(300) };
const envp = Object.entries(ENV).map(([k, v]) => `${k}=${v}`);

interface Phdr {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  flags: number;
}

/** Program headers read directly (not through the loader's parser). */
function phdrsOf(
  image: Uint8Array,
): { type: number; entry: number; phoff: number; phdrs: Phdr[] } {
  const v = new DataView(image.buffer, image.byteOffset);
  const phoff = v.getUint32(28, true), phnum = v.getUint16(44, true);
  const phdrs = Array.from({ length: phnum }, (_, i) => {
    const o = phoff + 32 * i;
    const w = (k: number) => v.getUint32(o + 4 * k, true);
    return {
      type: w(0),
      offset: w(1),
      vaddr: w(2),
      filesz: w(4),
      memsz: w(5),
      flags: w(6),
    };
  });
  return {
    type: v.getUint16(16, true),
    entry: v.getUint32(24, true),
    phoff,
    phdrs,
  };
}

function load(image: Uint8Array, argv: string[], env = envp) {
  const mem = new Memory();
  const cpu = new Cpu(new X87());
  cpu.r[EAX] = 123;
  const prog = loadElf(image, mem, cpu, {
    argv,
    envp: env,
    execfn: argv[0],
    random: new Uint8Array(16).fill(0xab),
  });
  return { mem, cpu, prog };
}

/** Checks that every PT_LOAD segment is mapped as the file says. */
function checkSegments(
  image: Uint8Array,
  mem: Memory,
  prog: LoadedProgram,
): void {
  const { phdrs } = phdrsOf(image);
  let top = 0;
  for (const p of phdrs.filter((p) => p.type === 1)) {
    const start = prog.base + p.vaddr;
    const prot = (p.flags & 4 ? PROT_READ : 0) |
      (p.flags & 2 ? PROT_WRITE : 0) |
      (p.flags & 1 ? PROT_EXEC : 0);
    for (let a = start - (start % 4096); a < start + p.memsz; a += 4096) {
      assert.equal(
        mem.protOf(a / 4096),
        prot,
        `protection of page 0x${a.toString(16)}`,
      );
    }
    const inMemory = new Uint8Array(p.memsz);
    for (let i = 0; i < p.memsz; i++) {
      inMemory[i] = mem.pageData((start + i) >>> 12)![(start + i) & 4095];
    }
    assert.deepEqual(
      inMemory.subarray(0, p.filesz),
      image.subarray(p.offset, p.offset + p.filesz),
    );
    assert.ok(inMemory.subarray(p.filesz).every((b) => b === 0), "bss is zero");
    top = Math.max(top, start + p.memsz);
  }
  assert.equal(prog.brk, Math.ceil(top / 4096) * 4096);
}

/**
 * The loader's stack must read like the kernel's to the program itself:
 * stack.c's description of it on the reference, natively in full, under
 * qemu-i386 what qemu's loader has in common with Linux's (qemuComparable).
 */
function checkStack(
  exe: string,
  image: Uint8Array,
  mem: Memory,
  prog: LoadedProgram,
  argv: string[],
) {
  const { phoff, phdrs } = phdrsOf(image);
  const first = phdrs.find((p) => p.type === 1 && p.offset === 0)!;
  const self = {
    entry: prog.entry,
    ehdr: prog.base + first.vaddr,
    phoff,
    phnum: phdrs.length,
  };
  const ref = runReference(exe, { argv, env: envp });
  const d = new TextDecoder();
  assert.equal(ref.status, 0, d.decode(ref.stderr));
  const ours = describeStack(mem, prog.sp, self), theirs = d.decode(ref.stdout);
  if (REFERENCE === "native") assert.equal(ours, theirs);
  else assert.equal(qemuComparable(ours), qemuComparable(theirs));
}

/** Exact placement (no randomisation): the strings end at the top, platform right below them. */
function checkExactLayout(mem: Memory, prog: LoadedProgram, argv: string[]) {
  const execfn = new TextEncoder().encode(argv[0] + "\0");
  assert.deepEqual(mem.read(STACK_TOP - 4, 4), new Uint8Array(4));
  assert.deepEqual(
    mem.read(STACK_TOP - 4 - execfn.length, execfn.length),
    execfn,
  );
  const argv0 = mem.r32(prog.sp + 4) >>> 0;
  const platformEnd = argv0 - (argv0 % 16);
  assert.equal(
    new TextDecoder().decode(mem.read(platformEnd - 5, 5)),
    "i686\0",
  );
  assert.deepEqual(
    mem.read(platformEnd - 21, 16),
    new Uint8Array(16).fill(0xab),
  );
}

test(`loader: static executable: segments, registers, and the kernel's stack layout (${REFERENCE})`, () => {
  const exe = compile("tests/elf/progs/stack.c", "elf/stack", ["-static"]);
  const image = bytesOf(exe);
  const argv = [exe, ...ARGV_TAIL];
  const { mem, cpu, prog } = load(image, argv);
  const { entry } = phdrsOf(image);
  assert.equal(prog.base, 0);
  assert.equal(cpu.eip, entry);
  assert.equal(prog.entry, entry);
  assert.equal(cpu.r[ESP] >>> 0, prog.sp);
  assert.equal(cpu.r[EAX], 0, "registers start at zero");
  assert.equal(cpu.r[EBP], 0);
  assert.deepEqual([
    cpu.sreg[CS],
    cpu.sreg[SS],
    cpu.sreg[DS],
    cpu.sreg[FS],
    cpu.sreg[GS],
  ], [
    0x73,
    0x7b,
    0x7b,
    0,
    0,
  ]);
  assert.equal(prog.sp % 16, 0);
  assert.equal(prog.execStack, false);
  assert.equal(mem.protOf(STACK_BOTTOM >>> 12), PROT_READ | PROT_WRITE);
  assert.equal(mem.protOf((STACK_TOP - 1) >>> 12), PROT_READ | PROT_WRITE);
  assert.equal(mem.isMapped((STACK_BOTTOM >>> 12) - 1), false);
  checkSegments(image, mem, prog);
  checkStack(exe, image, mem, prog, argv);
  checkExactLayout(mem, prog, argv);
});

test(`loader: static-pie is loaded at PIE_BASE (stack as on ${REFERENCE})`, () => {
  const exe = compile("tests/elf/progs/stack.c", "elf/stack-pie", [
    "-static-pie",
  ]);
  const image = bytesOf(exe);
  const { type, entry } = phdrsOf(image);
  assert.equal(type, 3, "ET_DYN");
  const argv = [exe, "pie"];
  const { mem, cpu, prog } = load(image, argv);
  assert.equal(prog.base, PIE_BASE);
  assert.equal(cpu.eip, PIE_BASE + entry);
  checkSegments(image, mem, prog);
  checkStack(exe, image, mem, prog, argv);
});

test("loader: a dynamically linked program starts in its interpreter, mapped below MMAP_TOP", () => {
  const exe = compile("tests/elf/progs/stack.c", "elf/stack-dyn", []);
  const image = bytesOf(exe), ldso = bytesOf(HOST_LDSO);
  const asked: string[] = [];
  const mem = new Memory(), cpu = new Cpu(new X87());
  const prog = loadElf(image, mem, cpu, {
    argv: ["stack"],
    envp: [],
    execfn: "stack",
    random: new Uint8Array(16),
    interpreter: (path) => (asked.push(path), ldso),
  });
  assert.deepEqual(asked, ["/lib/ld-linux.so.2"]);
  assert.equal(prog.base, PIE_BASE, "gcc's default PIE goes where a static-pie does");
  checkSegments(image, mem, prog);
  const interp = prog.interp!;
  const ld = phdrsOf(ldso);
  const loads = ld.phdrs.filter((p) => p.type === 1);
  const end = Math.max(...loads.map((p) => p.vaddr + p.memsz));
  assert.equal(interp.base % 4096, 0);
  assert.equal(interp.base + Math.ceil(end / 4096) * 4096, MMAP_TOP, "right below MMAP_TOP");
  assert.equal(interp.entry, interp.base + ld.entry);
  assert.equal(cpu.eip >>> 0, interp.entry, "the interpreter runs first");
  for (const p of loads) {
    const at = interp.base + p.vaddr;
    assert.deepEqual(mem.read(at, p.filesz), ldso.subarray(p.offset, p.offset + p.filesz));
  }
  // The auxiliary vector tells the interpreter where it is and where the program is.
  const u32 = (a: number) => mem.r32(a) >>> 0;
  let p = prog.sp + 4 + 4 * (u32(prog.sp) + 1);
  while (u32(p)) p += 4;
  const aux = new Map<number, number>();
  for (p += 4; u32(p); p += 8) aux.set(u32(p), u32(p + 4));
  assert.equal(aux.get(7), interp.base, "AT_BASE");
  assert.equal(aux.get(9), prog.entry, "AT_ENTRY");
  assert.equal(aux.get(3), prog.phdr, "AT_PHDR");
  assert.equal(prog.phdr, PIE_BASE + phdrsOf(image).phoff);
});

test("loader: a dynamically linked program's interpreter must be usable", () => {
  const image = bytesOf(compile("tests/elf/progs/stack.c", "elf/stack-dyn", []));
  const fail = (interp: Uint8Array, message: RegExp) =>
    assert.throws(() =>
      loadElf(image, new Memory(), new Cpu(new X87()), {
        argv: ["x"],
        envp: [],
        execfn: "x",
        random: new Uint8Array(16),
        interpreter: () => interp,
      }), (e: unknown) => e instanceof ElfError && message.test(e.message));
  fail(new TextEncoder().encode("#!/bin/sh\n"), /^interpreter \/lib\/ld-linux\.so\.2: not an ELF file$/);
  fail(image, /^interpreter \/lib\/ld-linux\.so\.2: has an interpreter of its own$/);
  fail(bytesOf(compile("tests/elf/progs/stack.c", "elf/stack", ["-static"])), /: not position-independent$/);
  // Linux.exec and Guest.fromElf take it from the guest's file system, never the host's.
  const linux = new Linux({ fs: new FileSystem(), seed: new Uint8Array(32) });
  linux.fs.writeFile("/prog", image, { mode: 0o755 });
  assert.throws(
    () => linux.exec(new Memory(), new Cpu(new X87()), "/prog", ["prog"], []),
    /^ElfError: interpreter \/lib\/ld-linux\.so\.2: not in the guest's file system$/,
  );
});

test("loader: Debian's busybox-static", () => {
  const exe = busybox();
  const image = bytesOf(exe);
  const { mem, cpu, prog } = load(image, ["busybox", "echo", "hi"], ["HOME=/"]);
  assert.equal(cpu.eip, phdrsOf(image).entry);
  assert.equal(prog.segments.length, 4);
  checkSegments(image, mem, prog);
  assert.equal(prog.brk, 0x08244000);
  // the start-up stack: argc, argv, envp, auxv
  const u32 = (a: number) => mem.r32(a) >>> 0;
  assert.equal(u32(prog.sp), 3);
  assert.equal(
    new TextDecoder().decode(mem.readCString(u32(prog.sp + 8))),
    "echo",
  );
  assert.equal(u32(prog.sp + 16), 0);
  assert.equal(
    new TextDecoder().decode(mem.readCString(u32(prog.sp + 20))),
    "HOME=/",
  );
  assert.equal(u32(prog.sp + 24), 0);
  assert.deepEqual(
    [u32(prog.sp + 28), u32(prog.sp + 32)],
    [16, 0x07888111],
    "AT_HWCAP first",
  );
});

test("loader: Linux.exec loads a program from the guest file system", () => {
  const fs = new FileSystem();
  fs.writeFile("/bin/busybox", bytesOf(busybox()), { mode: 0o755 });
  const linux = new Linux({ fs, seed: new Uint8Array(32) });
  const mem = new Memory(), cpu = new Cpu(new X87());
  const prog = linux.exec(mem, cpu, "/bin/busybox", ["sh"], []);
  assert.equal(linux.brk, prog.brk);
  assert.equal(linux.brkStart, prog.brk);
  assert.equal(cpu.resolveSegment(0x7b), 0, "the TLS resolver is installed");
  const execfn = new TextEncoder().encode("/bin/busybox\0");
  assert.deepEqual(
    mem.read(STACK_TOP - 4 - execfn.length, execfn.length),
    execfn,
  );
  assert.throws(
    () => linux.exec(mem, cpu, "/bin", [], []),
    /not a regular file/,
  );
});

test("loader: clear one-line errors", () => {
  const exe = compile("tests/elf/progs/stack.c", "elf/stack", ["-static"]);
  const good = bytesOf(exe);
  const fail = (image: Uint8Array, message: string | RegExp) =>
    assert.throws(() => load(image, ["x"]), (e: unknown) => {
      assert.ok(e instanceof ElfError, `ElfError, got ${e}`);
      assert.match(
        e.message,
        typeof message === "string" ? new RegExp(`^${message}$`) : message,
      );
      assert.ok(!e.message.includes("\n"));
      return true;
    });
  fail(new TextEncoder().encode("#!/bin/sh\necho hi\n"), "not an ELF file");
  fail(good.slice(0, 40), "truncated ELF header");
  fail(good.slice(0, 100), "truncated program header table");
  const x64 = good.slice();
  x64[4] = 2;
  fail(x64, "not a 32-bit x86 executable");
  const arm = good.slice();
  arm[18] = 40;
  fail(arm, "not a 32-bit x86 executable");
  const rel = good.slice();
  rel[16] = 1;
  fail(rel, /^not an executable \(ELF type 1\)$/);
  // a dynamically linked program names its interpreter
  const dyn = bytesOf(compile("tests/elf/progs/stack.c", "elf/stack-dyn", []));
  fail(
    dyn,
    /^dynamically linked \(PT_INTERP \/lib\/ld-linux\.so\.2\) programs need a file system to load their interpreter from$/,
  );
  // a segment past the end of the file
  const { phoff, phdrs } = phdrsOf(good);
  const i = phdrs.findIndex((p) => p.type === 1);
  const out = good.slice();
  new DataView(out.buffer).setUint32(
    phoff + 32 * i + 16,
    good.length + 1,
    true,
  );
  new DataView(out.buffer).setUint32(
    phoff + 32 * i + 20,
    good.length + 1,
    true,
  );
  fail(out, /^segment 0 lies outside the file$/);
  // overlapping segments
  const over = good.slice();
  const j = phdrs.findIndex((p, k) => p.type === 1 && k > i);
  new DataView(over.buffer).setUint32(phoff + 32 * j + 8, phdrs[i].vaddr, true);
  new DataView(over.buffer).setUint32(
    phoff + 32 * j + 4,
    phdrs[i].offset,
    true,
  );
  fail(over, /^segments 0 and 1 overlap$/);
  // a segment reaching the stack
  const huge = good.slice();
  new DataView(huge.buffer).setUint32(phoff + 32 * j + 20, 0xb8000000, true);
  fail(huge, /reaches the stack/);
  assert.throws(
    () => load(good, ["x".repeat(200000)]),
    /argument list too long/,
  );
});
