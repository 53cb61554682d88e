/**
 * `fx86 shell --gdb PORT`: Debian's gdb drives the session the shell shows.
 * The screen follows what gdb did (break at main, continue), and the shell
 * goes on from there after gdb detaches.
 */
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { REPO } from "../support/guests.ts";
import { gdbBatch } from "../debug/gdb.ts";
import { Terminal } from "./tmux.ts";

test("shell --gdb: gdb breaks at main through the shell's session; the screen follows; the shell steps on after detach", async () => {
  const bun = join(REPO, "node_modules", ".bin", "bun");
  const t = new Terminal([bun, "cli/main.ts", "shell", "--gdb", "0", "examples/debug/counter"], REPO, 120, 36);
  try {
    const start = await t.until((s) => /gdb: target remote :\d+/.test(s), "the port gdb can connect to");
    const port = Number(/gdb: target remote :(\d+)/.exec(start)![1]);
    const out = gdbBatch(port, ["break main", "continue", "p $pc", "detach"]);
    const pc = Number(/^\$1 = \(void \(\*\)\(\)\) (0x[0-9a-f]+) <main\+\d+>/m.exec(out)![1]);
    const eip = pc.toString(16).padStart(8, "0");
    const moved = await t.until((s) => s.includes(`EIP ${eip}`), `EIP ${eip} where gdb stopped`);
    assert.match(moved, new RegExp(`│ ▶ ${eip}  `), "the disassembly is at gdb's stop");
    t.send("s");
    await t.until((s) => !s.includes(`EIP ${eip}`) && /EIP [0-9a-f]{8}\*/.test(s), "one more step, in the shell");
    t.send("q");
    assert.equal((await t.until((s) => s.includes("EXITED"), "the exit")).trim(), "EXITED 0");
  } finally {
    t.close();
  }
});
