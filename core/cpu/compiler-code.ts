/**
 * The functions that translate guest code rather than run it: the decoder,
 * the template tier, and the JavaScript and WebAssembly code generators.
 * They run in bursts while a guest's hot code is being found, so a JIT's
 * most expensive tier costs more compiling them than it saves; a runtime
 * adapter may tell its JIT so (cli/jit-hints.ts, docs/engine.md).
 */
import { decodeBlock } from "./blocks.ts";
import { Gen } from "./codegen/gen.ts";
import { blockSource, compileBlock, instructionSource } from "./codegen/compile.ts";
import { canonical, instructionFunction, templateBlock } from "./codegen/template.ts";
import { decode } from "./isa/decoder.ts";
import { Code, ModuleBuilder } from "./wasm/encoder.ts";
import { WasmGen } from "./wasm/gen.ts";
import { compileWasmRegion, translatable } from "./wasm/region.ts";

/**
 * Every compiler function: those above, and the methods of the code
 * generators' classes.
 *
 * @example
 * for (const fn of compilerFunctions()) console.log(fn.name);
 */
// deno-lint-ignore ban-types
export function compilerFunctions(): Function[] {
  const functions = [
    decode, decodeBlock, templateBlock, instructionFunction, canonical, compileBlock, instructionSource, blockSource,
    translatable, compileWasmRegion,
  ];
  for (const cls of [Gen, WasmGen, Code, ModuleBuilder]) {
    for (const name of Object.getOwnPropertyNames(cls.prototype)) {
      const value = Object.getOwnPropertyDescriptor(cls.prototype, name)?.value;
      if (name !== "constructor" && typeof value === "function") functions.push(value);
    }
  }
  return functions;
}
