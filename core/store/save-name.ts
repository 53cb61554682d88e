/** The check every way of saving a snapshot makes before it starts. */
import { StoreError } from "./errors.ts";
import { checkSnapshotName } from "./snapshot.ts";
import type { Store } from "./store.ts";

/**
 * Checks a name to save a snapshot as, before any work, so no result is
 * lost to a bad name: the name's rules (an empty name too), and that no
 * snapshot has it already — saving never silently replaces a snapshot
 * (whose children would still name it as their origin). `fx86 exec|run|
 * resume|goto --save` and the REPL's and shell's `snapshot` all refuse so.
 *
 * @example
 * checkSaveName(Store.open(".fx86", { write: true }), "s1"); // throws StoreError("exists") if s1 exists
 */
export function checkSaveName(store: Store, name: string): void {
  checkSnapshotName(name);
  if (store.snapshotNames().includes(name)) {
    throw new StoreError(
      "exists",
      `snapshot ${name} already exists in ${store.dir}; remove it first (fx86 snapshot rm ${name}) or choose another name.`,
    );
  }
}
