/**
 * Test programs: C sources built at test time with gcc -m32 into
 * tests/.build/ (gitignored) and Debian's busybox-static for i386 fetched
 * there with apt-get download. tests/support/guests.ts runs them on the
 * reference for comparison.
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
import { BUILD, REPO } from "../support/guests.ts";

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
 * into tests/.build/<out>, unless a build newer than the source and the
 * headers beside it is there. Returns the executable's path.
 */
export function compile(source: string, out: string, flags: string[]): string {
  const src = join(REPO, source);
  const exe = join(BUILD, out);
  // The headers beside the source (check.h) are part of it.
  const dir = dirname(src);
  const inputs = [src, ...readdirSync(dir).filter((f) => f.endsWith(".h")).map((f) => join(dir, f))];
  if (existsSync(exe) && inputs.every((f) => statSync(exe).mtimeMs >= statSync(f).mtimeMs)) {
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

/** The bytes of a file. */
export function bytesOf(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/**
 * The host's i386 dynamic loader, which `gcc -m32` programs name as their
 * PT_INTERP (libc6-i386, installed with gcc-multilib by tests/prepare.sh).
 */
export const HOST_LDSO = "/lib/ld-linux.so.2";
