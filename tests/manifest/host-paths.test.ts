/**
 * issue 13 point 7: a manifest reads host files only inside its own
 * directory (symbolic links resolved) unless `fx86 run --allow-host-paths`
 * says otherwise: `../` escapes, absolute paths, symlinks pointing out and
 * `dir: /etc` are refused with one line naming the spot in the manifest.
 */
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, runtime, test } from "../harness.ts";
import { REPO } from "../support/guests.ts";
import { assertOneLine, fx86Env } from "../store/support.ts";

/** A manifest directory holding hello and a file, plus a manifest whose hello guest gets `files`. */
function manifestWith(files: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "fx86-confine-"));
  copyFileSync(join(REPO, "examples/hello/hello"), join(dir, "hello"));
  mkdirSync(join(dir, "data"));
  writeFileSync(join(dir, "data", "inside.txt"), "inside\n");
  symlinkSync("/etc/passwd", join(dir, "data", "passwd"));
  symlinkSync("inside.txt", join(dir, "data", "alias.txt"));
  const file = join(dir, "m.yaml");
  writeFileSync(file, `version: 1\nguests:\n  a:\n    program: hello\n    files: {${files}}\n    expect: {}\n`);
  return { dir, file };
}

test(`host paths (${runtime}): a manifest cannot read outside its directory without --allow-host-paths`, () => {
  const outside = mkdtempSync(join(tmpdir(), "fx86-outside-"));
  writeFileSync(join(outside, "secret.txt"), "secret\n");
  for (
    const [files, shown] of [
      ["/x: {file: ../../../../etc/passwd}", /"\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd" \(\/etc\/passwd\)/],
      ["/x: {file: /etc/passwd}", /"\/etc\/passwd"/],
      ["/x: {file: data/passwd}", /"data\/passwd" \(.*\) is outside the manifest's directory \(it resolves to \/etc\/passwd\)/],
      ["/etc: {dir: /etc}", /"\/etc"/],
      [`/o: {dir: ${outside}}`, /is outside/],
    ] as [string, RegExp][]
  ) {
    const { file } = manifestWith(files);
    const r = fx86Env(runtime, ["run", file]);
    assert.equal(r.status, 2, `${files}: ${r.stderr}`);
    assertOneLine(r.stderr, /^.*m\.yaml:5:\d+: guests\.a\.files\[.*\]\.(file|dir): host path .* is outside the manifest's directory.*; fx86 run --allow-host-paths lets a manifest read any host path$/);
    assert.match(r.stderr, shown);
    // (/etc holds symbolic links, which a guest tree cannot hold, so it fails even then.)
    if (!files.includes("/etc}")) {
      assert.equal(fx86Env(runtime, ["run", "--allow-host-paths", file]).status, 0, `${files} with --allow-host-paths`);
    }
  }
  // Inside the directory, through a link that stays inside, is fine.
  const { file } = manifestWith("/x: {file: data/alias.txt}, /d: {file: data/inside.txt}");
  const ok = fx86Env(runtime, ["run", file]);
  assert.equal(ok.status, 0, ok.stderr);
});
