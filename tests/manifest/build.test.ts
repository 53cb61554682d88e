/** Valid manifests build the host trees they describe (with the stand-in VM). */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildManifest, loadManifest, ManifestError, memoryHostFiles } from "../../core/manifest/mod.ts";
import { blob, type BlobNode, type DirNode, get, treeFromPaths } from "../../core/tree/mod.ts";
import { assert, test } from "../harness.ts";
import { fakeProgram, fakeVm } from "./fake-vm.ts";

const PROG = fakeProgram({ stdout: "hi\n" });
const CHILD = fakeProgram({ stdout: "child\n" });
const dec = new TextDecoder();

const host = memoryHostFiles({
  "/w/m/bin/prog": PROG,
  "/w/m/bin/child": CHILD,
  "/w/m/in.txt": "input from a file\n",
  "/w/data/a.txt": "a\n",
  "/w/data/sub/b.txt": "b\n",
  "/w/data/empty/": "",
  "/abs/tool": "TOOL",
});

function build(text: string) {
  return buildManifest(loadManifest("/w/m/m.yaml", text), { vm: fakeVm, host, hostPaths: "any" });
}

function json(node: DirNode, path: string): unknown {
  return JSON.parse(dec.decode((get(node, path) as BlobNode).bytes));
}

function text(node: DirNode, path: string): string {
  return dec.decode((get(node, path) as BlobNode).bytes);
}

test("manifest build: the host tree holds one guest subtree per top-level guest, in the manifest's order", () => {
  const b = build("guests:\n  zeta: {program: bin/prog}\n  alpha: {program: bin/prog, budget: 10k}\n");
  assert.deepEqual(b.tree.names, ["alpha", "zeta"]);
  assert.deepEqual(b.manifest.guests.map((g) => g.name), ["zeta", "alpha"]);
  assert.equal(b.manifest.guests[0].guest.budget, undefined);
  assert.equal(b.manifest.guests[1].guest.budget, 10_000);
  const g = b.tree.get("zeta") as DirNode;
  assert.ok(fakeVm.isGuestTree(g));
  assert.deepEqual(json(g, "status"), { status: "new", exit_code: null, instructions: 0 });
  // Two guests with the same program and nothing else: the same subtree.
  assert.equal(b.tree.get("alpha")!.hash, g.hash);
});

test("manifest build: program, argv, env, stdin and seed reach the new guest", () => {
  const b = build(`
guests:
  a:
    program: bin/prog
    args: [one, "two words", "3"]
    env: {B: "2", A: "1"}
    stdin: "some input\\n"
    seed: s1
  b:
    program: /abs/../w/m/bin/prog
    argv0: sh
    env: [X=1, Y=a=b]
    stdin: {file: in.txt}
  c:
    program: bin/prog
    stdin: {text: ""}
`);
  const a = b.tree.get("a") as DirNode;
  assert.equal(text(a, "cpu/script"), dec.decode(PROG).slice(4));
  assert.deepEqual(json(a, "cpu/argv"), ["prog", "one", "two words", "3"]);
  assert.deepEqual(json(a, "cpu/env"), ["B=2", "A=1"]); // the order written
  assert.equal(text(a, "stdin"), "some input\n");
  assert.equal(json(a, "cpu/seed"), "s1");
  const bb = b.tree.get("b") as DirNode;
  assert.deepEqual(json(bb, "cpu/argv"), ["sh"]);
  assert.deepEqual(json(bb, "cpu/env"), ["X=1", "Y=a=b"]);
  assert.equal(text(bb, "stdin"), "input from a file\n");
  assert.equal(json(bb, "cpu/seed"), null);
  const c = b.tree.get("c") as DirNode;
  assert.equal(json(c, "cpu/env"), null); // the VM's default environment
  assert.equal(text(c, "stdin"), "");
});

