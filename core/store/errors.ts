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
  | "exists";

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
