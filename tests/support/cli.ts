/** Runs the fx86 command line as a user would, under Deno or Bun. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO } from "./guests.ts";

export type Runtime = "deno" | "bun";

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Uint8Array;
}

/**
 * `fx86 ARGS...` from source under the given runtime, in the repository
 * directory.
 */
export function fx86(rt: Runtime, args: string[], stdin: Uint8Array | string = ""): CliResult {
  const bin = join(REPO, "node_modules", ".bin", rt);
  const argv = rt === "deno" ? ["run", "-A", "cli/main.ts", ...args] : ["cli/main.ts", ...args];
  const r = spawnSync(bin, argv, { cwd: REPO, input: stdin, maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  const d = new TextDecoder();
  return {
    status: r.status,
    stdout: d.decode(r.stdout),
    stderr: d.decode(r.stderr),
    stdoutBytes: new Uint8Array(r.stdout),
  };
}
