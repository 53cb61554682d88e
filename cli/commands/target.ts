import { loadLine } from "../../core/session/mod.ts";
import { UserError } from "../host.ts";

/**
 * The `load` line for the target of `fx86 repl|shell TARGET [ARGS…]`.
 * Those commands let options they do not know through (allowUnknownOption),
 * so `fx86 repl busybox sh -c 'echo hi'` gives `-c` to the guest; an
 * unknown option before any target is still an error, not a file name.
 *
 * @example
 * await session.execute(targetLoadLine("busybox", ["sh", "-c", "echo hi"]));
 */
export function targetLoadLine(target: string, args: readonly string[]): string {
  if (target.startsWith("-")) throw new UserError(`unknown option '${target}'`);
  return loadLine(target, args);
}
