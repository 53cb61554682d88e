import { PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../../memory/memory.ts";
import { CLK_TCK } from "../../clock.ts";
import { STACK_BOTTOM, STACK_TOP } from "../../layout.ts";
import { SIG_IGN } from "../../signals.ts";
import { isStopped } from "../../process/stop.ts";
import type { ProcessInfo } from "./processes.ts";

/**
 * The text of /proc/PID files, laid out as Linux 6.1 writes them (only the
 * lines and fields fx86 has values for; the rest are zero).
 */

/** CPU time in clock ticks: the guest runs 10^9 instructions a second. */
function ticks(icount: number): number {
  return Math.floor(icount / (1e9 / CLK_TCK));
}

/** One line of /proc/PID/maps: contiguous pages with the same protection and file. */
interface MapRange {
  start: number;
  end: number;
  prot: number;
  name: string;
  offset: number;
}

/**
 * The address space as ranges of contiguous pages with equal protection,
 * split where a file's mapping, the heap or the stack begins or ends, and
 * named after the file, `[heap]` (from the initial break) or `[stack]`.
 */
function mapRanges(p: ProcessInfo): MapRange[] {
  const { linux, mem } = p;
  const heapStart = Math.ceil(linux.brkStart / PAGE_SIZE) * PAGE_SIZE;
  const heapEnd = Math.ceil(linux.brk / PAGE_SIZE) * PAGE_SIZE;
  const named = [
    ...p.files,
    { start: heapStart, end: heapEnd, name: "[heap]", offset: 0 },
    { start: STACK_BOTTOM, end: STACK_TOP, name: "[stack]", offset: 0 },
  ];
  const breaks = new Set(named.flatMap((r) => [r.start, r.end]));
  const fileAt = (at: number) => {
    const r = named.find((r) => r.start <= at && at < r.end);
    return r ? { name: r.name, offset: r.name.startsWith("[") ? 0 : r.offset + at - r.start } : { name: "", offset: 0 };
  };
  const out: MapRange[] = [];
  for (const pn of mem.mappedPages()) {
    const at = pn * PAGE_SIZE, prot = mem.protOf(pn);
    const last = out[out.length - 1];
    if (last && last.end === at && last.prot === prot && !breaks.has(at)) last.end += PAGE_SIZE;
    else out.push({ start: at, end: at + PAGE_SIZE, prot, ...fileAt(at) });
  }
  return out;
}

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, "0");

/**
 * /proc/PID/maps: `start-end perms offset dev inode name`, named after the
 * file (with its offset), `[heap]` or `[stack]`; devices and inodes are 0.
 *
 * @example
 * maps(processList(linux, mem)[0]).endsWith("[stack]\n"); // true
 */
export function maps(p: ProcessInfo): string {
  return mapRanges(p).map((r) => {
    const perms = (r.prot & PROT_READ ? "r" : "-") + (r.prot & PROT_WRITE ? "w" : "-") +
      (r.prot & PROT_EXEC ? "x" : "-") + "p";
    const line = `${hex8(r.start)}-${hex8(r.end)} ${perms} ${hex8(r.offset)} 00:00 0`;
    return r.name ? line.padEnd(73) + r.name + "\n" : line + " \n";
  }).join("");
}

/**
 * Virtual size, and resident pages: every mapped page (which pages the
 * engine has touched depends on where runs were split, so it is not state).
 */
function sizes(p: ProcessInfo): { vm: number; rss: number } {
  const pages = p.mem.mappedPages().length;
  return { vm: pages * PAGE_SIZE, rss: pages };
}

/** The one-letter state: stopped by a stop signal, blocked in a system call is sleeping, else running. */
function state(p: ProcessInfo): string {
  return p.linux.exit ? "Z" : isStopped(p.linux) ? "T" : p.linux.blocked ? "S" : "R";
}

/**
 * /proc/PID/stat: one line of 52 fields (proc(5)).
 *
 * @example
 * stat(p).startsWith("100 (busybox) R 1 "); // true
 */
export function stat(p: ProcessInfo): string {
  const { vm, rss } = sizes(p);
  const f: (number | string)[] = [
    p.pid, `(${p.name})`, state(p), p.ppid, p.pid, p.pid, 0, -1, 0x400000,
    0, 0, 0, 0, ticks(p.icount), 0, ticks(p.childIcount), 0, 20, 0, 1, 0, 0, vm, rss, 0xffffffff,
  ];
  while (f.length < 52) f.push(0);
  return f.join(" ") + "\n";
}

/**
 * /proc/PID/statm: sizes in pages.
 *
 * @example
 * statm(p).split(" ")[0]; // mapped pages
 */
export function statm(p: ProcessInfo): string {
  const { vm, rss } = sizes(p);
  return `${vm / PAGE_SIZE} ${rss} 0 0 0 0 0\n`;
}

const sigset = (s: [number, number]) => hex8(s[1]) + hex8(s[0]);

/** Signals with a handler or SIG_IGN as a set. */
function actionSet(p: ProcessInfo, ignored: boolean): string {
  const set: [number, number] = [0, 0];
  for (const [sig, a] of Object.entries(p.linux.signals.actions)) {
    if (ignored ? a.handler !== SIG_IGN : a.handler <= SIG_IGN) continue;
    const n = +sig - 1;
    set[n >> 5] |= 1 << (n & 31);
  }
  return sigset(set);
}

/**
 * /proc/PID/status: the lines `ps`, `top` and scripts read.
 *
 * @example
 * status(p).includes("\nPid:\t100\n"); // true
 */
export function status(p: ProcessInfo): string {
  const { vm, rss } = sizes(p);
  const kb = (b: number) => `${String(b / 1024).padStart(8)} kB`;
  const names: Record<string, string> = { R: "R (running)", S: "S (sleeping)", T: "T (stopped)", Z: "Z (zombie)" };
  const k = p.linux;
  return [
    `Name:\t${p.name}`,
    `Umask:\t${k.umask.toString(8).padStart(4, "0")}`,
    `State:\t${names[state(p)]}`,
    `Tgid:\t${p.pid}`,
    `Ngid:\t0`,
    `Pid:\t${p.pid}`,
    `PPid:\t${p.ppid}`,
    `TracerPid:\t0`,
    `Uid:\t${p.uid}\t${p.uid}\t${p.uid}\t${p.uid}`,
    `Gid:\t${p.gid}\t${p.gid}\t${p.gid}\t${p.gid}`,
    `FDSize:\t${Math.max(64, 2 ** Math.ceil(Math.log2(Math.max(1, ...k.fds.keys()) + 1)))}`,
    `Groups:\t`,
    `VmPeak:\t${kb(vm)}`,
    `VmSize:\t${kb(vm)}`,
    `VmRSS:\t${kb(rss * PAGE_SIZE)}`,
    `VmData:\t${kb(Math.max(0, k.brk - k.brkStart))}`,
    `VmStk:\t${kb(STACK_TOP - STACK_BOTTOM)}`,
    `Threads:\t1`,
    `SigQ:\t0/7823`,
    `SigPnd:\t${sigset([0, 0])}`,
    `ShdPnd:\t${sigset(k.signals.pending)}`,
    `SigBlk:\t${sigset(k.signals.blocked)}`,
    `SigIgn:\t${actionSet(p, true)}`,
    `SigCgt:\t${actionSet(p, false)}`,
    `voluntary_ctxt_switches:\t0`,
    `nonvoluntary_ctxt_switches:\t0`,
  ].join("\n") + "\n";
}
