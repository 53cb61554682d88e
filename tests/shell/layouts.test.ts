/**
 * The shell's screen at the three sizes people use (80x24, 120x36,
 * 200x50), captured in a real terminal after running examples/nesting to
 * its end and compared with the checked-in captures docs/screens/*.txt
 * (FX86_UPDATE_SCREENS=1 rewrites them: check the diff). And the panels
 * follow a run while it goes: the guest's output appears before it stops.
 */
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { BUSYBOX, REPO } from "../support/guests.ts";
import { expectScreen, Terminal } from "./tmux.ts";

const bun = join(REPO, "node_modules", ".bin", "bun");
/** Where the captures are checked in: docs/tui.md shows them. */
const SCREENS = new URL("../../docs/screens/", import.meta.url);

for (const [columns, rows] of [[80, 24], [120, 36], [200, 50]]) {
  test(`shell at ${columns}x${rows}: nesting run to its end shows whole names and counts and the guest's output`, async () => {
    const t = new Terminal([bun, "cli/main.ts", "shell", "examples/nesting/nesting.yaml"], REPO, columns, rows);
    try {
      await t.until((s) => s.includes("loaded examples/nesting/nesting.yaml"), "the loaded manifest");
      t.send(":continue", true);
      t.send("Enter");
      const end = await t.until((s) => /nest exited with status 0/.test(s) && !s.includes("any key stops"), "the exit", 60_000);
      // The host tree: every guest's name and its whole count (no cut digits before the border).
      for (const l of end.split("\n").slice(1, 4)) assert.match(l, /^│[▶ ] *(nest|\/child) +exit 0 .* [\d.]+[KM]?│/, l);
      assert.match(end, /┌─ Output nest/, "after the exit the side panel shows the output");
      assert.match(end, /\[2\] leaf: 9592 primes/);
      expectScreen(`shell-${columns}x${rows}`, end, SCREENS);
      t.send("q");
      await t.until((s) => s.includes("EXITED"), "the exit");
    } finally {
      t.close();
    }
  });
}

test("shell: the output panel follows a run while it goes", async () => {
  // Prints forever: whatever the shell shows of it, it shows during the run.
  const t = new Terminal([bun, "cli/main.ts", "shell", BUSYBOX, "sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; done"], REPO, 120, 36);
  try {
    await t.until((s) => s.includes("loaded "), "the program");
    t.send("c");
    const live = await t.until((s) => s.includes("any key stops the run") && /│tick \d+ *│/.test(s), "output during the run");
    assert.match(live, /running: [\d.,KMG]+ instructions/);
    t.send("x");
    await t.until((s) => /interrupted at instruction \d+/.test(s), "the interrupt");
    t.send("q");
    await t.until((s) => s.includes("EXITED"), "the exit");
  } finally {
    t.close();
  }
});
