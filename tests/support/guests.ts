/**
 * Running the same program on the reference machine and under fx86, for
 * differential tests. Reference runs happen in a fresh temporary directory
 * holding the same files the guest gets as its root, with exactly the same
 * environment and stdin.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { FileSystem } from "../../core/linux/fs/filesystem.ts";
import { standardLayout } from "../../core/linux/fs/layout.ts";
import { DEFAULT_ENV, Guest, type Stop } from "../../core/vm/guest.ts";
import { BUILD, REPO } from "./paths.ts";
import { i386Command, i386Runner, withI386Exec } from "./reference.ts";

export { BUILD, REPO };
export const BUSYBOX = join(BUILD, "busybox");

/** The busybox binary, or a clear failure if tests/prepare.sh has not run. */
export function busybox(): Uint8Array {
  if (!existsSync(BUSYBOX)) {
    throw new Error(`${BUSYBOX} is missing: run tests/prepare.sh (npm test does)`);
  }
  return new Uint8Array(readFileSync(BUSYBOX));
}

export interface Outcome {
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** Exit status, or null if the program did not exit. */
  status: number | null;
}

export interface RunSpec {
  /** argv, including argv[0]. */
  argv: string[];
  stdin?: Uint8Array | string;
  /** Files in the (guest root | reference working) directory. */
  files?: Record<string, Uint8Array | string>;
  /** The environment, as NAME=value strings; fx86's DEFAULT_ENV if absent. */
  env?: string[];
  /** The guest also gets /dev and /tmp (standardLayout), as the reference has the host's. */
  standardLayout?: boolean;
  /**
   * The guest also gets the program itself at this path, as its
   * /proc/self/exe (busybox re-executes itself through it to run applets
   * in child processes).
   */
  exe?: string;
  /** Symbolic links the guest also gets (path: target), e.g. applet names for busybox. */
  links?: Record<string, string>;
  /** The program executes other i386 programs: the reference must be able to run them (withI386Exec). */
  execs?: boolean;
}

function bytes(v: Uint8Array | string | undefined): Uint8Array {
  if (v === undefined) return new Uint8Array(0);
  return typeof v === "string" ? new TextEncoder().encode(v) : v;
}

/**
 * Where reference runs get their working directory. Under qemu-i386 it is
 * a tmpfs (/dev/shm): the host kernel sees qemu as a 64-bit process, so on
 * ext4 it hands out 64-bit directory cookies (d_off), which a 32-bit
 * program's readdir cannot return (EOVERFLOW, an empty listing); a native
 * 32-bit process gets 32-bit ones. tmpfs cookies are small either way.
 */
function scratchDir(): string {
  const base = i386Runner() === "qemu-i386" && existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  return mkdtempSync(join(base, "fx86-reference-"));
}

/**
 * Runs the i386 `program` on the reference (tests/support/reference.ts:
 * this CPU where the kernel runs i386 code, else qemu-i386) with the
 * spec's argv, files (in a fresh working directory), environment and
 * stdin. `signal` names the signal that ended it, if one did.
 *
 * @example
 * const r = runReference(BUSYBOX, { argv: ["busybox", "wc", "-c"], stdin: "12345" });
 * new TextDecoder().decode(r.stdout); // "5\n"
 */
export function runReference(program: string, spec: RunSpec): Outcome & { signal: string | null } {
  const env = spec.env ?? DEFAULT_ENV;
  const [argv0, ...args] = spec.argv;
  // qemu-i386 7.2 hands its environment to the program in reverse order
  // (its envlist prepends each variable): reversing it first gives the
  // program the order a kernel gives.
  const vars = i386Runner() === "qemu-i386" ? [...env].reverse() : env;
  // `env -i`: Deno adds spawnSync's `env` to the host's, Bun replaces it.
  // (Natively, an argv[0] other than the path goes through bash's exec -a,
  // which adds PWD, SHLVL and _.)
  const plain = ["env", "-i", ...vars, ...i386Command(program, args, argv0 === program ? undefined : argv0)];
  const command = spec.execs ? withI386Exec(plain) : plain;
  const dir = scratchDir();
  try {
    for (const [name, content] of Object.entries(spec.files ?? {})) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), bytes(content));
    }
    // stdin comes from a file through bash: spawnSync's `input` can deadlock
    // under Deno when the child writes a lot before reading everything.
    const stdinPath = `${dir}.stdin`;
    writeFileSync(stdinPath, bytes(spec.stdin));
    const script = 'f=$1; shift; exec "$@" < "$f"';
    const r = spawnSync("bash", ["-c", script, "fx86", stdinPath, ...command], { cwd: dir, maxBuffer: 1 << 30 });
    if (r.error) throw r.error;
    return {
      stdout: new Uint8Array(r.stdout),
      stderr: new Uint8Array(r.stderr),
      status: r.status,
      signal: r.signal,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}.stdin`, { force: true });
  }
}

/** Runs an ELF image under fx86 with the same files, environment and stdin. */
export function runFx86(
  image: Uint8Array,
  spec: RunSpec,
  budget = Infinity,
): Outcome & { stop: Stop; guest: Guest } {
  const fs = new FileSystem();
  if (spec.standardLayout) standardLayout(fs);
  for (const [name, content] of Object.entries(spec.files ?? {})) {
    const parent = dirname("/" + name);
    if (parent !== "/") fs.mkdirp(parent);
    fs.writeFile("/" + name, bytes(content));
  }
  if (spec.exe !== undefined) {
    fs.mkdirp(dirname(spec.exe));
    fs.writeFile(spec.exe, image, { mode: 0o755 });
  }
  for (const [path, target] of Object.entries(spec.links ?? {})) {
    fs.mkdirp(dirname(path));
    fs.symlink(target, path);
  }
  const guest = Guest.fromElf({
    program: image,
    argv: spec.argv,
    env: spec.env,
    fs,
    stdin: bytes(spec.stdin),
    exe: spec.exe,
  });
  const stop = guest.run(budget);
  return {
    stdout: guest.linux.stdout,
    stderr: guest.linux.stderr,
    status: stop.status === "exited" ? stop.exitCode : null,
    stop,
    guest,
  };
}

/** Deterministic pseudo-random bytes (xorshift32). */
export function pseudoRandom(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Deterministic text-like data (words from a small vocabulary), compressible like real text. */
export function pseudoText(n: number, seed = 7): Uint8Array {
  const words = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "fx86",
    "guest", "tree", "budget", "x86", "deterministic", "page", "snapshot", "\n"];
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1, i = 0;
  while (i < n) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const w = words[(x >>> 0) % words.length];
    for (let k = 0; k < w.length && i < n; k++) out[i++] = w.charCodeAt(k);
    if (i < n && w !== "\n") out[i++] = 32;
  }
  return out;
}
