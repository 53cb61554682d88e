import { Command } from "@commander-js/extra-typings";
import { readFileSync } from "node:fs";
import { Session } from "../../core/session/mod.ts";
import { fileSystemFromHost, readHostFile, UserError, writeAll } from "../host.ts";
import { runScript, type ScriptIo } from "../repl/script.ts";
import { runTerminal } from "../repl/terminal.ts";
import { openStore, RUNTIME, storeOption } from "./store-options.ts";
import { rootOption, stdinOption, targetLoadLine } from "./target.ts";
import { parsePort } from "./gdbserver.ts";
import { serveGdb } from "../gdb/serve.ts";

const encoder = new TextEncoder();

/**
 * `fx86 repl [MANIFEST|PROGRAM [ARGS…]] [--script FILE]`: the command
 * language of the shell (docs/shell.md), from a terminal, a script file or
 * stdin.
 */
export function replCommand() {
  return new Command("repl")
    .description("the scriptable REPL: the shell's command language from a terminal, a script file or stdin")
    .argument("[target]", "a manifest (.yaml) or i386 program to load first")
    .argument("[args...]", "arguments of the program")
    .option("--script <file>", "read commands from FILE instead of the terminal")
    .option("--gdb <port>", "also serve gdb's remote protocol on 127.0.0.1:PORT (docs/gdb.md); after a script, wait for gdb to connect and detach", parsePort)
    .addOption(storeOption())
    .addOption(rootOption())
    .addOption(stdinOption())
    .allowUnknownOption()
    .action(async (target, args, opts) => {
      const session = new Session({
        store: () => openStore(opts.store, { write: true }),
        rootFileSystem: fileSystemFromHost,
        runtime: RUNTIME,
      });
      const io = {
        out: (t: string) => writeAll(1, encoder.encode(t)),
        err: (t: string) => writeAll(2, encoder.encode(t)),
      };
      if (target !== undefined) {
        const r = await session.execute(targetLoadLine(target, args, { root: opts.root, stdin: opts.stdin }));
        if (!r.ok) throw new UserError(r.text);
        io.out(r.text + "\n");
      }
      const gdb = opts.gdb === undefined ? undefined : await serveGdb(session.state, opts.gdb);
      if (gdb) io.err(`fx86 repl: gdb can connect to 127.0.0.1:${gdb.port} (set architecture i386, target remote :${gdb.port})\n`);
      try {
        const terminal = await repl(session, opts, io);
        // A script sets the scene for gdb: wait for gdb to come and go. At a terminal, quit ends both.
        if (gdb && (!terminal || gdb.connected())) await gdb.done;
      } finally {
        gdb?.close();
      }
    });
}

/** Reads commands from the terminal, the script or stdin, and sets the exit status; true if from a terminal. */
async function repl(session: Session, opts: { script?: string }, io: ScriptIo): Promise<boolean> {
  if (opts.script === undefined && process.stdin.isTTY) {
    process.exitCode = await runTerminal(session);
    return true;
  }
  const [text, name] = opts.script !== undefined
    ? [new TextDecoder().decode(readHostFile(opts.script, "script")), opts.script]
    : [readStdinText(), "<stdin>"];
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.on("SIGINT", onSigint);
  try {
    process.exitCode = await runScript(session, text, name, { ...io, signal: interrupt.signal });
  } finally {
    process.off("SIGINT", onSigint);
  }
  return false;
}

function readStdinText(): string {
  try {
    return readFileSync(0, "utf8");
  } catch {
    return "";
  }
}
