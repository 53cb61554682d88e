/**
 * libjpeg-turbo, a real library that picks its SIMD code at run time from
 * CPUID: cjpeg and djpeg as vendored in examples/bin/ (built from Debian's
 * source package by scripts/build-jpeg-guests.sh; examples/bin/README.md).
 * Under fx86 they take their SSE2 kernels (breakpoints on the jsimd_*
 * functions show which run) and give the reference's bytes (natively where
 * the kernel runs i386 code, else qemu-i386), with the dispatch left to
 * CPUID and with each path forced by libjpeg-turbo's JSIMD_FORCE*
 * variables. The floating-point DCT tells the paths apart by their output:
 * its SSE kernels round differently from the C code's x87 arithmetic.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { pseudoRandom, REPO, runFx86, runReference, type RunSpec } from "../support/guests.ts";
import { i386Runner } from "../support/reference.ts";
import { functionSymbols } from "../support/symbols.ts";
import { Breakpoints } from "../../core/vm/debug.ts";
import { DEFAULT_ENV } from "../../core/vm/guest.ts";

const REFERENCE = i386Runner();
const CJPEG = join(REPO, "examples", "bin", "cjpeg");
const DJPEG = join(REPO, "examples", "bin", "djpeg");

/**
 * A 227×149 PPM (odd sizes, so the kernels' edge handling runs): smooth
 * colour gradients, a sharp-edged square and some noise.
 */
function testImage(): Uint8Array {
  const w = 227, h = 149;
  const header = new TextEncoder().encode(`P6\n${w} ${h}\n255\n`);
  const noise = pseudoRandom(w * h, 12);
  const out = new Uint8Array(header.length + 3 * w * h);
  out.set(header);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x, inSquare = x > 60 && x < 140 && y > 40 && y < 110;
      const n = (noise[i] & 31) - 16;
      const at = header.length + 3 * i;
      out[at] = inSquare ? 250 : Math.max(0, Math.min(255, x + n));
      out[at + 1] = inSquare ? 20 : Math.max(0, Math.min(255, (y * 255) / h + n));
      out[at + 2] = Math.max(0, Math.min(255, ((x + y) * 255) / (w + h) - n));
    }
  }
  return out;
}

const image = testImage();
let jpeg: Uint8Array | undefined;
/**
 * The JPEG cjpeg writes for the test image on the reference, for djpeg's
 * cases. Made in the first test that needs it, so a missing reference
 * fails those tests (with what to install) rather than loading this file.
 */
function testJpeg(): Uint8Array {
  jpeg ??= runReference(CJPEG, { argv: ["cjpeg", "-quality", "85", "image.ppm"], files: { "image.ppm": image } }).stdout;
  return jpeg;
}

const cjpeg = (...args: string[]): RunSpec => ({ argv: ["cjpeg", ...args, "image.ppm"], files: { "image.ppm": image } });
const djpeg = (...args: string[]): () => RunSpec => () => ({ argv: ["djpeg", ...args, "image.jpg"], files: { "image.jpg": testJpeg() } });
/** The spec with libjpeg-turbo's variable NAME=1 added to the environment. */
const forcing = (name: string, spec: RunSpec): RunSpec => ({ ...spec, env: [...DEFAULT_ENV, `${name}=1`] });

// [what the case shows, its run (a function where it needs the reference's JPEG)]
const cases: [string, RunSpec | (() => RunSpec)][] = [
  ["cjpeg: integer DCT, 4:2:0", cjpeg()],
  ["cjpeg: floating-point DCT", cjpeg("-dct", "float")],
  ["cjpeg: fast DCT, 4:4:4, quality 95", cjpeg("-dct", "fast", "-sample", "1x1", "-quality", "95")],
  ["cjpeg: progressive, optimised Huffman tables", cjpeg("-progressive", "-optimize")],
  ["cjpeg: greyscale, 4:2:2", cjpeg("-grayscale")],
  ["cjpeg: 4:2:2, restart intervals", cjpeg("-sample", "2x1", "-restart", "2")],
  ["djpeg: integer DCT, fancy upsampling", djpeg()],
  ["djpeg: floating-point DCT", djpeg("-dct", "float")],
  ["djpeg: fast DCT, merged upsampling, BMP", djpeg("-dct", "fast", "-nosmooth", "-bmp")],
  ["djpeg: scaled by 1/4 (a reduced IDCT)", djpeg("-scale", "1/4")],
  ["djpeg: scaled by 1/2 to RGB565 BMP", djpeg("-scale", "1/2", "-rgb565", "-dither", "none", "-bmp")],
  ["djpeg: greyscale output", djpeg("-grayscale")],
];

