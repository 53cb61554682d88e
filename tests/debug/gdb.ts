/**
 * Driving Debian's gdb against `fx86 gdbserver`: start the server (under
 * Deno or Bun) on a free loopback port, run gdb in batch mode with a list
 * of commands, and read its output. gdb missing is a failure naming the
 * package, never a skip.
 */
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO } from "../support/guests.ts";
import { hostTool } from "../support/tools.ts";
import type { Runtime } from "../support/cli.ts";

/** A running `fx86 gdbserver`. */
export interface Server {
  port: number;
  /** Its exit status, once it has ended (it ends when gdb detaches). */
  exited: Promise<number | null>;
  stderr: () => string;
  stdout: () => string;
}

/**
 * Starts `fx86 gdbserver --port 0 ARGS…` and waits for the port it prints.
 *
 * @example
 * const server = await startServer("deno", ["/tmp/counter"]);
 */
export function startServer(rt: Runtime, args: string[]): Promise<Server> {
  return startFx86(rt, ["gdbserver", "--port", "0", ...args]);
}

/**
 * Starts `fx86 ARGS…`, which serves gdb on a port it prints (gdbserver,
 * repl --gdb 0), and waits for that line; its stdout is kept.
 */
export function startFx86(rt: Runtime, args: string[]): Promise<Server> {
  const bin = join(REPO, "node_modules", ".bin", rt);
  const argv = rt === "deno" ? ["run", "-A", "cli/main.ts"] : ["cli/main.ts"];
  const child = spawn(bin, [...argv, ...args], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Uint8Array) => (out += new TextDecoder().decode(d)));
  let err = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr!.on("data", (d: Uint8Array) => {
      err += new TextDecoder().decode(d);
      const m = /127\.0\.0\.1:(\d+)/.exec(err);
      if (m) resolve({ port: Number(m[1]), exited, stderr: () => err, stdout: () => out });
    });
    exited.then((code) => reject(new Error(`fx86 gdbserver exited (${code}) before listening: ${err}`)));
  });
}

/**
 * Runs gdb in batch mode, connected to `port`, with `commands` (one per
 * -ex), and returns what it printed (stdout and stderr, in order).
 */
export function gdbBatch(port: number, commands: string[]): string {
  const gdb = hostTool("gdb", "gdb");
  const args = ["-batch", "-nx", "-ex", "set architecture i386", "-ex", "set pagination off", "-ex", `target remote 127.0.0.1:${port}`];
  for (const c of commands) args.push("-ex", c);
  const r = spawnSync(gdb, args, { encoding: "utf8", timeout: 120_000, cwd: "/" });
  if (r.error) throw r.error;
  return r.stdout + r.stderr;
}

/** `info registers` lines of gdb's output: name -> value column (first), in order of appearance, last block wins. */
export function registerBlocks(out: string): Map<string, string>[] {
  const blocks: Map<string, string>[] = [];
  let current: Map<string, string> | undefined;
  for (const line of out.split("\n")) {
    const m = /^(eax|ecx|edx|ebx|esp|ebp|esi|edi|eip|eflags|cs|ss|ds|es|fs|gs)\s+(0x[0-9a-f]+)/.exec(line);
    if (!m) {
      current = undefined;
      continue;
    }
    if (m[1] === "eax" || !current) blocks.push(current = new Map());
    current.set(m[1], m[2]);
  }
  return blocks;
}
