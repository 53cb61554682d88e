/**
 * The guest's file and memory limits (core/linux/quota.ts, issue 13): a
 * guest filling them gets ENOSPC (a short write first, as on a full disk)
 * and ENOMEM, removing a file gives its bytes back, and the limits travel
 * with the guest's state, so a resumed guest meets them exactly where an
 * uninterrupted one does. The defaults leave the state as it was.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, runtime, test } from "../harness.ts";
import { fx86 } from "../support/cli.ts";
import { bytesOf, compile } from "../elf/build.ts";
import { Guest } from "../../core/vm/guest.ts";
import { DEFAULT_QUOTA } from "../../core/linux/quota.ts";
import { FileSystem } from "../../core/linux/fs/filesystem.ts";
import { installProgram } from "../../core/linux/process/exe.ts";
import { buildManifest, fx86Vm, loadManifest, runManifest } from "../../core/manifest/mod.ts";
import { get, type DirNode } from "../../core/tree/mod.ts";
import { readFileSync } from "node:fs";
import { REPO } from "../support/guests.ts";

const quota = { fileBytes: 20_000_000, memory: 100_000_000 };
/** The OS record of a guest subtree, parsed. */
const osRecord = (tree: DirNode) => JSON.parse(new TextDecoder().decode((tree.get("os") as { bytes: Uint8Array }).bytes));
const text = (g: Guest) => new TextDecoder().decode(g.linux.stdout);
const program = () => bytesOf(compile("tests/linux/quota.c", "quota", ["-static"]));

test("quota: files past the capacity get a short write, then ENOSPC; mmap past the memory limit ENOMEM; brk stays", () => {
  const g = Guest.fromElf({ program: program(), argv: ["quota"], quota });
  const stop = g.run(Infinity);
  assert.equal(stop.status, "exited");
  const lines = text(g).split("\n");
  assert.equal(lines[0], "files: 20000000 bytes, then No space left on device");
  assert.equal(lines[1], "ftruncate past it: No space left on device");
  assert.equal(lines[2], `after removing 8 MiB: write ${1 << 20}`);
  const mib = Number(/^mmap: (\d+) MiB more, then Cannot allocate memory$/.exec(lines[3])![1]);
  // What the guest had mapped before (program, stack, heap) plus its blocks fits, one more block does not.
  const before = g.mem.mappedCount * 4096 - mib * (1 << 20);
  assert.ok(before > 0 && before + mib * (1 << 20) <= quota.memory && before + (mib + 1) * (1 << 20) > quota.memory, `${before} + ${mib} MiB`);
  assert.equal(lines[4], "sbrk(1 MiB) after that: Cannot allocate memory");
  assert.equal(lines[5], "break unchanged: yes");
  assert.equal(g.linux.fs.usedBytes(), 20_000_000 - 8 * (1 << 20) + (1 << 20));
});

test("quota: a guest restored mid-run keeps its limits and ends as the uninterrupted run does", () => {
  const straight = Guest.fromElf({ program: program(), argv: ["quota"], quota });
  straight.run(Infinity);
  // Stop while it writes files (its memset takes the first ~120,000 instructions), and again while it maps memory.
  let g = Guest.fromElf({ program: program(), argv: ["quota"], quota });
  g.run(127_000);
  assert.ok(g.linux.fs.usedBytes() > 0 && g.linux.fs.usedBytes() < quota.fileBytes, "stopped among the files");
  g = Guest.fromTree(g.toTree());
  assert.deepEqual(g.linux.quota, quota);
  const mappedBefore = g.mem.mappedCount;
  g.run(8_000);
  assert.ok(g.mem.mappedCount > mappedBefore && g.mem.mappedCount * 4096 < quota.memory - (1 << 20), "stopped among the mappings");
  g = Guest.fromTree(g.toTree());
  assert.deepEqual(g.linux.quota, quota);
  g.run(Infinity);
  assert.equal(text(g), text(straight));
  assert.equal(g.toTree().hash, straight.toTree().hash);
});

test("quota: the defaults are 2 GiB each and leave no trace in the OS record; others are recorded", () => {
  assert.deepEqual(DEFAULT_QUOTA, { fileBytes: 2 ** 31, memory: 2 ** 31 });
  const plain = Guest.fromElf({ program: program(), argv: ["quota"] });
  const os = (g: Guest) => osRecord(g.toTree());
  assert.equal(os(plain).quota, undefined);
  assert.deepEqual(os(Guest.fromElf({ program: program(), argv: ["quota"], quota })).quota, quota);
});

test(`quota (${runtime}): fx86 exec --max-file-bytes and --max-memory set them; a bad value is one line`, () => {
  const exe = compile("tests/linux/quota.c", "quota", ["-static"]);
  // As fx86 exec builds its guest: the program is one of its files, and counts.
  const fs = new FileSystem();
  const path = installProgram(fs, "quota", program());
  const lib = Guest.fromElf({ program: program(), argv: ["quota"], quota, fs, exe: path });
  lib.run(Infinity);
  const cli = fx86(runtime, ["exec", "--max-file-bytes", "20000000", "--max-memory", "100M", exe]);
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(cli.stdout, text(lib));
  const bad = fx86(runtime, ["exec", "--max-memory", "lots", exe]);
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr.trim().split("\n").length, 1, bad.stderr);
  assert.match(bad.stderr, /--max-memory/);
});

test(`quota (${runtime}): fx86 run --max-file-bytes and --max-memory set them for the manifest's guests`, () => {
  const dir = mkdtempSync(join(tmpdir(), "fx86-quota-"));
  try {
    copyFileSync(compile("tests/linux/quota.c", "quota", ["-static"]), join(dir, "quota"));
    const lib = Guest.fromElf({ program: program(), argv: ["quota"], quota });
    lib.run(Infinity);
    const expected = JSON.stringify(text(lib));
    writeFileSync(join(dir, "m.yaml"), `version: 1\nguests:\n  q:\n    program: quota\n    expect: {stdout: ${expected}}\n`);
    const run = fx86(runtime, ["run", "--max-file-bytes", "20000000", "--max-memory", "100000000", join(dir, "m.yaml")]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    // Another limit, other output: the expectation fails.
    assert.equal(fx86(runtime, ["run", "--max-file-bytes", "10000000", "--max-memory", "100000000", join(dir, "m.yaml")]).status, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("quota: sub-guests a guest LOADs get its limits, at every level; the output is the same", () => {
  const file = join(REPO, "examples/nesting/nesting.yaml");
  const manifest = loadManifest(file, readFileSync(file, "utf8"));
  const small = { fileBytes: 50_000_000, memory: 500_000_000 };
  const limited = runManifest(buildManifest(manifest, { vm: fx86Vm, quota: small }), { vm: fx86Vm });
  assert.ok(limited.ok, "the example's expectations hold within the limits");
  const level0 = limited.tree.get("nest") as DirNode;
  const level1 = get(level0, ["fs", "child"]) as DirNode;
  const level2 = get(level1, ["fs", "child"]) as DirNode;
  for (const level of [level0, level1, level2]) assert.deepEqual(osRecord(level).quota, small);
  // With the defaults nothing is recorded, at any level.
  const plain = runManifest(buildManifest(manifest, { vm: fx86Vm }), { vm: fx86Vm });
  assert.equal(osRecord(get(plain.tree.get("nest") as DirNode, ["fs", "child", "fs", "child"]) as DirNode).quota, undefined);
});
