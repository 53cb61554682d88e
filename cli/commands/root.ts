import { Command } from "@commander-js/extra-typings";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FileSystem } from "../../core/linux/fs/filesystem.ts";
import { fileSystemToHost, readHostFile, UserError, writeAll } from "../host.ts";
import { UNPACKED, unpackDeb } from "../root/unpack.ts";

/** Debian's busybox-static for i386 in the source tree, which unpacks the packages. */
const BUSYBOX = fileURLToPath(new URL("../../examples/bin/busybox", import.meta.url));

/**
 * `fx86 root build DIR PKG.deb…`: a root for `fx86 exec --root DIR` from
 * Debian packages the user names, unpacked as `dpkg -x` would (in order;
 * later packages overwrite earlier files), by busybox running as a guest.
 *
 * @example
 * // fx86 root build root libc6_2.36-9_i386.deb coreutils_9.1-1_i386.deb
 * // fx86 exec --root root /bin/ls
 */
export function rootCommand() {
  const build = new Command("build")
    .description("unpack Debian .deb packages into a new directory to use with --root")
    .argument("<dir>", "the directory to create (it must not exist, or be empty)")
    .argument("<packages...>", ".deb files, unpacked in this order")
    .option("--busybox <file>", "the i386 busybox that unpacks them (default: examples/bin/busybox)")
    .option("--json", "print one JSON object (docs/json.md) instead of a line")
    .action((dir, packages, opts) => {
      const path = opts.busybox ?? BUSYBOX;
      if (!opts.busybox && !existsSync(path)) {
        throw new UserError(`no busybox at ${path}: give --busybox FILE (Debian's busybox-static for i386)`);
      }
      const busybox = readHostFile(path, "busybox");
      const fs = new FileSystem();
      for (const deb of packages) {
        try {
          unpackDeb(busybox, fs, readHostFile(deb, "package"));
        } catch (e) {
          if (e instanceof UserError) throw e;
          throw new UserError(`${deb}: ${(e as Error).message}`);
        }
      }
      fileSystemToHost(fs, UNPACKED, dir);
      const out = opts.json
        ? JSON.stringify({ dir, packages }) + "\n"
        : `unpacked ${packages.length} packages into ${dir}\n`;
      writeAll(1, new TextEncoder().encode(out));
    });
  return new Command("root").description("build guest roots").addCommand(build);
}
