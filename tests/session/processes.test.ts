/**
 * The REPL's view of a guest of several processes: `ps` lists them with
 * their state, `process PID` shows one in the inspection commands until
 * the guest runs again, and `goto` back across the fork leaves one
 * process again.
 */
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { Session } from "../../core/session/mod.ts";
import { BUSYBOX, busybox } from "../support/guests.ts";
import { ok } from "./support.ts";
import { fileSystemFromHost } from "../../cli/host.ts";

/** A session with busybox sh -c SCRIPT loaded from a root directory that holds busybox as /bin/busybox. */
async function shell(script: string): Promise<Session> {
  busybox();
  const root = mkdtempSync(join(tmpdir(), "fx86-ps-"));
  mkdirSync(join(root, "bin"));
  copyFileSync(BUSYBOX, join(root, "bin", "busybox"));
  const s = new Session({ rootFileSystem: fileSystemFromHost });
  await ok(s, `load --root ${root} ${join(root, "bin", "busybox")} sh -c "${script}"`);
  return s;
}

test("processes: ps, process PID, and goto back across a fork", async () => {
  const s = await shell("seq 2000 | sort -rn | head -3");
  await ok(s, "run 1200000");
  const list = await ok(s, "ps");
  const rows = list.split("\n").slice(1);
  assert.equal(rows.length, 4, list);
  assert.match(rows[0], /^ {3}\s+100 +100 +1 .*blocked: waiting for a child process to end$/);
  assert.match(list, /^[* ]> +\d+ .* running$/m, "one process runs");
  assert.match(list, /101 +101 +100 .*seq/);
  assert.match(await ok(s, "process 103"), /showing process 103/);
  assert.match(await ok(s, "ps"), /^\* +103 /m);
  const r = await s.execute("process 4242");
  assert.equal(r.ok, false);
  assert.match(r.text, /no process 4242/);
  await ok(s, "goto 1000");
  assert.equal((await ok(s, "ps")).split("\n").length, 2, "before the first fork: one process");
  await ok(s, "run");
  assert.equal(await ok(s, "output"), "2000\n1999\n1998");
});

test("processes: ps shows a stopped process, and the deadlock of waiting for it says it is stopped", async () => {
  const s = await shell("sleep 5 & kill -STOP \\$!; wait");
  const r = await s.execute("run");
  assert.match(r.text, /deadlock.*\(stopped: process 101 by SIGSTOP\)/, r.text);
  assert.match(await ok(s, "ps"), /^ {3}\s+101 +101 +100 .*stopped by SIGSTOP$/m);
});
