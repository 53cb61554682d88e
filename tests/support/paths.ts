/** Where the repository and the tests' build folder (tests/.build, gitignored) are. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BUILD = join(REPO, "tests", ".build");
