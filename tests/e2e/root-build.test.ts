/**
 * `fx86 root build DIR PKG.deb…` (cli/commands/root.ts) against Debian's
 * own dpkg-deb -x: the same files, modes, symbolic links and contents, from
 * the packages tests/prepare.sh keeps in tests/.build/debian-i386/debs.
 */
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, runtime, test } from "../harness.ts";
import { fx86 } from "../support/cli.ts";
import { BUILD } from "../support/guests.ts";
import { hostTool } from "../support/tools.ts";

const DEBS = join(BUILD, "debian-i386", "debs");

function deb(prefix: string): string {
  if (!existsSync(DEBS)) throw new Error(`${DEBS} is missing: run tests/prepare.sh (npm test does)`);
  const name = readdirSync(DEBS).find((f) => f.startsWith(prefix + "_"));
  if (!name) throw new Error(`no ${prefix} package in ${DEBS}: run tests/prepare.sh`);
  return join(DEBS, name);
}

/** Every entry below `dir`: type, permission bits, link target, and a file's bytes. */
function listing(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = join(rel, name), s = lstatSync(join(dir, path));
      const mode = (s.mode & 0o7777).toString(8);
      if (s.isSymbolicLink()) out.set(path, `link ${readlinkSync(join(dir, path))}`);
      else if (s.isDirectory()) {
        out.set(path, `dir ${mode}`);
        walk(path);
      } else out.set(path, `file ${mode} ${readFileSync(join(dir, path)).toString("base64")}`);
    }
  };
  walk("");
  return out;
}

test(`root build (${runtime}): the same tree as dpkg-deb -x`, () => {
  const tmp = mkdtempSync(join(tmpdir(), "fx86-root-build-"));
  try {
    const packages = [deb("sed"), deb("grep"), deb("gzip"), deb("libpcre2-8-0")];
    const ours = join(tmp, "ours"), theirs = join(tmp, "theirs");
    const r = fx86(runtime, ["root", "build", ours, ...packages]);
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, `unpacked 4 packages into ${ours}\n`);
    assert.equal(r.status, 0);
    for (const p of packages) {
      const x = spawnSync(hostTool("dpkg-deb", "dpkg"), ["-x", p, theirs]);
      assert.equal(x.status, 0, String(x.stderr));
    }
    const a = listing(ours), b = listing(theirs);
    assert.deepEqual([...a.keys()], [...b.keys()]);
    for (const [path, what] of b) assert.equal(a.get(path), what, path);
    assert.ok(a.get("bin/sed")?.startsWith("file 755 "));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test(`root build (${runtime}): bad input is one line and exit status 2`, () => {
  const tmp = mkdtempSync(join(tmpdir(), "fx86-root-build-"));
  try {
    writeFileSync(join(tmp, "not.deb"), "hello\n");
    const bad = fx86(runtime, ["root", "build", join(tmp, "out"), join(tmp, "not.deb")]);
    assert.equal(bad.stderr, `fx86: ${join(tmp, "not.deb")}: not an ar archive\n`);
    assert.equal(bad.status, 2);
    const missing = fx86(runtime, ["root", "build", join(tmp, "out"), join(tmp, "nope.deb")]);
    assert.match(missing.stderr, /^fx86: cannot read package .*nope\.deb: .*\n$/);
    assert.equal(missing.status, 2);
    const full = fx86(runtime, ["root", "build", tmp, deb("sed")]);
    assert.equal(full.stderr, `fx86: ${tmp} exists and is not empty\n`);
    assert.equal(full.status, 2);
    // A package whose data is corrupt: busybox's message, as it said it.
    const good = readFileSync(deb("sed"));
    const corrupt = Uint8Array.from(good);
    corrupt.fill(0x55, corrupt.length - 20000, corrupt.length - 10000);
    writeFileSync(join(tmp, "corrupt.deb"), corrupt);
    const broken = fx86(runtime, ["root", "build", join(tmp, "out2"), join(tmp, "corrupt.deb")]);
    assert.match(broken.stderr, /^fx86: .*corrupt\.deb: unxz: .+\n$/);
    assert.equal(broken.status, 2);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
