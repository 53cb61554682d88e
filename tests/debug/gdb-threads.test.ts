/**
 * A guest's processes and threads are gdb's threads: Debian's gdb, in
 * batch mode against `fx86 gdbserver` on tests/linux/progs/threads.c (a
 * pthread pool), breaks in a worker, lists the threads (qfThreadInfo,
 * qThreadExtraInfo), switches to another (Hg) and reads its registers,
 * which must be that thread's own: the REPL's `process PID` shows the
 * same EIP at the same instruction.
 */
import { assert, test } from "../harness.ts";
import { compile } from "../elf/build.ts";
import { gdbBatch, startServer } from "./gdb.ts";
import type { Runtime } from "../support/cli.ts";
import { Session } from "../../core/session/mod.ts";

const threads = () => compile("tests/linux/progs/threads.c", "progs/threads", ["-static", "-Wall", "-pthread"]);

for (const rt of ["deno", "bun"] as Runtime[]) {
  test(`gdbserver threads (${rt}): a worker thread's stop lists every thread, and each shows its own registers`, async () => {
    const exe = threads();
    const server = await startServer(rt, [exe]);
    const out = gdbBatch(server.port, [
      "break worker", "continue", "info threads", "p $pc", "thread 1", "p $pc", "detach",
    ]);
    assert.equal(await server.exited, 0, `gdbserver under ${rt}: ${server.stderr()}`);
    assert.match(out, /Breakpoint 1, 0x[0-9a-f]+ in worker \(\)/);
    const listed = [...out.matchAll(/^[* ] +(\d+) +Thread (\d+) \(([^)]*)\)/gm)];
    assert.ok(listed.length >= 2, `several threads listed:\n${out}`);
    // gdb's thread 1 is the one the guest started with: the first process, blocked while its workers run.
    assert.ok(listed.some((m) => m[1] === "1" && m[2] === "100" && /pid 100, blocked/.test(m[3])), out);
    const pcs = [...out.matchAll(/^\$\d+ = \(void \(\*\)\(\)\) (0x[0-9a-f]+)/gm)].map((m) => Number(m[1]));
    assert.equal(pcs.length, 2, out);
    assert.notEqual(pcs[0], pcs[1], "thread 1 is elsewhere than the worker");

    // The same stop in the REPL: the worker's EIP, and thread 1's (the process gdb listed first).
    const s = new Session();
    for (const line of [`load ${exe}`, "break worker", "continue"]) {
      const r = await s.execute(line);
      assert.ok(r.ok, `${line}: ${r.text}`);
    }
    const eip = async () => Number((await s.execute("p $eip")).text.match(/0x[0-9a-f]+/)![0]);
    assert.equal(await eip(), pcs[0], "the worker's EIP");
    const first = listed.find((m) => m[1] === "1")!;
    assert.ok((await s.execute(`process ${first[2]}`)).ok);
    assert.equal(await eip(), pcs[1], `thread 1 (pid ${first[2]})'s EIP`);
  });
}
