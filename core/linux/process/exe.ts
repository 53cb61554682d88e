/**
 * A program's path in the guest's file system, which becomes the process's
 * /proc/self/exe: inside the host directory a file system was built from
 * (`--root DIR`), or where the program was installed in a guest started
 * without one.
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { FileSystem } from "../fs/filesystem.ts";
import { standardLayout } from "../fs/layout.ts";
import { isValidName } from "../../tree/names.ts";

/**
 * Where the program is in the guest's file system when it lies inside the
 * `--root` directory: its /proc/self/exe, through which busybox re-executes
 * itself to run applets in child processes.
 *
 * @example
 * guestPathOf("rootfs/bin/busybox", "rootfs"); // "/bin/busybox"
 */
export function guestPathOf(program: string, root: string): string | undefined {
  const rel = relative(resolve(root), resolve(program));
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return undefined;
  return "/" + rel.split(sep).join("/");
}


/**
 * Makes `fs` the world of a guest started from a host program without a
 * root: the standard layout (/dev, /tmp) with the program as /bin/NAME
 * (NAME is the host file's name, or "program" if that is not a valid
 * name). A program that runs itself again finds itself there, as busybox's
 * shell does through /proc/self/exe to run applets in child processes.
 * Returns the program's guest path.
 *
 * @example
 * installProgram(new FileSystem(), "busybox", image); // "/bin/busybox"
 */
export function installProgram(fs: FileSystem, name: string, image: Uint8Array): string {
  standardLayout(fs);
  fs.mkdirp("/bin");
  const path = `/bin/${isValidName(name) ? name : "program"}`;
  fs.writeFile(path, image, { mode: 0o755 });
  return path;
}
