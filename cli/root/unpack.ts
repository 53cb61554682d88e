import { FileSystem } from "../../core/linux/fs/filesystem.ts";
import { Guest } from "../../core/vm/guest.ts";
import { readAr } from "./ar.ts";

/**
 * Unpacking Debian packages into one guest file system, as `dpkg -x`
 * does, by running Debian's busybox as an fx86 guest: the decompressors
 * and tar that read the packages are confined like any guest, and the
 * result is the same on every machine and runtime. fx86 itself only splits
 * the `ar` container (ar.ts).
 */

/** How a package's data.tar member is compressed: the busybox applet that decompresses it. */
const DECOMPRESSORS: Record<string, string[] | null> = {
  "data.tar": null,
  "data.tar.xz": ["unxz", "-c"],
  "data.tar.gz": ["gunzip", "-c"],
  "data.tar.bz2": ["bunzip2", "-c"],
};

/** Where the packages are unpacked in the guest file system. */
export const UNPACKED = "/root";

/** Runs a busybox applet on `fs` with `stdin`; its stdout, or an Error with its first line of stderr. */
function applet(busybox: Uint8Array, fs: FileSystem, argv: string[], stdin: Uint8Array): Uint8Array {
  const guest = Guest.fromElf({ program: busybox, argv: ["busybox", ...argv], fs, stdin });
  const stop = guest.run(Infinity);
  if (stop.status !== "exited" || stop.exitCode !== 0) {
    const said = new TextDecoder().decode(guest.linux.stderr).split("\n")[0];
    throw new Error(said || `${argv[0]}: ${stop.status === "exited" ? `exit status ${stop.exitCode}` : stop.status}`);
  }
  return guest.linux.stdout;
}

/**
 * Unpacks the data of one .deb into UNPACKED of `fs` (created if needed).
 * Throws Error with a one-line message if the package cannot be unpacked.
 *
 * @example
 * const fs = new FileSystem();
 * unpackDeb(busybox, fs, readFileSync("sed_4.9-1_i386.deb"));
 * fs.find("/root/bin/sed")?.kind; // "file"
 */
export function unpackDeb(busybox: Uint8Array, fs: FileSystem, deb: Uint8Array): void {
  const members = readAr(deb);
  if (members[0]?.name !== "debian-binary") throw new Error("not a Debian package (no debian-binary member)");
  const data = members.find((m) => m.name.startsWith("data.tar"));
  if (!data) throw new Error("not a Debian package (no data.tar member)");
  const decompress = DECOMPRESSORS[data.name];
  if (decompress === undefined) throw new Error(`${data.name}: this compression is not supported`);
  const tar = decompress ? applet(busybox, fs, decompress, data.data) : data.data;
  fs.mkdirp(UNPACKED);
  // -o: the files belong to the guest user (a guest cannot give files away).
  applet(busybox, fs, ["tar", "-x", "-o", "-f", "-", "-C", UNPACKED], tar);
}
