/**
 * Manifests on the real engine, in process: the trees they build are guest
 * subtrees the engine runs, files land in the guests' file trees, and
 * running in chunks (for the progress line) changes nothing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildManifest, fx86Vm, loadManifest, runManifest } from "../../core/manifest/mod.ts";
import { type BlobNode, type DirNode, get } from "../../core/tree/mod.ts";
import { assert, test } from "../harness.ts";
import { nasmProgram } from "../support/build.ts";
import { REPO } from "../support/guests.ts";

const HELLO_YAML = join(REPO, "examples", "hello", "hello.yaml");
const dec = new TextDecoder();

function load(file: string, text = readFileSync(file, "utf8")) {
  return buildManifest(loadManifest(file, text), { vm: fx86Vm, hostPaths: "any" }); // programs from tests/.build
}

test("manifest engine: the hello manifest builds a new guest with its files, and runs", () => {
  const built = load(HELLO_YAML);
  assert.deepEqual(built.tree.names, ["hello"]);
  const hello = built.tree.get("hello") as DirNode;
  assert.ok(fx86Vm.isGuestTree(hello));
  assert.deepEqual(fx86Vm.readStatus(hello), { status: "new", exit_code: null, instructions: 0 });
  assert.equal(dec.decode((get(hello, "fs/etc/motd") as BlobNode).bytes), "Welcome to fx86\n");
  const r = runManifest(built, { vm: fx86Vm });
  assert.equal(r.ok, true, JSON.stringify(r.guests[0].checks));
  const final = r.tree.get("hello") as DirNode;
  assert.equal(r.guests[0].root, final.hash);
  assert.equal(r.root, r.tree.hash);
  const stdout = dec.decode((final.get("stdout") as BlobNode).bytes);
  assert.match(stdout, /^Hello from an fx86 guest!\nargv\[1\] = one\nargv\[2\] = two words\n/);
  assert.equal(fx86Vm.readStatus(final).status, "exited");
});

test("manifest engine: running in small chunks gives the same trees as one run", () => {
  const one = runManifest(load(HELLO_YAML), { vm: fx86Vm });
  const progress: number[] = [];
  const chunked = runManifest(load(HELLO_YAML), {
    vm: fx86Vm,
    chunk: 997,
    onProgress: (p) => progress.push(p.instructions),
  });
  assert.equal(chunked.root, one.root);
  assert.equal(progress.at(-1), one.guests[0].status.instructions);
  assert.ok(progress.length > 10);
  assert.deepEqual(progress.slice(0, 3), [997, 1994, 2991]);
});

test("manifest engine: a sub-guest from the manifest is a guest subtree its parent can RUN", () => {
  const runner = nasmProgram(join(REPO, "tests/manifest/guests/runner.asm"), "runner-50000000", { BUDGET: "50000000" });
  const text = `
guests:
  top:
    program: ${runner}
    files:
      /guests/child:
        guest:
          program: ${join(REPO, "examples/hello/hello")}
          args: [child]
          stdin: "unused"
          expect: {status: exited, stdout_contains: "argv[1] = child\\n"}
`;
  const built = load(join(REPO, "m.yaml"), text);
  const child = get(built.tree, "top/fs/guests/child") as DirNode;
  assert.ok(fx86Vm.isGuestTree(child));
  assert.equal(fx86Vm.readStatus(child).status, "new");
  assert.equal(dec.decode((child.get("stdin") as BlobNode).bytes), "unused");
  const r = runManifest(built, { vm: fx86Vm });
  assert.equal(r.ok, true, JSON.stringify(r.guests.map((g) => [g.checks, g.children.map((c) => c.checks)])));
  assert.deepEqual(r.guests[0].children.map((c) => [c.path, c.status.status]), [["top/fs/guests/child", "exited"]]);
  // The parent is charged its child's instructions.
  assert.ok(r.guests[0].status.instructions > r.guests[0].children[0].status.instructions);
});
