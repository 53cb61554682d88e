/**
 * Building the host tree a manifest describes: every host file it names is
 * read here, once, and becomes a blob; after this nothing of the host is
 * visible to any guest. The host tree's entries are the top-level guests,
 * each a guest subtree that has not run yet (docs/guest-state.md).
 */
import type { Quota } from "../linux/quota.ts";
import { checkGuestCount, DEFAULT_MAX_GUESTS } from "./guest-limit.ts";
import {
  blob,
  type BlobNode,
  checkName,
  dirFromEntries,
  type DirNode,
  EMPTY_DIR,
  mkdir,
  set,
  type TreeNode,
} from "../tree/mod.ts";
import { ManifestError } from "./errors.ts";
import { type HostFiles, nodeHostFiles } from "./host.ts";
import type { FileEntry, GuestSpec, HostRef, Manifest } from "./model.ts";
import type { GuestVm } from "./vm.ts";

/** A manifest with its host tree, ready to run. */
export interface BuiltManifest {
  manifest: Manifest;
  /** The host tree: top-level guest name -> guest subtree. */
  tree: DirNode;
}

/** Options of `buildManifest`. */
export interface BuildOptions {
  vm: GuestVm;
  /** Where host files come from (default: the real host). */
  host?: HostFiles;
  /**
   * Which host paths the manifest may read: `"manifest-dir"` (the default)
   * only paths inside the manifest's directory once symbolic links are
   * resolved, so a manifest from elsewhere cannot copy `/etc/passwd` or
   * `~/.ssh` into a guest tree (and from there into snapshots and
   * bundles); `"any"` lifts that (`fx86 run --allow-host-paths`).
   */
  hostPaths?: "manifest-dir" | "any";
  /** Most guests (top-level and sub-guests) the manifest may describe; default {@link DEFAULT_MAX_GUESTS}. */
  maxGuests?: number;
  /** File and memory limits of every guest it builds (core/linux/quota.ts); the defaults for those not given. */
  quota?: Partial<Quota>;
}

const REASONS: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "not a directory",
  ELOOP: "too many symbolic links",
};

function reason(e: unknown): string {
  const code = (e as { code?: string })?.code;
  if (code && REASONS[code]) return REASONS[code];
  return e instanceof Error ? e.message.split("\n")[0] : String(e);
}

function isValidTreeName(name: string): boolean {
  try {
    checkName(name);
    return true;
  } catch {
    return false;
  }
}

function where(ref: HostRef): string {
  return ref.written === ref.path ? JSON.stringify(ref.written) : `${JSON.stringify(ref.written)} (${ref.path})`;
}

class Builder {
  /** Host files read so far: one blob per file, however often it is named. */
  private readonly blobs = new Map<string, BlobNode>();

  /** The manifest's directory, symbolic links resolved, when paths are confined to it. */
  private readonly within?: string;

  constructor(readonly host: HostFiles, readonly vm: GuestVm, confineTo?: string, readonly quota?: Partial<Quota>) {
    if (confineTo !== undefined) {
      try {
        this.within = host.realPath(confineTo);
      } catch {
        this.within = confineTo;
      }
    }
  }

  /** Refuses a host path outside the manifest's directory (unless any path is allowed). */
  private confine(ref: HostRef): void {
    if (this.within === undefined) return;
    let real: string;
    try {
      real = this.host.realPath(ref.path);
    } catch {
      return; // does not exist: `kind` says so
    }
    if (real === this.within || real.startsWith(this.within.endsWith("/") ? this.within : this.within + "/")) return;
    this.fail(
      ref,
      `host path ${where(ref)} is outside the manifest's directory${real !== ref.path ? ` (it resolves to ${real})` : ""}; ` +
        `fx86 run --allow-host-paths lets a manifest read any host path`,
    );
  }

  private fail(ref: HostRef, message: string): never {
    throw new ManifestError(ref.at, message);
  }

  private kind(ref: HostRef) {
    this.confine(ref);
    try {
      return this.host.kind(ref.path);
    } catch (e) {
      return this.fail(ref, `cannot access host path ${where(ref)}: ${reason(e)}`);
    }
  }

  /** A host file as a blob; `what` names it in messages ("host file", "program", …). */
  file(ref: HostRef, what: string): BlobNode {
    const cached = this.blobs.get(ref.path);
    if (cached) return cached;
    const kind = this.kind(ref);
    if (kind === undefined) this.fail(ref, `${what} ${where(ref)} does not exist`);
    if (kind === "dir") this.fail(ref, `${what} ${where(ref)} is a directory, expected a file`);
    if (kind !== "file") this.fail(ref, `${what} ${where(ref)} is not a regular file`);
    let b: BlobNode;
    try {
      b = blob(this.host.readFile(ref.path));
    } catch (e) {
      return this.fail(ref, `cannot read ${what} ${where(ref)}: ${reason(e)}`);
    }
    this.blobs.set(ref.path, b);
    return b;
  }

