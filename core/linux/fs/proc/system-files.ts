import { CPUID_SIGNATURE, CPUID_VENDOR } from "../../../cpu/cpuid.ts";
import { CLK_TCK, EPOCH_SEC, sinceStart } from "../../clock.ts";
import { RAM_BYTES, UTSNAME } from "../../identity.ts";

/**
 * The text of the machine-wide /proc files: one CPU (what CPUID says),
 * RAM_BYTES of memory of which half is free (as sysinfo says), up for as
 * long as the guest has run, and one file system mounted at /.
 */

/** /proc/cpuinfo: the processor CPUID describes. */
function cpuinfo(): string {
  const flags = "fpu tsc cx8 cmov clflush mmx fxsr sse sse2";
  return [
    "processor\t: 0",
    `vendor_id\t: ${CPUID_VENDOR}`,
    `cpu family\t: ${(CPUID_SIGNATURE >> 8) & 15}`,
    `model\t\t: ${(CPUID_SIGNATURE >> 4) & 15}`,
    "model name\t: fx86 deterministic i686",
    `stepping\t: ${CPUID_SIGNATURE & 15}`,
    "cpu MHz\t\t: 1000.000",
    "fdiv_bug\t: no",
    "f00f_bug\t: no",
    "fpu\t\t: yes",
    "fpu_exception\t: yes",
    "cpuid level\t: 1",
    "wp\t\t: yes",
    `flags\t\t: ${flags}`,
    "bogomips\t: 2000.00",
    "clflush size\t: 64",
    "",
    "",
  ].join("\n");
}

/** /proc/meminfo: the machine sysinfo describes. */
function meminfo(): string {
  const kb = RAM_BYTES / 1024;
  const line = (name: string, v: number) => `${(name + ":").padEnd(16)}${String(v).padStart(8)} kB`;
  return [
    line("MemTotal", kb),
    line("MemFree", kb / 2),
    line("MemAvailable", kb / 2),
    line("Buffers", 0),
    line("Cached", 0),
    line("SwapCached", 0),
    line("Active", 0),
    line("Inactive", 0),
    line("SwapTotal", 0),
    line("SwapFree", 0),
    line("Shmem", 0),
    line("Slab", 0),
    "",
  ].join("\n");
}

const seconds = (icount: number) => {
  const t = sinceStart(icount);
  return `${t.sec}.${String(Math.floor(t.nsec / 1e7)).padStart(2, "0")}`;
};

/** /proc/uptime: up and idle seconds (one CPU, never idle). */
function uptime(icount: number): string {
  return `${seconds(icount)} 0.00\n`;
}

/** /proc/loadavg: one runnable process. */
function loadavg(pids: number[]): string {
  return `0.00 0.00 0.00 1/${pids.length} ${Math.max(...pids)}\n`;
}

/** /proc/stat: CPU time in clock ticks, all of it user time; booted at the epoch. */
function stat(icount: number, processes: number): string {
  const user = Math.floor(icount / (1e9 / CLK_TCK));
  return [
    `cpu  ${user} 0 0 0 0 0 0 0 0 0`,
    `cpu0 ${user} 0 0 0 0 0 0 0 0 0`,
    "intr 0",
    "ctxt 0",
    `btime ${EPOCH_SEC}`,
    `processes ${processes}`,
    `procs_running 1`,
    "procs_blocked 0",
    "",
  ].join("\n");
}

/**
 * /proc/mounts: the guest's one file system (statfs says tmpfs).
 *
 * @example
 * mounts(); // "tmpfs / tmpfs rw,relatime 0 0\n"
 */
export function mounts(): string {
  return "tmpfs / tmpfs rw,relatime 0 0\n";
}

/**
 * /proc/PID/mountinfo (proc(5)): the root file system, device 0:32 as
 * stat's st_dev says (syscalls/stat.ts FS_DEV).
 *
 * @example
 * mountinfo().split(" ")[4]; // "/"
 */
export function mountinfo(): string {
  return "1 1 0:32 / / rw,relatime shared:1 - tmpfs tmpfs rw\n";
}

/** /proc/version: what uname says. */
function version(): string {
  return `${UTSNAME.sysname} version ${UTSNAME.release} ${UTSNAME.version}\n`;
}

/** /proc/filesystems: the kinds of file system there are. */
function filesystems(): string {
  return "nodev\ttmpfs\nnodev\tproc\n";
}

/** /proc/sys: the kernel settings programs read (sysctl, glibc's sysconf). */
function sysctl() {
  const line = (v: string | number) => `${v}\n`;
  return {
    kernel: {
      hostname: line(UTSNAME.nodename),
      domainname: line(UTSNAME.domainname),
      ostype: line(UTSNAME.sysname),
      osrelease: line(UTSNAME.release),
      version: line(UTSNAME.version),
      pid_max: line(32768),
      ngroups_max: line(65536),
    },
    vm: { overcommit_memory: line(0) },
  };
}

/**
 * Every machine-wide file of /proc, by name (directories as nested
 * records), for `icount` instructions run by the processes `pids`.
 *
 * @example
 * machineFiles(0, [100]).uptime; // "0.00 0.00\n"
 */
export function machineFiles(icount: number, pids: number[]) {
  return {
    cpuinfo: cpuinfo(),
    meminfo: meminfo(),
    uptime: uptime(icount),
    loadavg: loadavg(pids),
    stat: stat(icount, pids.length),
    mounts: mounts(),
    version: version(),
    filesystems: filesystems(),
    modules: "",
    sys: sysctl(),
  };
}
