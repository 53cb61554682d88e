/**
 * A validated manifest: what `validateManifest` produces and the builder,
 * runner and checker consume. Every value that can still go wrong later
 * (host files) carries its location in the manifest.
 */
import type { Location } from "./errors.ts";

/** A host path from the manifest, resolved against the manifest's directory. */
export interface HostRef {
  /** As written in the manifest. */
  written: string;
  /** Resolved (absolute). */
  path: string;
  at: Location;
}

/** What goes at one path of a guest's file tree. */
export type FileEntry =
  & { /** Absolute guest path. */ path: string; /** Its names ([] for "/"). */ names: string[]; at: Location }
  & (
    | { kind: "text"; text: string }
    | { kind: "file"; host: HostRef }
    | { kind: "dir"; host: HostRef }
    | { kind: "mkdir" }
    | { kind: "guest"; guest: GuestSpec }
  );

/** Standard input: literal text or a host file. */
export type StdinSpec = { text: string } | { file: HostRef };

/** Expectations on one file of a guest's final file tree. */
export interface FileExpect {
  path: string;
  names: string[];
  at: Location;
  text?: string;
  sha256?: string;
  tree?: string;
  exists?: boolean;
}

/** Expectations on a guest's final state. */
export interface Expect {
  /** Where the expectations are (the `expect` key). */
  at: Location;
  /** Where each expectation is (its key), for reports. */
  keyAt: Record<string, Location>;
  status?: string;
  exit_code?: number;
  fault?: string;
  instructions?: number;
  root?: string;
  stdout?: string;
  stdout_sha256?: string;
  stdout_contains?: string[];
  stderr?: string;
  stderr_sha256?: string;
  stderr_contains?: string[];
  files: FileExpect[];
  /** Sub-guests of the final file tree, by guest path. */
  guests: { path: string; names: string[]; at: Location; expect: Expect }[];
}

/** A guest: top-level (with a budget) or a sub-guest placed in a file tree. */
export interface GuestSpec {
  /** Where it is declared, e.g. `guests.hello` (for messages). */
  at: Location;
  description?: string;
  program: HostRef;
  argv0: string;
  args: string[];
  /** NAME=value strings; undefined means the VM's default environment. */
  env?: string[];
  stdin?: StdinSpec;
  seed?: string;
  /** In the order they are applied: sorted by path, parents first. */
  files: FileEntry[];
  /** Top-level guests only; undefined means no limit. */
  budget?: number;
  /**
   * Undefined when the manifest gives none: a top-level guest then must
   * exit with status 0, a sub-guest is not checked.
   */
  expect?: Expect;
}

/** A whole manifest. */
export interface Manifest {
  /** The manifest's path as given. */
  file: string;
  /** The directory host paths are resolved against. */
  dir: string;
  description?: string;
  /** Top-level guests in manifest order; `name` is the entry in the host tree. */
  guests: { name: string; guest: GuestSpec }[];
}