  /** A host directory as a tree: directories and regular files, nothing else. */
  dir(ref: HostRef): DirNode {
    const kind = this.kind(ref);
    if (kind === undefined) this.fail(ref, `host directory ${where(ref)} does not exist`);
    if (kind !== "dir") this.fail(ref, `host path ${where(ref)} is not a directory`);
    const walk = (path: string, rel: string): DirNode => {
      let names: string[];
      try {
        names = this.host.readDir(path);
      } catch (e) {
        return this.fail(ref, `cannot read host directory ${JSON.stringify(rel || ref.written)}: ${reason(e)}`);
      }
      const entries: [string, TreeNode][] = [];
      for (const name of names) {
        const childRel = rel ? `${rel}/${name}` : name;
        const childPath = `${path}/${name}`;
        if (!isValidTreeName(name)) {
          this.fail(ref, `host directory ${where(ref)} contains ${JSON.stringify(childRel)}, whose name cannot be a tree name`);
        }
        let k;
        try {
          k = this.host.entryKind(childPath);
        } catch (e) {
          return this.fail(ref, `cannot access ${JSON.stringify(childRel)} in host directory ${where(ref)}: ${reason(e)}`);
        }
        if (k === "dir") entries.push([name, walk(childPath, childRel)]);
        else if (k === "file") {
          try {
            entries.push([name, blob(this.host.readFile(childPath))]);
          } catch (e) {
            return this.fail(ref, `cannot read ${JSON.stringify(childRel)} in host directory ${where(ref)}: ${reason(e)}`);
          }
        } else if (k !== undefined) {
          const what = k === "symlink" ? "a symbolic link" : "neither a file nor a directory";
          this.fail(ref, `host directory ${where(ref)} contains ${JSON.stringify(childRel)}, which is ${what}; guest trees hold only files and directories`);
        }
      }
      return dirFromEntries(entries);
    };
    return walk(ref.path, "");
  }

  /** A guest's file tree from its entries (sorted, parents first). */
  fs(entries: FileEntry[]): DirNode {
    let root: DirNode = EMPTY_DIR;
    for (const e of entries) {
      try {
        switch (e.kind) {
          case "text":
            root = set(root, e.names, blob(e.text), { parents: true });
            break;
          case "file":
            root = set(root, e.names, this.file(e.host, "host file"), { parents: true });
            break;
          case "dir": {
            const d = this.dir(e.host);
            root = e.names.length === 0 ? d : set(root, e.names, d, { parents: true });
            break;
          }
          case "mkdir":
            if (e.names.length > 0) root = mkdir(root, e.names, { parents: true });
            break;
          case "guest":
            root = set(root, e.names, this.guest(e.guest), { parents: true });
            break;
        }
      } catch (err) {
        if (err instanceof ManifestError) throw err;
        throw new ManifestError(e.at, `cannot place ${JSON.stringify(e.path)}: ${reason(err).replace(/\.$/, "")}`);
      }
    }
    return root;
  }

  /** A guest subtree that has not run yet. */
  guest(g: GuestSpec): DirNode {
    const program = this.file(g.program, "program");
    const fs = this.fs(g.files);
    let stdin: Uint8Array | undefined;
    if (g.stdin) stdin = "text" in g.stdin ? new TextEncoder().encode(g.stdin.text) : this.file(g.stdin.file, "stdin file").bytes;
    try {
      return this.vm.newGuestTree({
        program: program.bytes,
        argv: [g.argv0, ...g.args],
        env: g.env,
        fs,
        stdin,
        seed: g.seed,
        quota: this.quota,
      });
    } catch (e) {
      if (e instanceof ManifestError) throw e;
      return this.fail(g.program, `program ${where(g.program)} cannot be loaded: ${reason(e).replace(/\.$/, "")}`);
    }
  }
}

/**
 * Reads every host file the manifest names and builds the host tree.
 * Throws ManifestError (with the location of the path in the manifest)
 * for missing or unreadable files, a directory where a file belongs, a
 * program that is not a usable i386 ELF, a path outside the manifest's
 * directory (unless `hostPaths: "any"`), more guests than `maxGuests`, and so on.
 *
 * @example
 * const built = buildManifest(loadManifest("examples/hello/hello.yaml"), { vm: fx86Vm });
 * built.tree.names; // ["hello"]
 */
export function buildManifest(manifest: Manifest, opts: BuildOptions): BuiltManifest {
  checkGuestCount(manifest, opts.maxGuests ?? DEFAULT_MAX_GUESTS);
  const confineTo = (opts.hostPaths ?? "manifest-dir") === "manifest-dir" ? manifest.dir : undefined;
  const b = new Builder(opts.host ?? nodeHostFiles, opts.vm, confineTo, opts.quota);
  const tree = dirFromEntries(manifest.guests.map(({ name, guest }) => [name, b.guest(guest)]));
  return { manifest, tree };
}
