#!/usr/bin/env bun
/**
 * Builds the standalone executable dist/fx86 (`deno task compile`): the
 * CLI bundled with the Bun runtime by `bun build --compile`, runnable with
 * no runtime or node_modules installed.
 *
 * Ink loads `react-devtools-core` only when DEV=true, but the bundler
 * follows that import anyway: an empty stand-in module keeps the package
 * (which is not installed) out of the binary.
 *
 * The binary carries JavaScriptCore bytecode for its modules rather than
 * only their source, which spares every start parsing and compiling them
 * to bytecode: `fx86 exec busybox true` took 0.16 s of CPU instead of
 * 0.215 s (tests/bench/cputime.c, five runs each, 2026-12-06).
 *
 * @example
 * // bun scripts/compile.ts [OUTFILE]
 */
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const outfile = process.argv[2] ?? join(root, "dist", "fx86");

const result = await Bun.build({
  entrypoints: [join(root, "cli", "main.ts")],
  compile: { outfile },
  minify: true,
  // Bytecode for ES modules needs the format named (cli/main.ts awaits at top level).
  bytecode: true,
  format: "esm",
  plugins: [{
    name: "no-react-devtools",
    setup(build) {
      build.onResolve({ filter: /^react-devtools-core$/ }, (args) => ({ path: args.path, namespace: "stand-in" }));
      build.onLoad({ filter: /.*/, namespace: "stand-in" }, () => ({ contents: "export default {};", loader: "js" }));
    },
  }],
});
if (!result.success) {
  for (const log of result.logs) console.error(String(log));
  process.exit(1);
}
console.log(`built ${outfile}`);
