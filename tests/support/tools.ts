/** Host tools the tests use as oracles, found on PATH or reported missing in one line. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

/**
 * The path of the host program `name`; throws one line naming the Debian
 * package to install if it is not on PATH (a missing oracle is a failure,
 * never a skip).
 *
 * @example
 * spawnSync(hostTool("gdb", "gdb"), ["-batch", "-x", script, program]);
 */
export function hostTool(name: string, debianPackage: string): string {
  for (const dir of (process.env.PATH ?? "/usr/bin").split(":")) {
    const path = join(dir, name);
    if (dir !== "" && existsSync(path)) return path;
  }
  throw new Error(`${name} is missing: apt-get install ${debianPackage} (tests/prepare.sh installs it)`);
}
