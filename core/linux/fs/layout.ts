import {
  DEV_FULL,
  DEV_NULL,
  DEV_RANDOM,
  DEV_URANDOM,
  DEV_ZERO,
} from "../io.ts";
import type { FileSystem } from "./filesystem.ts";

/**
 * Adds what most Linux programs expect to find: /dev with null, zero, full,
 * random and urandom (owned by root, mode 0666), and a world-writable,
 * sticky /tmp. Existing entries are left alone.
 *
 * @example
 * const fs = new FileSystem();
 * standardLayout(fs);
 * fs.find("/dev/null")?.kind; // "device"
 */
export function standardLayout(fs: FileSystem): void {
  fs.mkdirp("/dev");
  const devices: [string, number][] = [
    ["null", DEV_NULL],
    ["zero", DEV_ZERO],
    ["full", DEV_FULL],
    ["random", DEV_RANDOM],
    ["urandom", DEV_URANDOM],
  ];
  for (const [name, rdev] of devices) {
    if (!fs.find(`/dev/${name}`, false)) {
      fs.mknod(`/dev/${name}`, rdev, { mode: 0o666, uid: 0, gid: 0 });
    }
  }
  if (!fs.find("/tmp", false)) {
    fs.mkdirp("/tmp", { mode: 0o1777, uid: 0, gid: 0 });
  }
}
