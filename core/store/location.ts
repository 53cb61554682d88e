/** Where the store is when the user names none. */
import { join, resolve } from "node:path";

/**
 * The store directory: `--store DIR`, else `$FX86_HOME`, else `.fx86/` in
 * the working directory. The environment is passed in, so core/ reads no
 * globals.
 *
 * @example
 * storeDir(undefined, { FX86_HOME: "/data/fx86" }, "/home/me"); // "/data/fx86"
 * storeDir(undefined, {}, "/home/me");                         // "/home/me/.fx86"
 */
export function storeDir(option: string | undefined, env: Record<string, string | undefined>, cwd: string): string {
  if (option) return resolve(cwd, option);
  if (env.FX86_HOME) return resolve(cwd, env.FX86_HOME);
  return join(cwd, ".fx86");
}
