import type { Memory } from "../../../memory/memory.ts";
import type { Linux } from "../../linux.ts";
import type { FileSystem } from "../filesystem.ts";
import type { DirNode, FileNode, Node, SymlinkNode } from "../node.ts";
import { type ProcessInfo, processList, programPath } from "./processes.ts";
import * as per from "./process-files.ts";
import * as sys from "./system-files.ts";

/**
 * /proc as ordinary nodes of the guest's file system, written when the
 * guest looks it up: a path lookup that starts with `/proc` (or starts
 * from a directory inside it) first brings /proc up to date from
 * {@link processList}. So /proc exists only in the trees of guests that
 * looked at it, is part of their state like any file (snapshots and
 * replays see the same bytes), and costs nothing to others. Files and
 * directories keep their inodes when rewritten; entries of processes and
 * descriptors that are gone are removed. Everything is read-only (mode
 * 0444/0555, owned by root or by the process), as on Linux.
 *
 * /proc/PID/exe exists only where the program was started by an absolute
 * path (AT_EXECFN; Linux's link is always absolute and glibc asserts it).
 * Every static glibc program reads /proc/self/exe as it starts: where that
 * link would not exist, that lookup leaves the tree alone, so guests that
 * never look at /proc themselves keep exactly the tree they had.
 *
 * @example
 * syncProcFor(linux, mem, linux.fs.root, "/proc/self/status"); // then look it up
 */
export function syncProcFor(linux: Linux, mem: Memory, start: number, path: string): void {
  const fs = linux.fs;
  if (!(start === fs.root ? /^\/+proc(\/|$)/.test(path) : insideProc(fs, start))) return;
  // A /proc the guest's own tree has that is not a directory is left alone.
  const existing = fs.entries(fs.get(fs.root) as DirNode).get("proc");
  if (existing !== undefined && fs.get(existing).kind !== "dir") return;
  if (/^\/+proc\/+self\/+exe$/.test(path) && !programPath(mem).startsWith("/")) return;
  syncProc(linux, mem);
}

/** Whether directory `ino` is /proc or below it. */
function insideProc(fs: FileSystem, ino: number): boolean {
  const proc = fs.entries(fs.get(fs.root) as DirNode).get("proc");
  if (proc === undefined) return false;
  for (let d = fs.get(ino) as DirNode; d.ino !== fs.root; d = fs.get(d.parent) as DirNode) {
    if (d.ino === proc) return true;
  }
  return false;
}

const ROOT_OWNED = { uid: 0, gid: 0 };
type Owner = typeof ROOT_OWNED;
const encoder = new TextEncoder();

/** Files to write: name → contents, or a directory of more. */
interface Files {
  [name: string]: string | Uint8Array | Files;
}

/** Writes `files` into `dir` (directories recursively, pruning what is not listed there). */
function putFiles(fs: FileSystem, dir: DirNode, files: Files, owner: Owner): void {
  for (const [name, v] of Object.entries(files)) {
    if (typeof v === "string" || v instanceof Uint8Array) {
      putFile(fs, dir, name, typeof v === "string" ? encoder.encode(v) : v, owner);
    } else {
      const sub = subdir(fs, dir, name, owner);
      putFiles(fs, sub, v, owner);
      prune(fs, sub, new Set(Object.keys(v)));
    }
  }
}

/** Writes the whole of /proc for the current process list. */
export function syncProc(linux: Linux, mem: Memory): void {
  const fs = linux.fs;
  const procs = processList(linux, mem);
  const proc = fs.mkdirp("/proc", { mode: 0o555, ...ROOT_OWNED });
  const files = sys.machineFiles(linux.now, procs.map((p) => p.pid));
  putFiles(fs, proc, files, ROOT_OWNED);
  putLink(fs, proc, "self", String(linux.tgid));
  const keep = new Set([...Object.keys(files), "self"]);
  for (const p of procs) {
    keep.add(String(p.pid));
    syncProcess(fs, proc, p);
  }
  prune(fs, proc, keep);
}

