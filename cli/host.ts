/**
 * The host side of the CLI: everything that touches the host's files and
 * standard streams lives here, so core/ stays pure. Uses node: modules,
 * which Deno and Bun both provide.
 */
import { contents } from "../core/linux/fs/contents.ts";
import { standardLayout } from "../core/linux/fs/layout.ts";
import { fromHost, toHost } from "../core/linux/fs/names.ts";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { FileSystem } from "../core/linux/fs/filesystem.ts";

/** A user-facing error: printed as one line, no stack trace. */
export class UserError extends Error {}

/** Reads a host file, turning failures into one-line user errors. */
export function readHostFile(path: string, what = "file"): Uint8Array {
  try {
    return bytesOf(readFileSync(path));
  } catch (e) {
    throw new UserError(`cannot read ${what} ${path}: ${reason(e)}`);
  }
}

/**
 * Copies a host directory into a new guest file system (guest `/x` is
 * `dir/x`): directories, regular files with their permission bits, and
 * symbolic links; other kinds of files are skipped. Then adds the standard
 * layout (core/linux/fs/layout.ts: /dev/null, /dev/zero, /dev/urandom, …
 * and /tmp) where the directory does not have those entries, so that a root
 * unpacked from packages finds what a Linux system has.
 */
export function fileSystemFromHost(dir: string): FileSystem {
  const fs = new FileSystem();
  let st;
  try {
    st = lstatSync(dir);
  } catch (e) {
    throw new UserError(`cannot read root directory ${dir}: ${reason(e)}`);
  }
  if (!st.isDirectory()) throw new UserError(`root ${dir} is not a directory`);
  const walk = (hostDir: string, guestDir: string) => {
    for (const name of readdirSync(hostDir).sort()) {
      const host = join(hostDir, name);
      const guest = guestDir === "/" ? `/${name}` : `${guestDir}/${name}`;
      const s = lstatSync(host);
      const mode = s.mode & 0o7777;
      if (s.isDirectory()) {
        fs.mkdirp(guest, { mode });
        walk(host, guest);
      } else if (s.isFile()) {
        fs.writeFile(guest, bytesOf(readFileSync(host)), { mode });
      } else if (s.isSymbolicLink()) {
        fs.symlink(readlinkSync(host), guest);
      }
    }
  };
  try {
    walk(dir, "/");
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot copy root directory ${dir}: ${reason(e)}`);
  }
  standardLayout(fs);
  return fs;
}

/**
 * Writes the guest directory `guestDir` of `fs` to the new host directory
 * `hostDir` (which must not exist, or be empty): directories, regular files
 * with their permission bits, symbolic links; devices are left out and
 * hard links become copies.
 */
export function fileSystemToHost(fs: FileSystem, guestDir: string, hostDir: string): void {
  try {
    if (existsSync(hostDir) && readdirSync(hostDir).length > 0) {
      throw new UserError(`${hostDir} exists and is not empty`);
    }
    mkdirSync(hostDir, { recursive: true });
    const prefix = fromHost(guestDir) + "/";
    const dirModes: [string, number][] = [];
    for (const { path, node } of fs.walkTree()) {
      if (!path.startsWith(prefix)) continue;
      const host = join(hostDir, toHost(path.slice(prefix.length)));
      if (node.kind === "dir") {
        mkdirSync(host);
        dirModes.push([host, node.mode]);
      } else if (node.kind === "file") {
        writeFileSync(host, contents(node), { mode: node.mode });
        chmodSync(host, node.mode);
      } else if (node.kind === "symlink") symlinkSync(toHost(node.target), host);
    }
    // Last, deepest first: a read-only directory must be filled before it is made read-only.
    for (const [dir, mode] of dirModes.reverse()) chmodSync(dir, mode);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot write ${hostDir}: ${reason(e)}`);
  }
}

/** All of the host's stdin, or nothing when stdin is a terminal. */
export function readStdin(): Uint8Array {
  if (process.stdin.isTTY) return new Uint8Array(0);
  try {
    return bytesOf(readFileSync(0));
  } catch {
    return new Uint8Array(0);
  }
}

/**
 * The bytes of a Buffer as a plain Uint8Array on the same memory when the
 * Buffer has its memory to itself (a large file's: not copying 8 MiB of
 * input saves as much RSS), else a copy (a small one may be a slice of
 * Node's shared pool).
 */
function bytesOf(b: Buffer): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength
    ? new Uint8Array(b.buffer, 0, b.byteLength)
    : new Uint8Array(b);
}

/** Writes bytes to a host file descriptor completely. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(fd, bytes, done, bytes.length - done);
    } catch (e) {
      const err = e as { code?: string; name?: string };
      // The reader went away (`fx86 … | head`): stop quietly, as a process
      // killed by SIGPIPE does (store writes are atomic, nothing is half-done).
      if (err.code === "EPIPE" || err.name === "BrokenPipe") process.exit(141);
      if (err.code !== "EAGAIN") throw e;
    }
  }
}

/** The message of an error, without a stack. */
export function reason(e: unknown): string {
  if (e && typeof e === "object" && "code" in e && typeof e.code === "string") {
    const map: Record<string, string> = {
      ENOENT: "no such file or directory",
      EACCES: "permission denied",
      EISDIR: "is a directory",
      ENOTDIR: "not a directory",
    };
    if (map[e.code]) return map[e.code];
  }
  return e instanceof Error ? e.message.split("\n")[0] : String(e);
}
