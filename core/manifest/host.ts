/**
 * The host files a manifest names, read once while the tree is built (never
 * while guests run). An interface, so the builder stays testable without a
 * disk; `nodeHostFiles` reads the real host with node:fs (Deno and Bun).
 */
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";

/** What a host path is. Symbolic links are followed by `kind`, not by `entryKind`. */
export type HostKind = "file" | "dir" | "symlink" | "other";

/** Read access to host files. Failures throw errors with a node-style `code`. */
export interface HostFiles {
  /** What `path` is, following symbolic links; undefined if it does not exist. */
  kind(path: string): HostKind | undefined;
  /** What a directory entry is, without following symbolic links. */
  entryKind(path: string): HostKind | undefined;
  readFile(path: string): Uint8Array;
  /** Entry names of a directory (any order). */
  readDir(path: string): string[];
  /** The path with every symbolic link resolved (realpath(3)); throws if it does not exist. */
  realPath(path: string): string;
}

function kindOf(st: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): HostKind {
  return st.isFile() ? "file" : st.isDirectory() ? "dir" : st.isSymbolicLink() ? "symlink" : "other";
}

/** The real host's files. */
export const nodeHostFiles: HostFiles = {
  kind(path) {
    try {
      return kindOf(statSync(path));
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT" || (e as { code?: string }).code === "ENOTDIR") return undefined;
      throw e;
    }
  },
  entryKind(path) {
    try {
      return kindOf(lstatSync(path));
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return undefined;
      throw e;
    }
  },
  readFile: (path) => new Uint8Array(readFileSync(path)),
  readDir: (path) => readdirSync(path),
  realPath: (path) => realpathSync(path),
};

/**
 * An in-memory host for tests: paths map to file contents (strings or
 * bytes); directories are implied by the files under them, or listed with
 * a trailing "/".
 *
 * @example
 * const host = memoryHostFiles({ "/m/prog": elf, "/m/data/a.txt": "a", "/m/empty/": "" });
 */
export function memoryHostFiles(files: Record<string, string | Uint8Array>): HostFiles {
  const contents = new Map<string, Uint8Array>();
  const dirs = new Map<string, Set<string>>([["/", new Set()]]);
  const addDir = (path: string) => {
    const parts = path.split("/").filter(Boolean);
    for (let i = 0; i < parts.length; i++) {
      const parent = "/" + parts.slice(0, i).join("/");
      const self = "/" + parts.slice(0, i + 1).join("/");
      dirs.get(parent)!.add(parts[i]);
      if (!dirs.has(self)) dirs.set(self, new Set());
    }
  };
  for (const [path, data] of Object.entries(files)) {
    if (path.endsWith("/")) {
      addDir(path);
      continue;
    }
    const i = path.lastIndexOf("/");
    addDir(path.slice(0, i) || "/");
    dirs.get(path.slice(0, i) || "/")!.add(path.slice(i + 1));
    contents.set(path, typeof data === "string" ? new TextEncoder().encode(data) : data);
  }
  const norm = (p: string) => "/" + p.split("/").filter((x) => x && x !== ".").join("/");
  const kind = (p: string): HostKind | undefined => {
    const n = norm(p);
    return contents.has(n) ? "file" : dirs.has(n) ? "dir" : undefined;
  };
  const fail = (code: string, p: string): never => {
    throw Object.assign(new Error(`${code}: ${p}`), { code });
  };
  return {
    kind,
    entryKind: kind,
    readFile: (p) => contents.get(norm(p)) ?? fail(dirs.has(norm(p)) ? "EISDIR" : "ENOENT", p),
    readDir: (p) => [...(dirs.get(norm(p)) ?? fail(contents.has(norm(p)) ? "ENOTDIR" : "ENOENT", p))],
    realPath: (p) => kind(p) ? norm(p) : fail("ENOENT", p),
  };
}
