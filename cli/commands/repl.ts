import { Command } from "@commander-js/extra-typings";
import { readFileSync } from "node:fs";
import { Session } from "../../core/session/mod.ts";
import { fileSystemFromHost, readHostFile, UserError, writeAll } from "../host.ts";
import { runScript } from "../repl/script.ts";
import { runTerminal } from "../repl/terminal.ts";
import { openStore, RUNTIME, storeOption } from "./store-options.ts";
import { rootOption, stdinOption, targetLoadLine } from "./target.ts";

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
      if (opts.script === undefined && process.stdin.isTTY) {
        process.exitCode = await runTerminal(session);
        return;
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
    });
}

function readStdinText(): string {
  try {
    return readFileSync(0, "utf8");
  } catch {
    return "";
  }
}
