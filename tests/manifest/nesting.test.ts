/**
 * issue 13 point 6: a manifest nested 100,000 levels deep used to report
 * "Maximum call stack size exceeded" as a YAML syntax error (at a depth
 * that differs between runtimes); it is now one line naming the limit and
 * the spot, the same under Deno and Bun.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, runtime, test } from "../harness.ts";
import { loadManifest } from "../../core/manifest/mod.ts";
import { REPO } from "../support/guests.ts";
import { assertOneLine, fx86Env } from "../store/support.ts";

const HEAD = "version: 1\nguests:\n  a:\n    program: hello\n    args: ";

test(`nesting (${runtime}): 100,000 levels of YAML are one line, not a stack overflow`, () => {
  const dir = mkdtempSync(join(tmpdir(), "fx86-deep-"));
  copyFileSync(join(REPO, "examples/hello/hello"), join(dir, "hello"));
  const flow = join(dir, "flow.yaml");
  writeFileSync(flow, HEAD + "[".repeat(100_000) + "]".repeat(100_000) + "\n");
  const r = fx86Env(runtime, ["run", flow]);
  assert.equal(r.status, 2);
  assertOneLine(r.stderr, /^.*flow\.yaml:5:75: YAML nests deeper than 64 levels$/);
  const block = join(dir, "block.yaml");
  writeFileSync(block, HEAD + "\n" + Array.from({ length: 2000 }, (_, i) => " ".repeat(6 + i) + "-").join("\n") + "\n");
  const b = fx86Env(runtime, ["run", block]);
  assert.equal(b.status, 2);
  assertOneLine(b.stderr, /^.*block\.yaml:\d+:513: YAML is indented more than 512 columns$/);
  // Brackets in strings and comments do not count; real nesting below the limit is fine.
  const fine = `${HEAD}["${"[".repeat(100)}", '${"{".repeat(100)}'] # ${"[".repeat(100)}\n`;
  assert.deepEqual(loadManifest("m.yaml", fine).guests[0].guest.args, ["[".repeat(100), "{".repeat(100)]);
});
