/**
 * The JIT hints (cli/jit-hints.ts): which functions count as fx86's
 * compiler, and applying the hints under either runtime.
 */
import { assert, test } from "../harness.ts";
import { compilerFunctions } from "../../core/cpu/compiler-code.ts";
import { decode } from "../../core/cpu/isa/decoder.ts";
import { WasmGen } from "../../core/cpu/wasm/gen.ts";
import { Gen } from "../../core/cpu/codegen/gen.ts";
import { Code } from "../../core/cpu/wasm/encoder.ts";
import { applyJitHints } from "../../cli/jit-hints.ts";

test("compiler code: the decoder and every method of the code generators' classes", () => {
  const fns = compilerFunctions();
  assert.ok(fns.every((f) => typeof f === "function"));
  assert.equal(new Set(fns).size, fns.length, "no function twice");
  assert.ok(fns.includes(decode));
  for (const cls of [Gen, WasmGen, Code]) {
    const methods = Object.getOwnPropertyNames(cls.prototype).filter((n) => n !== "constructor")
      .map((n) => Object.getOwnPropertyDescriptor(cls.prototype, n)!.value).filter((v) => typeof v === "function");
    assert.ok(methods.length > 5, `${cls.name} has methods`);
    for (const m of methods) assert.ok(fns.includes(m), `${cls.name}.${m.name} is listed`);
  }
});

test("compiler code: the JIT hints apply under Deno and Bun, and code still decodes the same", async () => {
  const fetch = (a: number) => [0x01, 0xd8][a] ?? 0; // add eax, ebx
  const before = decode(fetch, 0);
  await applyJitHints();
  await applyJitHints();
  const after = decode(fetch, 0);
  assert.equal(after.len, 2);
  assert.equal(after.def.mnemonic, before.def.mnemonic);
});