test("manifest build: files from text, host files, host directories, mkdir, and sub-guests", () => {
  const b = build(`
guests:
  a:
    program: bin/prog
    files:
      /etc/motd: {text: "hi\\n"}
      /bin/tool: {file: /abs/tool}
      /data: {dir: ../data}
      /data/extra/note: {text: "added\\n"}
      /tmp: {mkdir: true}
      /var/log: {mkdir: true}
      /guests/child:
        guest:
          program: bin/child
          args: [x]
          files:
            /in: {text: "child input"}
            /guests/grandchild: {guest: {program: bin/prog}}
`);
  const fs = (b.tree.get("a") as DirNode).get("fs") as DirNode;
  const expected = treeFromPaths([
    ["bin/tool", blob("TOOL")],
    ["data/a.txt", blob("a\n")],
    ["data/empty", treeFromPaths([])],
    ["data/extra/note", blob("added\n")],
    ["data/sub/b.txt", blob("b\n")],
    ["etc/motd", blob("hi\n")],
    ["guests/child", get(fs, "guests/child")],
    ["tmp", treeFromPaths([])],
    ["var/log", treeFromPaths([])],
  ]);
  assert.equal(fs.hash, expected.hash);
  const child = get(fs, "guests/child") as DirNode;
  assert.ok(fakeVm.isGuestTree(child));
  assert.deepEqual(json(child, "cpu/argv"), ["child", "x"]);
  assert.equal(text(child, "fs/in"), "child input");
  assert.ok(fakeVm.isGuestTree(get(child, "fs/guests/grandchild")));
  assert.deepEqual(json(child, "status"), { status: "new", exit_code: null, instructions: 0 });
});

test("manifest build: a host directory as the whole file tree, with entries on top", () => {
  const b = build("guests:\n  a:\n    program: bin/prog\n    files:\n      /etc/x: {text: x}\n      /: {dir: ../data}\n");
  const fs = (b.tree.get("a") as DirNode).get("fs") as DirNode;
  assert.deepEqual(fs.names, ["a.txt", "empty", "etc", "sub"]);
  assert.equal(text(fs as DirNode, "etc/x"), "x");
});

test("manifest build: the same tree whatever the order of keys in the manifest", () => {
  const one = build("guests:\n  a:\n    files: {/b: {text: b}, /a: {text: a}}\n    program: bin/prog\n");
  const two = build("guests:\n  a:\n    program: bin/prog\n    files: {/a: {text: a}, /b: {text: b}}\n");
  assert.equal(one.tree.hash, two.tree.hash);
});

test("manifest build: host paths are relative to the manifest, not the working directory", () => {
  const dir = mkdtempSync(join(tmpdir(), "fx86-manifest-"));
  mkdirSync(join(dir, "sub"));
  writeFileSync(join(dir, "sub", "prog"), PROG);
  writeFileSync(join(dir, "sub", "m.yaml"), "guests:\n  a: {program: prog, files: {/x: {file: ../x.txt}}}\n");
  writeFileSync(join(dir, "x.txt"), "x!");
  const file = join(dir, "sub", "m.yaml");
  const b = buildManifest(loadManifest(file, "guests:\n  a: {program: prog, files: {/x: {file: ../x.txt}}}\n"), {
    vm: fakeVm,
    hostPaths: "any",
  });
  assert.equal(text(b.tree.get("a") as DirNode, "fs/x"), "x!");
});

test("manifest build: symbolic links in a host directory are refused with the manifest's location", () => {
  const dir = mkdtempSync(join(tmpdir(), "fx86-manifest-"));
  writeFileSync(join(dir, "prog"), PROG);
  mkdirSync(join(dir, "root", "etc"), { recursive: true });
  writeFileSync(join(dir, "root", "etc", "passwd"), "root:x:0:0\n");
  symlinkSync("/etc/passwd", join(dir, "root", "etc", "link"));
  const file = join(dir, "m.yaml");
  try {
    buildManifest(loadManifest(file, "guests:\n  a:\n    program: prog\n    files: {/: {dir: root}}\n"), { vm: fakeVm });
    assert.fail("no error");
  } catch (e) {
    assert.ok(e instanceof ManifestError);
    assert.equal(
      e.message,
      `${file}:4:22: guests.a.files["/"].dir: host directory "root" (${dir}/root) contains "etc/link", which is a symbolic link; guest trees hold only files and directories`,
    );
  }
});