/** /proc/PID: status, stat, statm, cmdline, comm, maps, mounts, mountinfo, exe, cwd, fd/. */
function syncProcess(fs: FileSystem, proc: DirNode, p: ProcessInfo): void {
  const owner = { uid: p.uid, gid: p.gid };
  const dir = subdir(fs, proc, String(p.pid), owner);
  const files: Files = {
    status: per.status(p),
    stat: per.stat(p),
    statm: per.statm(p),
    cmdline: p.cmdline,
    comm: p.name + "\n",
    maps: per.maps(p),
    mounts: sys.mounts(),
    mountinfo: sys.mountinfo(),
  };
  putFiles(fs, dir, files, owner);
  const keep = new Set([...Object.keys(files), "cwd", "fd"]);
  if (p.exe.startsWith("/")) {
    putLink(fs, dir, "exe", p.exe, owner);
    keep.add("exe");
  }
  putLink(fs, dir, "cwd", pathOf(fs, fs.get(p.linux.cwd)), owner);
  const fdDir = subdir(fs, dir, "fd", owner);
  const fds = new Set<string>();
  for (const [fd] of p.linux.fds) {
    const f = p.linux.file(fd);
    const node = p.linux.fileNode(f);
    const target = node
      ? pathOf(fs, node)
      : f.kind === "epoll"
      ? "anon_inode:[eventpoll]"
      : `pipe:[${f.target}]`;
    putLink(fs, fdDir, String(fd), target, owner);
    fds.add(String(fd));
  }
  prune(fs, fdDir, fds);
  prune(fs, dir, keep);
}

function subdir(fs: FileSystem, parent: DirNode, name: string, owner: Owner): DirNode {
  const ino = fs.entries(parent).get(name);
  const old = ino === undefined ? undefined : fs.get(ino);
  if (old?.kind === "dir") return old;
  if (old) fs.removeTree(parent, name);
  const dir = fs.create<DirNode>({ kind: "dir", mode: 0o555, entries: new Map(), parent: parent.ino }, owner);
  fs.link(parent, name, dir);
  return dir;
}

/** Creates or rewrites a read-only file (keeping its inode). */
function putFile(fs: FileSystem, dir: DirNode, name: string, bytes: Uint8Array, owner: Owner): void {
  const ino = fs.entries(dir).get(name);
  const old = ino === undefined ? undefined : fs.get(ino);
  if (old?.kind === "file") {
    if (old.size !== bytes.length || !old.data.subarray(0, old.size).every((b, i) => b === bytes[i])) {
      fs.replaceContents(old, bytes);
    }
    return;
  }
  if (old) fs.removeTree(dir, name);
  const f = fs.create<FileNode>({ kind: "file", mode: 0o444, data: bytes, size: bytes.length }, owner);
  fs.link(dir, name, f);
}

/** Creates or retargets a symbolic link (`target` a byte string). */
function putLink(fs: FileSystem, dir: DirNode, name: string, target: string, owner = ROOT_OWNED): void {
  const ino = fs.entries(dir).get(name);
  const old = ino === undefined ? undefined : fs.get(ino);
  if (old?.kind === "symlink" && old.target === target) return;
  if (old) fs.removeTree(dir, name);
  fs.link(dir, name, fs.create<SymlinkNode>({ kind: "symlink", mode: 0o777, target }, owner));
}

/** Removes the entries of `dir` not in `keep`. */
function prune(fs: FileSystem, dir: DirNode, keep: Set<string>): void {
  for (const name of [...fs.entries(dir).keys()]) {
    if (!keep.has(name)) fs.removeTree(dir, name);
  }
}

/** The absolute path (byte string) of a node, as /proc/PID/fd shows it. */
function pathOf(fs: FileSystem, node: Node): string {
  const nameIn = (dir: DirNode, ino: number) => {
    for (const [name, i] of fs.entries(dir)) if (i === ino) return name;
    return "?";
  };
  let dir: DirNode, names: string[];
  if (node.kind === "dir") {
    dir = node;
    names = [];
  } else {
    if (node.parents.length === 0) return "/ (deleted)";
    dir = fs.get(node.parents[0]) as DirNode;
    names = [nameIn(dir, node.ino)];
  }
  const removed = node.nlink === 0;
  while (dir.ino !== fs.root) {
    const parent = fs.get(dir.parent) as DirNode;
    names.unshift(nameIn(parent, dir.ino));
    dir = parent;
  }
  return "/" + names.join("/") + (removed ? " (deleted)" : "");
}
