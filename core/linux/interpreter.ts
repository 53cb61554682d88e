import { ElfError } from "../elf/elf.ts";
import type { LoadOptions } from "../elf/load.ts";
import { contents } from "./fs/contents.ts";
import type { FileSystem } from "./fs/filesystem.ts";

/**
 * The `interpreter` option of loadElf for a guest: dynamically linked
 * programs find their loader (PT_INTERP, e.g. `/lib/ld-linux.so.2`) in the
 * guest's own file system, never on the host, so the guest's tree says
 * everything it runs.
 *
 * @example
 * loadElf(image, mem, cpu, { ...opts, interpreter: interpreterFrom(linux.fs) });
 */
export function interpreterFrom(
  fs: FileSystem,
): NonNullable<LoadOptions["interpreter"]> {
  return (path) => {
    const node = fs.find(path);
    if (node?.kind !== "file") {
      // loadElf prefixes the message with the interpreter's path.
      throw new ElfError(
        node ? "not a regular file" : "not in the guest's file system",
      );
    }
    return contents(node);
  };
}
