/** Snapshot metadata: what a named reference to a root records (docs/store.md §3). */
import { StoreError } from "./errors.ts";

/**
 * One snapshot: a root hash plus how it was made. Only `root` matters to the
 * guest; the rest is for people (wall-clock fields are never part of the
 * guest's state).
 */
export interface SnapshotMeta {
  /** Hash of the guest subtree. */
  root: string;
  /** The snapshot this one continued from, or null for a fresh start. */
  origin: string | null;
  /**
   * Hash of the tree the run started from (kept by gc), so `fx86 verify` can
   * replay the run; null when the start was not stored.
   */
  start: string | null;
  /**
   * Hash of the run's stored timeline, or null: a directory whose entries,
   * named by instruction count (16 decimal digits), are the guest's states
   * at those counts (docs/store.md §3); gc keeps it, goto/back use it.
   */
  timeline?: string | null;
  /** The checkpoint interval the timeline was recorded with, or null. */
  checkpoint_every?: number | null;
  /** Instructions charged in the run that produced this snapshot. */
  budget_used: number;
  /** Instructions charged since the guest started (its `status.instructions`). */
  instructions: number;
  /** How the guest stopped: "exited", "budget" or "fault". */
  status: string;
  /** Wall-clock milliseconds the run took. */
  time_ms: number;
  /** The runtime that ran it: "deno" or "bun". */
  runtime: string;
  /** When the snapshot was taken, ISO 8601 UTC. */
  created: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Throws `bad-name` unless `name` can name a snapshot: 1–128 characters from
 * letters, digits, `.`, `_`, `-`, starting with a letter or digit (so it is a
 * safe file name everywhere and never a temporary file's name).
 *
 * @example
 * checkSnapshotName("run-1.after_boot"); // ok
 * checkSnapshotName("../x");            // throws StoreError("bad-name")
 */
export function checkSnapshotName(name: string): void {
  if (!NAME.test(name)) {
    throw new StoreError(
      "bad-name",
      `${JSON.stringify(name)} is not a valid snapshot name (use letters, digits, '.', '_' and '-', starting with a letter or digit).`,
    );
  }
}

const HASH = /^[0-9a-f]{64}$/;

/**
 * Parses a snapshot file's JSON, checking the fields a reader relies on.
 *
 * @example
 * parseSnapshot("s1", text).root; // "3fa4…"
 */
export function parseSnapshot(name: string, text: string): SnapshotMeta {
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch {
    meta = undefined;
  }
  const m = meta as Partial<SnapshotMeta> | undefined;
  if (!m || typeof m !== "object" || typeof m.root !== "string" || !HASH.test(m.root)) {
    throw new StoreError("bad-snapshot", `snapshot ${name} is damaged: its file does not name a root hash.`);
  }
  if (m.start !== undefined && m.start !== null && (typeof m.start !== "string" || !HASH.test(m.start))) {
    throw new StoreError("bad-snapshot", `snapshot ${name} is damaged: its start is not a hash.`);
  }
  if (m.timeline !== undefined && m.timeline !== null && (typeof m.timeline !== "string" || !HASH.test(m.timeline))) {
    throw new StoreError("bad-snapshot", `snapshot ${name} is damaged: its timeline is not a hash.`);
  }
  const why = badField(m);
  if (why) throw new StoreError("bad-snapshot", `snapshot ${name} is damaged: ${why}.`);
  return {
    root: m.root,
    origin: m.origin ?? null,
    start: m.start ?? null,
    budget_used: m.budget_used!,
    instructions: m.instructions!,
    status: m.status!,
    time_ms: m.time_ms!,
    runtime: m.runtime!,
    created: m.created!,
    timeline: m.timeline ?? null,
    checkpoint_every: m.checkpoint_every ?? null,
  };
}

const STATUSES = new Set(["new", "exited", "budget", "fault", "passed", "failed"]);
const RUNTIME = /^[a-z]{1,16}$/;
const CREATED = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

/**
 * What is wrong with the fields people read (and a bundle from elsewhere
 * may forge), or undefined: counts are whole numbers, the status and
 * runtime are words fx86 writes, `created` is an ISO 8601 UTC time, and
 * `origin` is a snapshot name, optionally with a path inside it.
 */
function badField(m: Partial<SnapshotMeta>): string | undefined {
  const count = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
  if (m.origin !== undefined && m.origin !== null && !isOrigin(m.origin)) return "its origin is not a snapshot name";
  if (!count(m.budget_used)) return "its budget_used is not a whole number";
  if (!count(m.instructions)) return "its instructions is not a whole number";
  if (typeof m.status !== "string" || !STATUSES.has(m.status)) return "its status is not one fx86 writes";
  if (typeof m.time_ms !== "number" || !Number.isFinite(m.time_ms) || m.time_ms < 0) return "its time_ms is not a duration";
  if (typeof m.runtime !== "string" || !RUNTIME.test(m.runtime)) return "its runtime is not a runtime's name";
  if (typeof m.created !== "string" || !CREATED.test(m.created)) return "its created time is not ISO 8601 UTC";
  const every = m.checkpoint_every;
  if (every !== undefined && every !== null && !(count(every) && every > 0)) return "its checkpoint_every is not a positive whole number";
  return undefined;
}

/** `NAME` or `NAME/PATH` (resume of a guest inside a saved host tree); never `..` or an absolute path. */
function isOrigin(origin: unknown): boolean {
  if (typeof origin !== "string") return false;
  const [first, ...rest] = origin.split("/");
  return NAME.test(first) && rest.every((p) => p.length > 0 && p.length <= 255 && p !== "." && p !== ".." && !p.includes("\0"));
}

/**
 * Every tree a snapshot keeps alive, with what it is to the snapshot: its
 * root, its start and its timeline (the ones it has). gc, fsck and bundles
 * follow these.
 *
 * @example
 * snapshotRoots(meta); // [["3fa4…", "root"], ["9c1e…", "start"]]
 */
export function snapshotRoots(meta: SnapshotMeta): [string, "root" | "start" | "timeline"][] {
  const out: [string, "root" | "start" | "timeline"][] = [[meta.root, "root"]];
  if (meta.start) out.push([meta.start, "start"]);
  if (meta.timeline) out.push([meta.timeline, "timeline"]);
  return out;
}
