/**
 * Running the same program natively and under fx86, for differential tests.
 * Native runs happen in a fresh temporary directory holding the same files
 * the guest gets as its root, with the same environment and stdin.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FileSystem } from "../../core/linux/fs/filesystem.ts";
import { DEFAULT_ENV, Guest, type Stop } from "../../core/vm/guest.ts";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BUILD = join(REPO, "tests", ".build");
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
  /** Files in the (guest root | native working) directory. */
  files?: Record<string, Uint8Array | string>;
}

function bytes(v: Uint8Array | string | undefined): Uint8Array {
  if (v === undefined) return new Uint8Array(0);
  return typeof v === "string" ? new TextEncoder().encode(v) : v;
}

/** Runs `program` natively (this machine executes i386 code). */
export function runNative(program: string, spec: RunSpec): Outcome {
  const dir = mkdtempSync(join(tmpdir(), "fx86-native-"));
  try {
    for (const [name, content] of Object.entries(spec.files ?? {})) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), bytes(content));
    }
    const env: Record<string, string> = {};
    for (const kv of DEFAULT_ENV) {
      const i = kv.indexOf("=");
      env[kv.slice(0, i)] = kv.slice(i + 1);
    }
    // stdin comes from a file through bash: spawnSync's `input` can deadlock
    // under Deno when the child writes a lot before reading everything.
    const stdinPath = `${dir}.stdin`;
    writeFileSync(stdinPath, bytes(spec.stdin));
    const script = 'f=$1 a0=$2 p=$3; shift 3; exec -a "$a0" "$p" "$@" < "$f"';
    const r = spawnSync("bash", ["-c", script, "fx86", stdinPath, spec.argv[0], program, ...spec.argv.slice(1)], {
      cwd: dir,
      env,
      maxBuffer: 1 << 30,
    });
    if (r.error) throw r.error;
    return {
      stdout: new Uint8Array(r.stdout),
      stderr: new Uint8Array(r.stderr),
      status: r.status,
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
  for (const [name, content] of Object.entries(spec.files ?? {})) {
    const parent = dirname("/" + name);
    if (parent !== "/") fs.mkdirp(parent);
    fs.writeFile("/" + name, bytes(content));
  }
  const guest = Guest.fromElf({ program: image, argv: spec.argv, fs, stdin: bytes(spec.stdin) });
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
