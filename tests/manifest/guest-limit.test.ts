/**
 * issue 13 point 3: a manifest of 10,000 guests (about 2 MB of host memory
 * each) used to run for minutes; it is refused up front with one line
 * naming the guest past the limit, and `--max-guests` sets the limit.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, runtime, test } from "../harness.ts";
import { REPO } from "../support/guests.ts";
import { assertOneLine, fx86Env } from "../store/support.ts";

function manifest(guests: number): string {
  const dir = mkdtempSync(join(tmpdir(), "fx86-many-"));
  copyFileSync(join(REPO, "examples/hello/hello"), join(dir, "hello"));
  const file = join(dir, "m.yaml");
  const body = Array.from({ length: guests }, (_, i) => `  g${i}: {program: hello, budget: 1000}\n`).join("");
  writeFileSync(file, `version: 1\nguests:\n${body}`);
  return file;
}

test(`guest limit (${runtime}): 10,000 guests are refused at once; --max-guests sets the limit`, () => {
  const started = Date.now();
  const r = fx86Env(runtime, ["run", manifest(10_000)]);
  assert.equal(r.status, 2);
  assertOneLine(
    r.stderr,
    /^.*m\.yaml:1003:3: guests\.g1000: the manifest describes more than 1000 guests \(each takes host memory\); fx86 run --max-guests N raises the limit$/,
  );
  assert.ok(Date.now() - started < 60_000, "refused before building anything");
  const small = manifest(3);
  const two = fx86Env(runtime, ["run", "--max-guests", "2", small]);
  assert.equal(two.status, 2);
  assertOneLine(two.stderr, /guests\.g2: the manifest describes more than 2 guests/);
  assert.equal(fx86Env(runtime, ["run", "--max-guests", "3", small]).status, 1, "runs (hello's budget of 1000 runs out: expectations fail)");
});
