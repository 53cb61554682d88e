import { Command, InvalidArgumentError } from "@commander-js/extra-typings";
import { Session } from "../../core/session/mod.ts";
import { fileSystemFromHost, UserError } from "../host.ts";
import { serveGdb } from "../gdb/serve.ts";
import { rootOption, stdinOption, targetLoadLine } from "./target.ts";

/**
 * `fx86 gdbserver [--port N] MANIFEST|PROGRAM [ARGS…]`: loads the target
 * as `fx86 repl` does and lets gdb drive it over the remote protocol
 * (docs/gdb.md), reverse execution included. Ends when gdb detaches.
 */
export function gdbserverCommand() {
  return new Command("gdbserver")
    .description("let gdb debug a guest over the remote protocol on 127.0.0.1 (reverse execution included)")
    .argument("<target>", "a manifest (.yaml) or i386 program")
    .argument("[args...]", "arguments of the program")
    .option("--port <n>", "TCP port on 127.0.0.1 (0: any free port, printed)", parsePort, 1234)
    .addOption(rootOption())
    .addOption(stdinOption())
    .allowUnknownOption()
    .action(async (target, args, opts) => {
      const session = new Session({ rootFileSystem: fileSystemFromHost });
      const r = await session.execute(targetLoadLine(target, args, { root: opts.root, stdin: opts.stdin }));
      if (!r.ok) throw new UserError(r.text);
      const server = await serveGdb(session.state, opts.port);
      process.stderr.write(
        `fx86 gdbserver: ${session.state.machine().name} on 127.0.0.1:${server.port}; in gdb: set architecture i386, target remote :${server.port}\n`,
      );
      await server.done;
      server.close();
    });
}

/**
 * A TCP port option's value.
 *
 * @example
 * new Command("x").option("--port <n>", "port", parsePort, 1234);
 */
export function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new InvalidArgumentError("expected a TCP port number (0 to 65535)");
  return n;
}
