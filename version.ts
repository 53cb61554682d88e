/**
 * fx86's version: package.json's, so `fx86 --version` and the package
 * agree. Its own module so that the command line reads it without loading
 * the whole library that mod.ts exports.
 *
 * @example
 * import { VERSION } from "./version.ts"; // "1.0.0"
 */
import packageJson from "./package.json" with { type: "json" };

export const VERSION: string = packageJson.version;
