/**
 * The benchmark's programs built from Debian sources, as vendored in
 * examples/bin/ (zlib's minigzip and Lua 5.4, i386; examples/bin/README.md),
 * on the reference (tests/support/reference.ts: natively where the kernel
 * runs i386 code, else under qemu-i386) and under fx86, on small inputs:
 * byte-identical stdout, stderr and exit status. The benchmark runs them
 * on larger ones and compares with their amd64 builds too.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { pseudoText, REPO, runFx86, runReference, type RunSpec } from "../support/guests.ts";
import { i386Runner } from "../support/reference.ts";

const REFERENCE = i386Runner();
const MINIGZIP = join(REPO, "examples", "bin", "minigzip");
const LUA = join(REPO, "examples", "bin", "lua");

const text = pseudoText(100_000);
let gzipped: Uint8Array | undefined;
/**
 * The gzip stream minigzip writes for `text` on the reference, for the
 * decompression cases. Made in the first test that needs it, so a missing
 * reference fails those tests (with what to install) rather than the
 * loading of this file.
 */
function gzippedText(): Uint8Array {
  gzipped ??= runReference(MINIGZIP, { argv: ["minigzip"], stdin: text }).stdout;
  return gzipped;
}
const benchScript = readFileSync(join(REPO, "tests", "bench", "cpu.lua"));
// Floats through the x87 (and glibc's i386 libm), printed in full precision.
const floats = `local s = 0
for i = 1, 2000 do s = s + math.sin(i) * math.sqrt(i) / (1 + math.log(i)) + math.exp(-i / 500) end
print(string.format("%.17g %a", s, s), 7 // 2, 7 / 2, 2^53 + 1.0, math.fmod(-7, 3), math.tointeger(3.0))`;

// [program, what the case shows, the exit status it means, its run (a
// function where it needs the reference's gzip stream)]
const cases: [string, string, number, RunSpec | (() => RunSpec)][] = [
  ["minigzip", "compresses stdin", 0, { argv: ["minigzip"], stdin: text }],
  ["minigzip", "compresses a file to stdout (-c)", 0, { argv: ["minigzip", "-c", "text.txt"], files: { "text.txt": text } }],
  ["minigzip", "decompresses stdin (-d)", 0, () => ({ argv: ["minigzip", "-d"], stdin: gzippedText() })],
  ["minigzip", "fails at the end of a truncated stream", 1, () => ({ argv: ["minigzip", "-d"], stdin: gzippedText().subarray(0, 2000) })],
  ["lua", "runs the benchmark script", 0, { argv: ["lua", "-", "1000"], stdin: benchScript }],
  ["lua", "computes floats", 0, { argv: ["lua", "-e", floats] }],
  ["lua", "reports a runtime error", 1, { argv: ["lua", "-e", "error('boom')"] }],
];

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

for (const [name, what, status, run] of cases) {
  test(`bench guests (${REFERENCE}): ${name} ${what}`, () => {
    const program = name === "lua" ? LUA : MINIGZIP;
    const spec = typeof run === "function" ? run() : run;
    const expected = runReference(program, spec);
    // The case shows what it says only if the reference did so.
    assert.equal(expected.status, status, `the reference's exit status; stderr: ${decode(expected.stderr)}`);
    const actual = runFx86(new Uint8Array(readFileSync(program)), spec);
    assert.equal(decode(actual.stderr), decode(expected.stderr));
    assert.equal(actual.status, expected.status);
    assert.deepEqual(actual.stdout, expected.stdout);
  });
}

test(`bench guests (${REFERENCE}): minigzip -d gives back what minigzip compressed`, () => {
  assert.deepEqual(runFx86(new Uint8Array(readFileSync(MINIGZIP)), { argv: ["minigzip", "-d"], stdin: gzippedText() }).stdout, text);
});
