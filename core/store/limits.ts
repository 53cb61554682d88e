/**
 * Limits on what the store accepts from outside (docs/store.md §7), so a
 * small crafted input cannot make fx86 use unbounded memory or disk. Users
 * set them with `fx86 import --max-object-bytes N --max-bundle-bytes N`.
 */

/** Limits for reading objects and bundles. */
export interface StoreLimits {
  /**
   * Largest object (canonical encoding) accepted: objects in a bundle
   * declaring more are refused before any of their bytes are read, and an
   * object file never inflates past it.
   */
  maxObjectBytes: number;
  /** Largest bundle, counted after decompression (a gzip bomb stops here). */
  maxBundleBytes: number;
}

/**
 * The defaults: an object may hold the largest guest file (1 GiB, the
 * Linux layer's per-file limit) plus its 9-byte header; a bundle may hold
 * 16 GiB of objects. Objects over 16 MiB are streamed to disk, never held
 * in memory whole, so these bound disk use, not memory.
 *
 * @example
 * importBundle(store, bytes, { ...DEFAULT_STORE_LIMITS, maxBundleBytes: 1 << 30 });
 */
export const DEFAULT_STORE_LIMITS: Readonly<StoreLimits> = {
  maxObjectBytes: 2 ** 30 + 9,
  maxBundleBytes: 16 * 2 ** 30,
};
