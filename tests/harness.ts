/**
 * One test API for both runtimes: `deno test` and `bun test` run the same
 * files. Assertions come from `node:assert/strict`, available in both.
 */
type TestFn = () => void | Promise<void>;

interface BunTest {
  (name: string, fn: TestFn, timeoutMs?: number): void;
  skip(name: string, fn: TestFn): void;
}

const isBun = "Bun" in globalThis;
const bunSpecifier = "bun:test";
const bunTest: BunTest | undefined = isBun
  ? (await import(bunSpecifier)).test
  : undefined;

/** Registers a test. `ignore` skips it with a visible reason in both runners. */
export function test(
  name: string,
  fn: TestFn,
  opts: { ignore?: boolean; timeoutMs?: number } = {},
): void {
  if (bunTest) {
    if (opts.ignore) bunTest.skip(name, fn);
    else bunTest(name, fn, opts.timeoutMs ?? 1_200_000);
  } else {
    Deno.test({
      name,
      fn,
      ignore: opts.ignore,
      sanitizeOps: false,
      sanitizeResources: false,
    });
  }
}

/** Which runtime is running the tests. */
export const runtime: "deno" | "bun" = isBun ? "bun" : "deno";

import assert from "node:assert/strict";
export { assert };
