/**
 * Why a store operation failed. Every code comes with a one-sentence
 * message; `hash` names the object involved, if any.
 *
 * | code          | meaning                                                 |
 * |---------------|---------------------------------------------------------|
 * | `not-a-store` | the directory exists but is not an fx86 store           |
 * | `no-store`    | there is no store at the directory (reading commands)   |
 * | `version`     | the store uses a format version this fx86 cannot read   |
 * | `read-only`   | the store cannot be written                             |
 * | `missing`     | an object that a tree needs is not in the store         |
 * | `corrupt`     | an object's bytes do not hash to its name or do not parse |
 * | `bad-name`    | a snapshot name breaks the naming rules                 |
 * | `no-snapshot` | no snapshot has that name                               |
 * | `bad-snapshot`| a snapshot file is not valid JSON metadata              |
 * | `bad-bundle`  | an export bundle is damaged or not a bundle             |
 * | `exists`      | an import would replace a snapshot with another root    |
 * | `full`        | the store's disk is full (ENOSPC) or over quota         |
 * | `io`          | another host error reading or writing the store (EISDIR, EIO, …) |
 * | `too-big`     | an input is over a limit (object, bundle size)          |
 */
export type StoreErrorCode =
  | "not-a-store"
  | "no-store"
  | "version"
  | "read-only"
  | "missing"
  | "corrupt"
  | "bad-name"
  | "no-snapshot"
  | "bad-snapshot"
  | "bad-bundle"
  | "exists"
  | "full"
  | "io"
  | "too-big";

/**
 * A store failure, meant to be shown to a user as one line.
 *
 * @example
 * try { store.getTree(hash); } catch (e) {
 *   if (e instanceof StoreError && e.code === "missing") console.error(e.message);
 * }
 */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** The object concerned, for `missing` and `corrupt`. */
    readonly hash?: string,
  ) {
    super(message);
    this.name = "StoreError";
  }
}

const REASONS: Record<string, string> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  EISDIR: "is a directory",
  ENOTDIR: "not a directory",
  EIO: "input/output error",
};

/**
 * A host error's reason in a few words ("no space left on device").
 *
 * @example
 * hostReason({ code: "EISDIR" }); // "is a directory"
 */
export function hostReason(e: unknown): string {
  const c = (e as { code?: string })?.code ?? "";
  return REASONS[c] ?? (e instanceof Error ? e.message.split("\n")[0] : String(e));
}

/**
 * A host error met while working on the store in `dir`, as a one-line
 * StoreError naming the store: `read-only` for permissions, `full` for a
 * full disk, else `io`. `doing` says what failed ("write object 3fa4…").
 * The store's files are written atomically, so after any of these the store
 * holds what it held before plus, at worst, complete unreferenced objects.
 *
 * @example
 * try { writeFileSync(path, bytes); } catch (e) { throw storeIoError("/s", e, "write snapshot s1"); }
 * // StoreError("full", "cannot write snapshot s1 in the store /s: no space left on device.")
 */
export function storeIoError(dir: string, e: unknown, doing: string): StoreError {
  if (e instanceof StoreError) return e;
  const c = (e as { code?: string })?.code ?? "";
  const why = hostReason(e);
  if (c === "EACCES" || c === "EPERM" || c === "EROFS") {
    return new StoreError("read-only", `cannot ${doing}: the store ${dir} is read-only.`);
  }
  return new StoreError(c === "ENOSPC" || c === "EDQUOT" ? "full" : "io", `cannot ${doing} in the store ${dir}: ${why}.`);
}

/**
 * Why bytes are not a canonical node encoding, from decode's TreeError, in
 * a few words to put in parentheses.
 *
 * @example
 * notCanonical(e); // "entry 1 is missing"
 */
export function notCanonical(e: Error): string {
  return e.message.replace(/^Not a canonical node encoding: /, "").replace(/\.$/, "");
}
