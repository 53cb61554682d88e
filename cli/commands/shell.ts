import { Command } from "@commander-js/extra-typings";
import { Session } from "../../core/session/mod.ts";
import { fileSystemFromHost, UserError } from "../host.ts";
import { openStore, RUNTIME, storeOption } from "./store-options.ts";
import { rootOption, stdinOption, targetLoadLine } from "./target.ts";
import { parsePort } from "./gdbserver.ts";
import { serveGdb } from "../gdb/serve.ts";

/** What `fx86 shell` says when it has no terminal. */
export const NEEDS_TERMINAL = "fx86 shell needs a terminal; for scripts use fx86 repl";

/**
 * `fx86 shell [MANIFEST | PROGRAM [ARGS…]]`: the interactive debugger
 * (cli/shell). A target that cannot be loaded is reported before the
 * screen is taken over.
 * @example program().addCommand(shellCommand())
 */
export function shellCommand() {
  return new Command("shell")
    .description("debug guests interactively in a terminal UI (host tree, registers, disassembly, memory, timeline)")
    .argument("[target]", "a YAML manifest or an i386 ELF program to load")
    .argument("[args...]", "the program's arguments")
    .option("--gdb <port>", "also serve gdb's remote protocol on 127.0.0.1:PORT (0: any free port; docs/gdb.md)", parsePort)
    .addOption(storeOption())
    .addOption(rootOption())
    .addOption(stdinOption())
    .allowUnknownOption()
    .action(async (target, args, opts) => {
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        process.stderr.write(NEEDS_TERMINAL + "\n");
        process.exitCode = 2;
        return;
      }
      const session = new Session({
        store: () => openStore(opts.store, { write: true }),
        rootFileSystem: fileSystemFromHost,
        runtime: RUNTIME,
      });
      let greeting = "type : for a command, ? for help";
      if (target !== undefined) {
        const loaded = await session.execute(targetLoadLine(target, args, { root: opts.root, stdin: opts.stdin }));
        if (!loaded.ok) throw new UserError(loaded.text);
        greeting = loaded.text.split("\n")[0];
      }
      // ink draws nothing until exit when CI or CONTINUOUS_INTEGRATION is set
      // (it reads them once, on import); this is a terminal, so it is interactive.
      for (const name of ["CI", "CONTINUOUS_INTEGRATION"]) delete process.env[name];
      // NO_COLOR (no-color.org) asks for no styling; ink's chalk does not read it, but FORCE_COLOR=0 it does (on import).
      if (process.env.NO_COLOR) process.env.FORCE_COLOR = "0";
      // gdb moves the session too: the screen redraws after each of its packets.
      let redraw = () => {};
      const gdb = opts.gdb === undefined ? undefined : await serveGdb(session.state, opts.gdb, () => redraw());
      if (gdb) greeting = `gdb: target remote :${gdb.port} · ${greeting}`;
      // Loaded here, not at start-up: ink and React cost every other command time.
      const { runShell } = await import("../shell/run.tsx");
      try {
        await runShell(session, greeting, (refresh) => (redraw = refresh));
      } finally {
        gdb?.close();
      }
    });
}
