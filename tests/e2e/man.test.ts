/**
 * The man page: docs/fx86.1 is what cli/man-page.ts makes of the command
 * definitions now (`deno task docs` rewrites it), groff formats it without
 * a warning, and it names every command `fx86 --help` has.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { program } from "../../cli/main.ts";
import { manPage } from "../../cli/man-page.ts";
import { VERSION } from "../../mod.ts";
import { REPO } from "../support/guests.ts";

test("man page: docs/fx86.1 is current, formats without warnings, and covers every command", async () => {
  const root = await program();
  const file = join(REPO, "docs/fx86.1");
  assert.equal(readFileSync(file, "utf8"), manPage(root, VERSION), "docs/fx86.1 is stale: run deno task docs");
  const r = spawnSync("groff", ["-man", "-ww", "-Tutf8", file], { encoding: "utf8", env: { ...process.env, LC_ALL: "C.UTF-8" } });
  if (r.error) throw new Error("groff is not installed: run tests/prepare.sh (or apt-get install groff-base)");
  assert.equal(r.stderr, "", "groff warnings");
  const text = r.stdout.replace(/.\x08/g, "");
  for (const c of root.commands) {
    const paths = c.commands.length > 0 ? c.commands.map((s) => `fx86 ${c.name()} ${s.name()}`) : [`fx86 ${c.name()}`];
    for (const p of paths) assert.ok(text.includes(p), `the man page documents ${p}`);
  }
  assert.match(text, /EXIT STATUS[^]*124 when --budget ran out/);
  assert.match(text, /--seed <text>/);
});
