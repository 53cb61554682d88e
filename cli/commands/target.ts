import { Option } from "@commander-js/extra-typings";
import { loadLine, type LoadOptions } from "../../core/session/mod.ts";
import { UserError } from "../host.ts";

/**
 * The `load` line for the target of `fx86 repl|shell TARGET [ARGS…]`.
 * Those commands let options they do not know through (allowUnknownOption),
 * so `fx86 repl busybox sh -c 'echo hi'` gives `-c` to the guest; an
 * unknown option before any target is still an error, not a file name.
 *
 * @example
 * await session.execute(targetLoadLine("busybox", ["sort", "/list"], { root: "/tmp/root" }));
 */
export function targetLoadLine(target: string, args: readonly string[], opts: LoadOptions = {}): string {
  if (target.startsWith("-")) throw new UserError(`unknown option '${target}'`);
  return loadLine(target, args, opts);
}

/**
 * `--root DIR` and `--stdin FILE` of repl and shell: the program's file
 * system and input, as `load --root DIR --stdin FILE` takes them.
 *
 * @example
 * new Command("repl").addOption(rootOption()).addOption(stdinOption());
 */
export function rootOption() {
  return new Option("--root <dir>", "with a program: copy this host directory as its file system (as exec --root)");
}

/** See {@link rootOption}. */
export function stdinOption() {
  return new Option("--stdin <file>", "with a program: this host file is its standard input");
}
