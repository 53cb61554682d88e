import { assert, test } from "../harness.ts";
import { Cpu } from "../../core/cpu/state.ts";
import { X87 } from "../../core/cpu/x87/x87.ts";
import { Memory } from "../../core/memory/memory.ts";
import { loadElf } from "../../core/elf/load.ts";
import { ElfError } from "../../core/elf/elf.ts";
import { busybox, bytesOf, compile, HOST_LDSO } from "./build.ts";

/** xorshift32: reproducible "random" inputs. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** One memory for all attempts: a fresh 4 GiB address space per attempt would dominate the run time. */
const mem = new Memory();
const cpu = new Cpu(new X87());
const opts = { argv: ["x"], envp: [], execfn: "x", random: new Uint8Array(16) };

/** Loads `image`; anything but success or an ElfError fails the test with the input's description. */
function attempt(
  image: Uint8Array,
  what: string,
  interpreter?: (path: string) => Uint8Array,
): "ok" | "error" {
  try {
    loadElf(image, mem, cpu, { ...opts, interpreter });
    return "ok";
  } catch (e) {
    if (e instanceof ElfError) {
      assert.ok(!e.message.includes("\n") && e.message.length > 0, what);
      return "error";
    }
    throw new Error(`${what}: ${e instanceof Error ? e.stack : e}`);
  }
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0];

test("elf fuzz: random garbage is always an ElfError", () => {
  const next = rng(1);
  for (let i = 0; i < 2000; i++) {
    const len = next() % (i < 1000 ? 128 : 4096);
    const image = new Uint8Array(len).map(() => next() & 0xff);
    if (i % 2) image.set(ELF_MAGIC.slice(0, Math.min(len, 8)));
    if (i % 4 === 1 && len >= 52) {
      // a plausible header with random program headers
      const v = new DataView(image.buffer);
      v.setUint16(16, 2 + (next() & 1), true);
      v.setUint16(18, 3, true);
      v.setUint32(28, 52, true);
      v.setUint16(42, 32, true);
      v.setUint16(44, next() % 8, true);
    }
    assert.equal(attempt(image, `garbage #${i}`), "error");
  }
});

test("elf fuzz: truncations fail cleanly unless they only cut what is not loaded", () => {
  const good = bytesOf(
    compile("tests/elf/progs/stack.c", "elf/stack", ["-static"]),
  );
  const v = new DataView(good.buffer, good.byteOffset);
  const phoff = v.getUint32(28, true), phnum = v.getUint16(44, true);
  // Past the last byte a PT_LOAD segment maps, only section headers and such remain.
  let needed = 0;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + 32 * i;
    if (v.getUint32(o, true) === 1) {
      needed = Math.max(
        needed,
        v.getUint32(o + 4, true) + v.getUint32(o + 16, true),
      );
    }
  }
  for (let len = 0; len <= good.length; len += len < 1024 ? 1 : 997) {
    const expected = len >= needed ? "ok" : "error";
    assert.equal(
      attempt(good.subarray(0, len), `truncated to ${len}`),
      expected,
    );
  }
});

/** Flips 1-8 random bits in the ELF and program headers of `good`. */
function flipHeaders(good: Uint8Array, next: () => number): Uint8Array {
  const image = good.slice();
  const headers = 52 +
    32 * new DataView(good.buffer, good.byteOffset).getUint16(44, true);
  const flips = 1 + (next() % 8);
  for (let f = 0; f < flips; f++) {
    const at = next() % headers;
    image[at] ^= 1 << (next() % 8);
  }
  return image;
}

test("elf fuzz: bit flips in the headers of real executables", () => {
  const images = [
    bytesOf(compile("tests/elf/progs/stack.c", "elf/stack", ["-static"])),
    bytesOf(
      compile("tests/elf/progs/stack.c", "elf/stack-pie", ["-static-pie"]),
    ),
    bytesOf(busybox()),
  ];
  const next = rng(7);
  const outcomes = { ok: 0, error: 0 };
  for (let i = 0; i < 1500; i++) {
    const image = flipHeaders(images[i % images.length], next);
    outcomes[attempt(image, `flip set #${i}`)]++;
  }
  // Both outcomes happen: harmless flips still load, harmful ones are caught.
  assert.ok(outcomes.ok > 0 && outcomes.error > 0, JSON.stringify(outcomes));
});

test("elf fuzz: bit flips in a dynamically linked program and in its interpreter", () => {
  const program = bytesOf(compile("tests/elf/progs/stack.c", "elf/stack-dyn", []));
  // The i386 loader gcc -m32 links against (from libc6-i386, which gcc-multilib installs).
  const ldso = bytesOf(HOST_LDSO);
  const next = rng(11);
  const outcomes = { ok: 0, error: 0 };
  for (let i = 0; i < 1000; i++) {
    const image = i % 2 ? flipHeaders(program, next) : program;
    const interp = i % 2 ? ldso : flipHeaders(ldso, next);
    outcomes[attempt(image, `dynamic flip set #${i}`, () => interp)]++;
  }
  assert.ok(outcomes.ok > 0 && outcomes.error > 0, JSON.stringify(outcomes));
  // Whatever the interpreter callback throws as an ElfError is reported as the interpreter's.
  assert.throws(
    () =>
      loadElf(program, mem, cpu, {
        ...opts,
        interpreter: () => {
          throw new ElfError("not in the guest's file system");
        },
      }),
    /^ElfError: interpreter \/lib\/ld-linux\.so\.2: not in the guest's file system$/,
  );
});
