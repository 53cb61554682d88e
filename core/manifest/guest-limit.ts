/**
 * A limit on how many guests one manifest may describe: each costs host
 * memory while the tree is built and run (about 2 MB for a small program),
 * so a manifest of 10,000 guests must be refused up front, not left to
 * exhaust the host.
 */
import { ManifestError } from "./errors.ts";
import type { GuestSpec, Manifest } from "./model.ts";

/** The default limit: top-level guests and sub-guests together. */
export const DEFAULT_MAX_GUESTS = 1000;

/**
 * Throws ManifestError at the first guest past `max` (counting top-level
 * guests and the sub-guests in their file trees, in manifest order).
 *
 * @example
 * checkGuestCount(manifest, 1000); // fine for examples/nesting/nesting.yaml
 */
export function checkGuestCount(manifest: Manifest, max: number): void {
  let count = 0;
  const visit = (g: GuestSpec): void => {
    if (++count > max) {
      throw new ManifestError(
        g.at,
        `the manifest describes more than ${max} guests (each takes host memory); fx86 run --max-guests N raises the limit`,
      );
    }
    for (const e of g.files) if (e.kind === "guest") visit(e.guest);
  };
  for (const { guest } of manifest.guests) visit(guest);
}
