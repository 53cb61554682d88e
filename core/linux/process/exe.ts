/**
 * A program's path in the guest's file system, for hosts that build the
 * file system from a host directory (`--root DIR`) and start a program
 * that lies inside it: that path becomes the process's /proc/self/exe.
 */
import { isAbsolute, relative, resolve, sep } from "node:path";

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