const decode = (b: Uint8Array) => new TextDecoder().decode(b);
const program = (spec: RunSpec) => (spec.argv[0] === "cjpeg" ? CJPEG : DJPEG);

/** Runs the spec on the reference and under fx86; their stdout, stderr and status must agree. */
function sameOnBoth(spec: RunSpec): Uint8Array {
  const expected = runReference(program(spec), spec);
  assert.equal(expected.status, 0, `the reference's exit status; stderr: ${decode(expected.stderr)}`);
  const actual = runFx86(new Uint8Array(readFileSync(program(spec))), spec);
  assert.equal(decode(actual.stderr), decode(expected.stderr));
  assert.equal(actual.status, expected.status);
  assert.ok(actual.stdout.length > 100, "an image came out");
  assert.deepEqual(actual.stdout, expected.stdout);
  return actual.stdout;
}

for (const [what, run] of cases) {
  test(`libjpeg-turbo (${REFERENCE}): ${what} gives the reference's bytes`, () => {
    sameOnBoth(typeof run === "function" ? run() : run);
  });
}

for (const path of ["JSIMD_FORCESSE2", "JSIMD_FORCESSE", "JSIMD_FORCEMMX", "JSIMD_FORCENONE"]) {
  test(`libjpeg-turbo (${REFERENCE}): ${path}=1 gives the reference's bytes`, () => {
    sameOnBoth(forcing(path, cjpeg("-dct", "float")));
    sameOnBoth(forcing(path, djpeg("-dct", "float")()));
    sameOnBoth(forcing(path, djpeg()()));
  });
}

test(`libjpeg-turbo (${REFERENCE}): left to CPUID, the floating-point DCT takes the SSE path, not the C one`, () => {
  for (const spec of [cjpeg("-dct", "float"), djpeg("-dct", "float")()]) {
    const fx = runFx86(new Uint8Array(readFileSync(program(spec))), spec).stdout;
    const sse = runReference(program(spec), forcing("JSIMD_FORCESSE2", spec)).stdout;
    const c = runReference(program(spec), forcing("JSIMD_FORCENONE", spec)).stdout;
    // Only if the two paths' bytes differ does the output say which ran.
    assert.notDeepEqual(sse, c, `${spec.argv[0]}: the SSE and C paths give different bytes`);
    assert.deepEqual(fx, sse, `${spec.argv[0]}: fx86 gives the SSE path's bytes`);
  }
});

/** The jsimd_* kernels (functions ending in their instruction set's name) that `spec` runs under fx86. */
function kernelsRun(spec: RunSpec): Set<string> {
  const exe = program(spec);
  const names = new Map<number, string>();
  for (const [name, address] of functionSymbols(exe)) {
    if (/^jsimd_.*_(mmx|3dnow|sse|sse2|avx2)$/.test(name)) names.set(address, name);
  }
  const bps = new Breakpoints();
  for (const address of names.keys()) bps.addAddress("", address);
  const fx = runFx86(new Uint8Array(readFileSync(exe)), spec, 0);
  fx.guest.breakpoints = bps;
  const hits = new Set<string>();
  let stop = fx.guest.run(Infinity);
  while (stop.break?.kind === "address") {
    hits.add(names.get(stop.break.eip)!);
    // Each kernel once is enough: it runs for every row of blocks.
    bps.removeAddress("", stop.break.eip);
    stop = fx.guest.run(Infinity);
  }
  assert.equal(stop.status === "exited" && stop.exitCode, 0, `${spec.argv.join(" ")} exits 0`);
  return hits;
}

test("libjpeg-turbo: left to CPUID, cjpeg and djpeg run SSE2 kernels and no MMX or AVX2 ones", () => {
  for (const spec of [cjpeg(), cjpeg("-dct", "float"), djpeg()(), djpeg("-dct", "float")()]) {
    const hits = [...kernelsRun(spec)].sort();
    console.log(`${spec.argv.join(" ")}: ${hits.join(", ")}`);
    assert.ok(hits.some((f) => f.endsWith("_sse2")), `${spec.argv.join(" ")} runs SSE2 kernels`);
    assert.deepEqual(hits.filter((f) => /_(mmx|3dnow|avx2)$/.test(f)), [], "nothing of the sets fx86 does not offer or prefers less");
  }
});
