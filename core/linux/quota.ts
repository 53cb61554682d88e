/**
 * What a guest may make its host hold: the bytes of its regular files
 * together, and its mapped memory. Past them the guest gets the error a
 * full disk or an exhausted machine gives (ENOSPC from write, truncate and
 * fx86 tree writes; ENOMEM from mmap and mremap, brk left where it was),
 * so host memory stays bounded whatever the guest does. The host sets
 * them when it builds the guest (`fx86 exec --max-file-bytes N
 * --max-memory N`); they travel with the guest's state (the OS record
 * holds them when they are not the defaults), so a resumed guest meets the
 * same limits (docs/linux.md, "Limits").
 */

/** The two limits, in bytes. */
export interface Quota {
  /** The regular files' bytes together (unlinked files still open included). */
  fileBytes: number;
  /** Mapped memory: every mapped page, touched or not, counts 4 KiB. */
  memory: number;
}

/**
 * 2 GiB of files (twice the largest file, 1 GiB) and 2 GiB of memory (of
 * the 3 GiB of user address space).
 *
 * @example
 * new Linux({ fs, seed, quota: { ...DEFAULT_QUOTA, memory: 256 << 20 } });
 */
export const DEFAULT_QUOTA: Readonly<Quota> = { fileBytes: 2 ** 31, memory: 2 ** 31 };

/** The largest limit either can have: 2^53 − 1 (a JSON-safe integer). */
export const MAX_QUOTA = Number.MAX_SAFE_INTEGER;

/**
 * `quota` as the OS record stores it: undefined for the defaults (so the
 * state of a guest with default limits is what it was before they existed).
 *
 * @example
 * quotaRecord(DEFAULT_QUOTA); // undefined
 */
export function quotaRecord(quota: Quota): Quota | undefined {
  return quota.fileBytes === DEFAULT_QUOTA.fileBytes && quota.memory === DEFAULT_QUOTA.memory
    ? undefined
    : { fileBytes: quota.fileBytes, memory: quota.memory };
}
