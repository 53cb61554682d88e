/**
 * The benchmark: fx86 against the native CPU on the same busybox binary and
 * input, measured in one run, reported as ratios (not a test: nothing here
 * asserts a time). Run with `deno task bench` (or `bun tests/bench/bench.ts`).
 *
 * For each workload: native wall time (this machine executes i386 code), fx86
 * wall time for the whole guest run in-process (loading included), the
 * guest's instruction count and fx86's instructions per second.
 */
import { createHash } from "node:crypto";
import { busybox, BUSYBOX, pseudoText, runFx86, runNative, type RunSpec } from "../support/guests.ts";

const MB = 1 << 20;
const input = pseudoText(8 * MB);
const workloads: [string, RunSpec][] = [
  ["md5sum 8 MB", { argv: ["busybox", "md5sum"], stdin: input }],
  ["sha256sum 8 MB", { argv: ["busybox", "sha256sum"], stdin: input }],
  ["gzip -c 8 MB", { argv: ["busybox", "gzip", "-c"], stdin: input }],
];

const runtime = "Bun" in globalThis ? "bun" : "deno";
const image = busybox();

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const v = f();
  return [v, (performance.now() - t0) / 1000];
}

function digest(b: Uint8Array): string {
  return createHash("sha256").update(b).digest("hex").slice(0, 16);
}

console.log(`fx86 benchmark (${runtime}); native = ${BUSYBOX} on this CPU`);
console.log(
  "workload".padEnd(18) + "native s".padStart(10) + "fx86 s".padStart(10) +
    "ratio".padStart(9) + "guest instr".padStart(15) + "fx86 MIPS".padStart(11) + "  output",
);
for (const [name, spec] of workloads) {
  runNative(BUSYBOX, spec); // warm the page cache
  const [native, tn] = time(() => runNative(BUSYBOX, spec));
  const [fx, tf] = time(() => runFx86(image, spec));
  const same = digest(native.stdout) === digest(fx.stdout) ? "identical" : "DIFFERENT";
  const n = fx.guest.instructions;
  console.log(
    name.padEnd(18) + tn.toFixed(3).padStart(10) + tf.toFixed(3).padStart(10) +
      (tf / tn).toFixed(1).padStart(8) + "x" + n.toLocaleString("en").padStart(15) +
      (n / tf / 1e6).toFixed(0).padStart(11) + "  " + same,
  );
}
