/**
 * Hints to the runtime's JIT, the one place the CLI tunes a runtime.
 *
 * Under Bun, JavaScriptCore's optimising FTL tier compiled fx86's decoder
 * and code generators for half a second of a Lua benchmark's first run:
 * code that runs in bursts while the guest's hot code is found. Marked
 * `noFTL`, they stay in JSC's lower tiers (docs/engine.md, "JavaScriptCore
 * and fx86's compilers"). V8 gains nothing from the like: under Deno this
 * does nothing.
 */
/** A variable, so that Deno's type checker does not look for Bun's module. */
const BUN_JSC = "bun:jsc";

/**
 * Applies the hints (once per process; harmless to repeat).
 *
 * @example
 * await applyJitHints();
 */
export async function applyJitHints(): Promise<void> {
  if (!("Bun" in globalThis)) return;
  // deno-lint-ignore ban-types
  const jsc = await import(BUN_JSC) as { noFTL(fn: Function): void };
  // Loaded here, not at start-up: Deno needs none of it, and it is the engine's compiler.
  const { compilerFunctions } = await import("../core/cpu/compiler-code.ts");
  for (const fn of compilerFunctions()) jsc.noFTL(fn);
}
