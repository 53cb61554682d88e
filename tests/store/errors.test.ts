/**
 * Bad input to the store commands: one line on stderr, exit status 2, no
 * stack trace, and nothing in the store lost.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import type { Runtime } from "../support/cli.ts";
import { Store } from "../../core/store/mod.ts";
import { assertOneLine, fx86Env, tempStore } from "./support.ts";

const HELLO = "examples/hello/hello";
const runtimes: Runtime[] = ["deno", "bun"];

/** A store with one snapshot of hello, stopped by its budget. */
function storeWithSnapshot(rt: Runtime): string {
  const store = tempStore();
  const r = fx86Env(rt, ["exec", "--store", store, "--budget", "5000", "--save", "s", HELLO]);
  assert.equal(r.status, 124, r.stderr);
  return store;
}

/** Throws unless this machine can make a read-only bind mount in a user namespace (the test needs one). */
function requireReadOnlyMount(): void {
  const r = spawnSync("unshare", ["-rm", "sh", "-c", "mount --bind -o ro /tmp /tmp"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`a read-only bind mount in a user namespace failed here (unshare -rm): ${r.stderr.trim()}`);
}

for (const rt of runtimes) {
  test(`store errors (${rt}): unknown snapshots, bad names, not a store, no store`, () => {
    const store = storeWithSnapshot(rt);
    for (
      const args of [
        ["resume", "nope"],
        ["snapshot", "show", "nope"],
        ["snapshot", "rm", "s", "nope"],
        ["snapshot", "diff", "s", "nope"],
        ["tree", "ls", "nope:cpu"],
      ]
    ) {
      const r = fx86Env(rt, [...args, "--store", store]);
      assert.equal(r.status, 2, args.join(" "));
      assertOneLine(r.stderr, new RegExp(`^fx86: there is no snapshot named nope in ${store}\\.$`));
    }
    // `rm s nope` removed nothing.
    assert.match(fx86Env(rt, ["snapshot", "list", "--store", store]).stdout, /^s\t/);
    const bad = fx86Env(rt, ["exec", "--store", store, "--save", "../evil", HELLO]);
    assert.equal(bad.status, 2);
    assertOneLine(bad.stderr, /^fx86: "\.\.\/evil" is not a valid snapshot name/);
    assert.equal(bad.stdout, "", "the guest did not run");

    const notStore = join(store, "..", "plain");
    mkdirSync(notStore);
    writeFileSync(join(notStore, "data.txt"), "precious");
    const commands = [["snapshot", "list"], ["resume", "s"], ["gc"], ["fsck"]].map((a) => [...a, "--store", notStore]);
    for (const args of [...commands, ["exec", "--store", notStore, "--save", "x", HELLO]]) {
      const r = fx86Env(rt, args);
      assert.equal(r.status, 2, args.join(" "));
      assertOneLine(r.stderr, /^fx86: .*plain is not an fx86 store \(it has no fx86-store\.json\)\.$/);
    }
    assert.equal(readFileSync(join(notStore, "data.txt"), "utf8"), "precious");
    const none = fx86Env(rt, ["snapshot", "list", "--store", join(store, "..", "none")]);
    assert.equal(none.status, 2);
    assertOneLine(none.stderr, /^fx86: there is no fx86 store at .*none\.$/);
    const tree = fx86Env(rt, ["tree", "cat", "s:cpu/nope", "--store", store]);
    assert.equal(tree.status, 2);
    assertOneLine(tree.stderr, /^fx86: s:cpu\/nope: "cpu\/nope" does not exist\.$/);
  });

  test(`store errors (${rt}): a corrupt or missing object is named with its snapshot; fsck finds it`, () => {
    const store = storeWithSnapshot(rt);
    const root = Store.open(store).getSnapshot("s").root;
    const eax = Store.open(store).getTree(root);
    assert.equal(eax.kind, "dir");
    const victim = eax.kind === "dir" ? eax.get("cpu")!.hash : "";
    const path = Store.open(store).objectPath(victim);
    const good = readFileSync(path);
    writeFileSync(path, good.subarray(0, good.length - 1));
    const r = fx86Env(rt, ["resume", "s", "--store", store]);
    assert.equal(r.status, 2);
    assertOneLine(r.stderr, new RegExp(`^fx86: snapshot s needs object ${victim}, which is corrupt\\.$`));
    const f = fx86Env(rt, ["fsck", "--store", store]);
    assert.equal(f.status, 1);
    assert.match(f.stderr, new RegExp(`^object ${victim} is corrupt: .*; needed by snapshot s\\.\\n.* 1 problems\\n$`));
    rmSync(path);
    const m = fx86Env(rt, ["tree", "ls", "s:", "--store", store]);
    assert.equal(m.status, 2);
    assertOneLine(m.stderr, new RegExp(`^fx86: snapshot s needs object ${victim}, which is missing\\.$`));
    writeFileSync(path, good);
    const ok = fx86Env(rt, ["fsck", "--store", store]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^\d+ objects, 1 snapshots, 0 problems\n$/);
  });

  test(`store errors (${rt}): a read-only store is refused before the run, and stays readable`, () => {
    requireReadOnlyMount();
    const store = storeWithSnapshot(rt);
    const ro = (args: string[]) =>
      fx86Env(rt, args, {
        prefix: ["unshare", "-rm", "sh", "-c", `mount --bind -o ro "$0" "$0" && exec "$@"`, store],
      });
    for (
      const args of [
        ["exec", "--store", store, "--save", "t", HELLO],
        ["resume", "s", "--save", "t", "--store", store],
        ["goto", "s", "100", "--save", "t", "--store", store],
        ["back", "s", "--save", "t", "--store", store],
      ]
    ) {
      const r = ro(args);
      assert.equal(r.status, 2, r.stderr);
      assertOneLine(r.stderr, new RegExp(`^fx86: the store ${store} is read-only\\.$`));
      assert.equal(r.stdout, "", "the guest did not run");
    }
    const rm = ro(["snapshot", "rm", "s", "--store", store]);
    assert.equal(rm.status, 2);
    assertOneLine(rm.stderr, /is read-only\.$/);
    const list = ro(["snapshot", "list", "--store", store]);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^s\t/);
    assert.equal(ro(["resume", "s", "--store", store, "--json"]).status, 0);
    const back = ro(["back", "s", "--json", "--store", store]);
    assert.equal(back.status, 0, back.stderr);
    assert.equal(JSON.parse(back.stdout).instruction, 4999, "travelling without saving reads only");
  });
}
