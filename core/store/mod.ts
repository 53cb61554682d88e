/**
 * The on-disk object store (docs/store.md): content-addressed tree nodes,
 * named snapshots, gc and fsck.
 *
 * @example
 * import { Store } from "./core/store/mod.ts";
 * const store = Store.open(".fx86", { write: true });
 * store.putTree(tree);
 * store.putSnapshot("s1", meta);
 * store.loadSnapshot("s1").tree.hash === tree.hash; // true
 */
export { StoreError, type StoreErrorCode } from "./errors.ts";
export { FORMAT_VERSION, MARKER, type OpenOptions, type PutStats, Store } from "./store.ts";
export { checkSnapshotName, type SnapshotMeta, snapshotRoots } from "./snapshot.ts";
export { checkSaveName } from "./save-name.ts";
export { snapshotCheckpoints, snapshotTimeline } from "./timeline.ts";
export { gc, type GcResult } from "./gc.ts";
export { fsck, type FsckProblem, type FsckResult } from "./fsck.ts";
export { storeDir } from "./location.ts";
export { BUNDLE_MAGIC, exportBundle, importBundle, type ImportResult } from "./bundle.ts";
export { DEFAULT_STORE_LIMITS, type StoreLimits } from "./limits.ts";
