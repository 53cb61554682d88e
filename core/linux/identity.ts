/**
 * The fixed identity every guest has: one process in its own process group
 * and session, run by an ordinary user, on a machine called "fx86".
 */
/** Process id (also the thread, process-group and session id) and parent. */
export const PID = 100, PPID = 1;
/** User and group id (real, effective, saved; the only supplementary group too). */
export const UID = 1000, GID = 1000;

/** The uname(2) answer (each field at most 64 bytes). */
export const UTSNAME = {
  sysname: "Linux",
  nodename: "fx86",
  release: "6.1.0-fx86",
  version: "#1 SMP fx86",
  machine: "i686",
  domainname: "(none)",
} as const;

/** The guest machine's memory as sysinfo and /proc/meminfo report it: 1 GiB. */
export const RAM_BYTES = 1 << 30;
