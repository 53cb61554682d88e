/**
 * Test programs: C sources built at test time with gcc -m32 into
 * tests/.build/ (gitignored), Debian's busybox-static for i386 fetched there
 * with apt-get download, and native runs for comparison (this machine runs
 * i386 code).
 */
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BUILD = join(REPO, "tests", ".build");

function run(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed: ${r.error?.message ?? r.stderr}`,
    );
  }
  return r.stdout;
}

/**
 * Compiles `source` (relative to the repository) with gcc -m32 and `flags`
 * into tests/.build/<out>, unless an up-to-date build is there. Returns the
 * executable's path.
 */
export function compile(source: string, out: string, flags: string[]): string {
  const src = join(REPO, source);
  const exe = join(BUILD, out);
  if (existsSync(exe) && statSync(exe).mtimeMs >= statSync(src).mtimeMs) {
    return exe;
  }
  mkdirSync(dirname(exe), { recursive: true });
  // Build under a temporary name: test files run in parallel.
  const tmp = `${exe}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  run("gcc", ["-m32", "-O1", ...flags, "-o", tmp, src]);
  renameSync(tmp, exe);
  return exe;
}

/** Debian's busybox-static for i386, fetched into tests/.build/busybox if missing. */
export function busybox(): string {
  const exe = join(BUILD, "busybox");
  if (existsSync(exe)) return exe;
  mkdirSync(BUILD, { recursive: true });
  const tmp = mkdtempSync(join(BUILD, "busybox-"));
  try {
    run("apt-get", ["download", "busybox-static:i386"], tmp);
    const deb = readdirSync(tmp).find((f) => f.endsWith(".deb"));
    if (!deb) {
      throw new Error(
        "apt-get download busybox-static:i386 produced no package",
      );
    }
    run("dpkg-deb", ["-x", join(tmp, deb), join(tmp, "x")]);
    renameSync(join(tmp, "x", "bin", "busybox"), exe);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return exe;
}

/**
 * Runs an executable natively with `argv` (argv[0] is the executable's path)
 * and exactly the environment `env`.
 */
export function runNative(
  exe: string,
  argv: string[],
  env: Record<string, string>,
  opts: { cwd?: string; stdin?: Uint8Array } = {},
): { stdout: string; stderr: string; status: number | null } {
  // env -i: runtimes differ in whether `env` replaces or extends the host's.
  const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const r = spawnSync("env", ["-i", ...vars, exe, ...argv.slice(1)], {
    cwd: opts.cwd,
    input: opts.stdin,
    encoding: "utf8",
  });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** The bytes of a file. */
export function bytesOf(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}
