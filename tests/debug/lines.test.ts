/**
 * DWARF line tables against binutils' `readelf --debug-dump=decodedline`
 * (a reader nobody here wrote): the same rows, in the same order, for the
 * example built with -g; `break FILE:LINE` in the session lands where gdb's
 * would (the line's lowest statement address).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { lineAddress, lineTable } from "../../core/elf/lines.ts";
import { Session } from "../../core/session/mod.ts";
import { REPO } from "../support/guests.ts";
import { hostTool } from "../support/tools.ts";

const PROGRAM = join(REPO, "examples/debug/counter");

test("lines: the rows readelf decodes, address, line and statement flag", () => {
  const r = spawnSync(hostTool("readelf", "binutils"), ["--debug-dump=decodedline", PROGRAM], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const expected = [...r.stdout.matchAll(/^(\S+)\s+(\d+)\s+(0x[0-9a-f]+)(?:\s+\d+)?\s*(x?)\s*$/gm)]
    .map((m) => `${m[1]}:${m[2]}@${Number(m[3]).toString(16)}${m[4] ? " stmt" : ""}`);
  assert.ok(expected.length > 10);
  const ours = lineTable(readFileSync(PROGRAM)).filter((x) => !x.end).map((x) => `${x.file}:${x.line}@${x.address.toString(16)}${x.stmt ? " stmt" : ""}`);
  assert.deepEqual(ours, expected);
  assert.deepEqual(lineTable(readFileSync(join(REPO, "examples/bin/busybox"))), [], "no debug information, no rows");
});

test("lines: break FILE:LINE uses the line table; an unknown line is one line of error", async () => {
  const rows = lineTable(readFileSync(PROGRAM));
  const s = new Session();
  assert.ok((await s.execute(`load ${PROGRAM}`)).ok);
  const r = await s.execute("break counter.c:17");
  assert.ok(r.ok, r.text);
  const at = lineAddress(rows, "counter.c", 17)!;
  assert.match(r.text, new RegExp(`address 0x${at.toString(16).padStart(8, "0")} in counter`));
  const c = await s.execute("continue");
  assert.match(c.text, new RegExp(`\\] counter 0x${at.toString(16).padStart(8, "0")}:`));
  const bad = await s.execute("break counter.c:1000");
  assert.equal(bad.ok, false);
  assert.match(bad.text, /^no code for counter\.c:1000$/);
});
