/**
 * Programs that use MMX, SSE and SSE2 — auto-vectorised loops (gcc -O3
 * -march=pentium4), scalar SSE math (-msse2 -mfpmath=sse), SSE2 and MMX
 * intrinsics, glibc's string functions — give the reference's output
 * (qemu-i386 where the kernel does not run i386 code), and glibc selects
 * its SSE2 string functions from fx86's CPUID.
 */
import { assert, test } from "../harness.ts";
import { bytesOf, compile } from "../elf/build.ts";
import { runFx86, runReference } from "../support/guests.ts";
import { symbolAddress } from "../support/symbols.ts";
import { Breakpoints } from "../../core/vm/debug.ts";

const PROGRAMS: [string, string[]][] = [
  ["autovec", ["-O3", "-march=pentium4"]],
  ["autovec", ["-O3", "-march=pentium4", "-mfpmath=sse"]],
  ["fpmath", ["-O2", "-msse2", "-mfpmath=sse"]],
  ["fpmath", ["-O3", "-march=pentium4", "-mfpmath=sse"]],
  ["intrin", ["-O2", "-msse2"]],
  ["mmx", ["-O2", "-mmmx", "-msse"]],
  ["strings", ["-O2"]],
];

const text = (b: Uint8Array) => new TextDecoder().decode(b);

for (const [name, flags] of PROGRAMS) {
  test(`SIMD program ${name} (${flags.join(" ")}) gives the reference's output`, () => {
    const exe = compile(`tests/sse/progs/${name}.c`, `sse/${name}${flags.join("")}`, ["-static", ...flags, "-lm"]);
    const spec = { argv: [name] };
    const ref = runReference(exe, spec);
    const fx = runFx86(bytesOf(exe), spec);
    assert.equal(ref.status, 0, `reference: ${text(ref.stderr)}`);
    assert.equal(text(fx.stdout), text(ref.stdout));
    assert.equal(fx.status, ref.status);
  });
}

test("glibc selects its SSE2 string functions (breakpoints on memchr's versions)", () => {
  const exe = compile("tests/sse/progs/strings.c", "sse/strings-O2", ["-static", "-O2"]);
  const versions = {
    sse2: ["__memchr_sse2", "__memchr_sse2_bsf"],
    generic: ["__memchr_ia32"],
  };
  const bps = new Breakpoints();
  const names = new Map<number, string>();
  for (const f of [...versions.sse2, ...versions.generic]) {
    names.set(symbolAddress(exe, f), f);
    bps.addAddress("", symbolAddress(exe, f));
  }
  const fx = runFx86(bytesOf(exe), { argv: ["strings"] }, 0);
  fx.guest.breakpoints = bps;
  const hits = new Set<string>();
  for (let k = 0; k < 100; k++) {
    const stop = fx.guest.run(Infinity);
    if (!stop.break) break;
    if (stop.break.kind === "address") hits.add(names.get(stop.break.eip)!);
  }
  console.log(`functions hit: ${[...hits].sort().join(", ")}`);
  assert.ok(versions.sse2.some((f) => hits.has(f)), "an SSE2 memchr runs");
  assert.deepEqual(versions.generic.filter((f) => hits.has(f)), [], "the generic version does not");
});
