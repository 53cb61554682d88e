/**
 * Differential test of the x87 unit against the real CPU: every encoding,
 * random and special operands in every rounding and precision mode, run
 * natively (in 32-bit mode where this kernel runs i386 programs, else in
 * 64-bit mode: runner.ts) and through X87.exec, compared bit for bit:
 * registers, status/control/tag words, pointers, memory, EFLAGS.
 */
import { assert, test } from "../harness.ts";
import { runNative } from "./oracle.ts";
import { buildRunner, describeHarness, pickHarness } from "./runner.ts";
import { type GenCase, generate } from "./gen.ts";
import { replay } from "./replay.ts";
import { Rng } from "./rng.ts";
import { readFileSync } from "node:fs";
import {
  difference,
  hex,
  isReferenceHost,
  isTranscendental,
  normalize,
  portable,
  ulpDistance,
} from "./compare.ts";
import { describeImage } from "./image.ts";

const SEED = 0x5eed87;

/**
 * The documented accuracy of the transcendental instructions (docs/x87.md):
 * every result within 1 ulp of the CPU's, and at least this share of them
 * identical in every bit (the CPU itself is not correctly rounded).
 */
const MAX_ULPS = 1;
const MIN_EXACT_SHARE = 0.85;

/**
 * On the reference CPU everything is compared; on other x86 hosts only
 * what the architecture defines (compare.ts `portable`), with transcendental
 * results allowed to differ by one more ulp. X87_PORTABLE=1 forces that.
 */
const reference = isReferenceHost(readFileSync("/proc/cpuinfo", "utf8")) &&
  globalThis.process?.env?.X87_PORTABLE !== "1";

function form(k: GenCase): string {
  return `${k.mnemonic} ${
    k.operands.map((o) => o.replace(/^st[1-7]$/, "sti")).join(",")
  }`.trim();
}

test("x87: bit-exact against the native CPU", () => {
  const harness = pickHarness();
  const cases = generate(new Rng(SEED), 1);
  const { layout, outcomes } = runNative(buildRunner(harness), cases);
  console.log(
    `x87: ${cases.length} cases of ${new Set(cases.map(form)).size} forms ` +
      `against the real CPU (${describeHarness(harness)})`,
  );
  const emulated = replay(cases, layout);
  const total = new Map<string, number>(), bad = new Map<string, number>();
  const near = new Map<string, number>();
  const failures: string[] = [];
  const count = (m: Map<string, number>, f: string) =>
    m.set(f, (m.get(f) ?? 0) + 1);
  for (let i = 0; i < cases.length; i++) {
    const k = cases[i];
    const f = form(k);
    let hw = normalize(k, outcomes[i], layout);
    let emu = emulated[i];
    if (!reference) {
      const h = portable(k, hw, hw), e = portable(k, emu, hw);
      if (h === undefined || e === undefined) continue;
      hw = h;
      emu = e;
    }
    count(total, f);
    let why = difference(hw, emu);
    if (!why) continue;
    count(bad, f);
    if (isTranscendental(k.mnemonic)) {
      const ulps = ulpDistance(k.mnemonic, hw, emu);
      if (ulps !== undefined && ulps <= MAX_ULPS + (reference ? 0 : 1)) {
        count(near, f);
        continue;
      }
      why += ulps === undefined ? "" : ` (${ulps} ulps)`;
    }
    if (failures.length < 10) {
      failures.push(
        `${f} [${k.esc.toString(16)} ${k.modrm.toString(16)}${
          k.o16 ? " o16" : ""
        }]: ${why}\n` +
          `  start   : ${describeImage(k.state)} mem=${hex(k.mem)} eflags=${
            k.eflags.toString(16)
          }\n` +
          `  native  : ${describeImage(hw.state)} mem=${hex(hw.mem)} eflags=${
            hw.eflags.toString(16)
          }\n` +
          `  emulated: ${describeImage(emu.state)} mem=${hex(emu.mem)} eflags=${
            emu.eflags.toString(16)
          }`,
      );
    }
  }
  const rows = [...total.keys()].sort().map((f) => {
    const n = total.get(f)!,
      exact = n - (bad.get(f) ?? 0),
      within = near.get(f);
    return `  ${f.padEnd(26)} ${String(exact).padStart(6)} / ${n}` +
      (within
        ? `  (+${within} within ${
          MAX_ULPS + (reference ? 0 : 1)
        } ulp or differing only in C1)`
        : "");
  });
  const compared = [...total.values()].reduce((a, b) => a + b, 0);
  const exact = compared - [...bad.values()].reduce((a, b) => a + b, 0);
  const mode = reference
    ? "reference CPU, everything compared"
    : "portable mode";
  console.log(
    `x87 differential (${mode}): ${compared} of ${cases.length} cases compared, ` +
      `${exact} bit-exact; per form:\n${rows.join("\n")}`,
  );
  assert.equal(failures.length, 0, `mismatches:\n${failures.join("\n")}`);
  for (const [f, n] of total) {
    if (!reference || !isTranscendental(f.split(" ")[0])) continue;
    const share = (n - (bad.get(f) ?? 0)) / n;
    assert.ok(
      share >= MIN_EXACT_SHARE,
      `${f}: only ${(share * 100).toFixed(1)}% bit-exact`,
    );
  }
});
