/**
 * The lazily loaded command table (cli/commands/registry.ts): its names are
 * the names the modules' commands really have, and a command line loads
 * only the module of the command it names.
 */
import { Command } from "@commander-js/extra-typings";
import { assert, test } from "../harness.ts";
import { COMMAND_MODULES, modulesFor } from "../../cli/commands/registry.ts";

test("registry: each module defines exactly the commands listed for it", async () => {
  const root = new Command("fx86");
  for (const m of COMMAND_MODULES) {
    assert.deepEqual((await m.load(() => root)).map((c) => c.name()), [...m.names]);
  }
});

test("registry: a command line loads its command's module, help and unknown commands load all", () => {
  const names = (argv: string[]) => modulesFor(argv).flatMap((m) => m.names);
  assert.deepEqual(names(["exec", "--json", "prog", "run"]), ["exec"]);
  assert.deepEqual(names(["--store", "exec", "goto", "x"]), ["goto", "back"]);
  assert.deepEqual(names(["--store=s", "import", "b.fx86"]), ["export", "import"]);
  const all = COMMAND_MODULES.flatMap((m) => m.names);
  for (const argv of [[], ["--help"], ["-V"], ["help", "exec"], ["exce"], ["completions", "bash"]]) {
    assert.deepEqual(names(argv), all, argv.join(" "));
  }
});
