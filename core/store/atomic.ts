/** Writing a file so that readers see either nothing or all of it. */
import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Writes `bytes` to a fresh temporary file in `tmpDir` (same file system as
 * `target`), then renames it to `target`, creating `target`'s directory if
 * needed. rename(2) replaces atomically, so a process killed at any moment
 * leaves `target` absent, old or complete — never partial — plus at worst a
 * stray temporary file, which gc removes. A write that fails (a full disk)
 * removes its temporary file and throws the host error. No fsync: see
 * docs/store.md §4.
 *
 * @example
 * writeAtomic("/s/tmp", "/s/snapshots/a.json", bytes);
 */
export function writeAtomic(tmpDir: string, target: string, bytes: Uint8Array): void {
  const tmp = tempName(tmpDir);
  try {
    writeFileSync(tmp, bytes, { flag: "wx" });
    moveInto(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * A fresh temporary file name in `tmpDir`. Random: concurrent writers, even
 * on other machines sharing the directory, never pick the same one.
 *
 * @example
 * tempName("/s/tmp"); // "/s/tmp/9f3c…"
 */
export function tempName(tmpDir: string): string {
  return join(tmpDir, randomBytes(12).toString("hex"));
}

/**
 * Renames a complete temporary file to `target` (atomically replacing it),
 * creating `target`'s directory if needed.
 *
 * @example
 * moveInto("/s/tmp/9f3c…", "/s/objects/ab/cdef…");
 */
export function moveInto(tmp: string, target: string): void {
  try {
    renameSync(tmp, target);
  } catch (e) {
    if ((e as { code?: string }).code !== "ENOENT") throw e;
    mkdirSync(dirname(target), { recursive: true });
    renameSync(tmp, target);
  }
}
