import { readStruct, Struct } from "../abi.ts";
import { sinceStart } from "../clock.ts";
import { EINVAL, ENOSYS, EPERM, ESRCH, LinuxError } from "../errno.ts";
import { fromBytes } from "../fs/names.ts";
import { GID, RAM_BYTES, UID, UTSNAME } from "../identity.ts";
import type { Linux } from "../linux.ts";
import { readPath } from "../abi.ts";
import { execProgram, readStrings } from "../process/exec.ts";
import { CLONE_VFORK, CLONE_VM, forkProcess } from "../process/fork.ts";
import { wait4, waitid } from "../process/wait.ts";
import { exitGroup, exitThread } from "../process/exit.ts";
import { SIGCHLD } from "../signals.ts";
import type { Call, SyscallTable } from "./types.ts";

/**
 * The process: exit, fork/vfork/clone, execve, wait, process ids, identity
 * (fixed: see identity.ts), uname, scheduling, getrandom. The processes
 * themselves are in ../process/ (docs/linux.md, "Processes").
 */

function exit(s: Call, code: number, group: boolean): number {
  if (group) exitGroup(s.k, { kind: "exited", code: code & 0xff });
  else exitThread(s.k, code);
  return 0;
}

/** A call that always answers the same (identity is fixed). */
const constant = (name: string, value: number) => ({
  name,
  args: "",
  fn: () => value,
});

/** Ids the process may switch to: only its own (it is not privileged). */
function setId(id: number, own: number): number {
  if (id !== own && id !== 0xffffffff) throw new LinuxError(EPERM);
  return 0;
}

function setIds(ids: number[], own: number): number {
  for (const id of ids) setId(id, own);
  return 0;
}

function getIds(s: Call, addrs: number[], id: number, size: 2 | 4): number {
  for (const a of addrs) {
    const st = new Struct(size);
    (size === 2 ? st.u16(0, id) : st.u32(0, id)).write(s.m, a);
  }
  return 0;
}

function getgroups(s: Call, size: number, list: number, width: 2 | 4): number {
  if ((size | 0) < 0) throw new LinuxError(EINVAL);
  if (size === 0) return 1;
  const st = new Struct(width);
  (width === 2 ? st.u16(0, GID) : st.u32(0, GID)).write(s.m, list);
  return 1;
}

/** struct new_utsname: six 65-byte fields. */
function uname(s: Call, addr: number): number {
  const u = UTSNAME;
  const st = new Struct(6 * 65);
  [u.sysname, u.nodename, u.release, u.version, u.machine, u.domainname]
    .forEach((f, i) => st.str(i * 65, f, 65));
  st.write(s.m, addr);
  return 0;
}

/** struct sysinfo: a 1 GiB machine with one process, up as long as the guest has run. */
function sysinfo(s: Call, addr: number): number {
  const RAM = RAM_BYTES;
  new Struct(64)
    .u32(0, sinceStart(s.c.icount).sec)
    .u32(16, RAM).u32(20, RAM / 2)
    .u16(40, 1)
    .u32(52, 1)
    .write(s.m, addr);
  return 0;
}

const PR_SET_PDEATHSIG = 1,
  PR_GET_PDEATHSIG = 2,
  PR_GET_DUMPABLE = 3,
  PR_SET_DUMPABLE = 4,
  PR_SET_NAME = 15,
  PR_GET_NAME = 16,
  PR_SET_NO_NEW_PRIVS = 38,
  PR_GET_NO_NEW_PRIVS = 39;

function prctl(s: Call, a: number[]): number {
  const k = s.k;
  switch (a[0]) {
    case PR_SET_NAME: {
      const name = s.m.read(a[1], 16);
      const end = name.indexOf(0);
      k.comm = fromBytes(name.subarray(0, end < 0 ? 15 : Math.min(end, 15)));
      return 0;
    }
    case PR_GET_NAME:
      new Struct(16).str(0, k.comm, 16).write(s.m, a[1]);
      return 0;
    case PR_GET_PDEATHSIG:
      new Struct(4).write(s.m, a[1]);
      return 0;
    case PR_GET_DUMPABLE:
      return 1;
    case PR_GET_NO_NEW_PRIVS:
      return 0;
    case PR_SET_PDEATHSIG:
    case PR_SET_DUMPABLE:
    case PR_SET_NO_NEW_PRIVS:
      return 0;
    default:
      throw new LinuxError(EINVAL);
  }
}

/** Pid arguments that name an existing process (0 means "the caller"); returns it. */
function proc(s: Call, pid: number): Linux {
  if (pid === 0 || pid === s.k.pid) return s.k;
  const p = s.k.machine.procs?.get(pid);
  if (!p || p.exit) throw new LinuxError(ESRCH);
  return p;
}

/** setpgid: a process (the caller or its child) joins or makes a group in its session. */
function setpgid(s: Call, pid: number, pgid: number): number {
  const p = proc(s, pid);
  if (p !== s.k && p.ppid !== s.k.pid) throw new LinuxError(ESRCH);
  if ((pgid | 0) < 0) throw new LinuxError(EINVAL);
  const group = pgid === 0 ? p.pid : pgid;
  if (p.pid === p.sid || p.sid !== s.k.sid) throw new LinuxError(EPERM);
  const members = [...(s.k.machine.procs?.values() ?? [s.k])];
  if (group !== p.pid && !members.some((q) => q.pgid === group && q.sid === p.sid && !q.exit)) {
    throw new LinuxError(EPERM);
  }
  p.pgid = group;
  return 0;
}

/** setsid: a process that leads no group starts a session of its own. */
function setsid(s: Call): number {
  const k = s.k;
  const members = [...(k.machine.procs?.values() ?? [k])];
  if (members.some((q) => q.pgid === k.pid)) throw new LinuxError(EPERM);
  k.pgid = k.sid = k.pid;
  return k.pid;
}

function clone(s: Call, a: number[]): number {
  return forkProcess(s.k, { flags: a[0], stack: a[1], parentTid: a[2], tls: a[3], childTid: a[4] });
}

function execve(s: Call, a: number[]): number {
  execProgram(s.k, readPath(s.m, a[0]), readStrings(s.m, a[1]), readStrings(s.m, a[2]));
  return 0;
}

function getrandom(s: Call, buf: number, len: number, flags: number): number {
  if (flags & ~7) throw new LinuxError(EINVAL);
  const n = Math.min(len, 1 << 25);
  s.m.write(buf, s.k.random.bytes(n));
  return n;
}

const unavailable = (name: string, args: string) => ({
  name,
  args,
  fn: () => {
    throw new LinuxError(ENOSYS);
  },
});

/** System calls of this module by number. */
export const processCalls: SyscallTable = {
  1: { name: "exit", args: "d", fn: (s, a) => exit(s, a[0], false) },
  252: { name: "exit_group", args: "d", fn: (s, a) => exit(s, a[0], true) },
  20: { name: "getpid", args: "", fn: (s) => s.k.tgid },
  224: { name: "gettid", args: "", fn: (s) => s.k.pid },
  64: { name: "getppid", args: "", fn: (s) => s.k.group.ppid },
  65: { name: "getpgrp", args: "", fn: (s) => s.k.pgid },
  24: constant("getuid", UID),
  49: constant("geteuid", UID),
  47: constant("getgid", GID),
  50: constant("getegid", GID),
  199: constant("getuid32", UID),
  201: constant("geteuid32", UID),
  200: constant("getgid32", GID),
  202: constant("getegid32", GID),
  132: { name: "getpgid", args: "d", fn: (s, a) => proc(s, a[0]).pgid },
  147: { name: "getsid", args: "d", fn: (s, a) => proc(s, a[0]).sid },
  57: { name: "setpgid", args: "d,d", fn: (s, a) => setpgid(s, a[0], a[1]) },
  66: { name: "setsid", args: "", fn: setsid },
  80: {
    name: "getgroups",
    args: "d,x",
    fn: (s, a) => getgroups(s, a[0], a[1], 2),
  },
  205: {
    name: "getgroups32",
    args: "d,x",
    fn: (s, a) => getgroups(s, a[0], a[1], 4),
  },
  165: {
    name: "getresuid",
    args: "x,x,x",
    fn: (s, a) => getIds(s, a.slice(0, 3), UID, 2),
  },
  171: {
    name: "getresgid",
    args: "x,x,x",
    fn: (s, a) => getIds(s, a.slice(0, 3), GID, 2),
  },
  209: {
    name: "getresuid32",
    args: "x,x,x",
    fn: (s, a) => getIds(s, a.slice(0, 3), UID, 4),
  },
  211: {
    name: "getresgid32",
    args: "x,x,x",
    fn: (s, a) => getIds(s, a.slice(0, 3), GID, 4),
  },
  213: { name: "setuid32", args: "d", fn: (_s, a) => setId(a[0], UID) },
  214: { name: "setgid32", args: "d", fn: (_s, a) => setId(a[0], GID) },
  203: {
    name: "setreuid32",
    args: "d,d",
    fn: (_s, a) => setIds(a.slice(0, 2), UID),
  },
  204: {
    name: "setregid32",
    args: "d,d",
    fn: (_s, a) => setIds(a.slice(0, 2), GID),
  },
  208: {
    name: "setresuid32",
    args: "d,d,d",
    fn: (_s, a) => setIds(a.slice(0, 3), UID),
  },
  210: {
    name: "setresgid32",
    args: "d,d,d",
    fn: (_s, a) => setIds(a.slice(0, 3), GID),
  },
  122: { name: "uname", args: "x", fn: (s, a) => uname(s, a[0]) },
  74: {
    name: "sethostname",
    args: "s,u",
    fn: () => {
      throw new LinuxError(EPERM);
    },
  },
  116: { name: "sysinfo", args: "x", fn: (s, a) => sysinfo(s, a[0]) },
  258: {
    name: "set_tid_address",
    args: "x",
    fn: (s, a) => ((s.k.tidAddress = a[0]), s.k.pid),
  },
  311: {
    name: "set_robust_list",
    args: "x,u",
    fn: (s, a) => {
      if (a[1] !== 12) throw new LinuxError(EINVAL);
      s.k.robustList = [a[0], a[1]];
      return 0;
    },
  },
  172: { name: "prctl", args: "d,x,x,x,x", fn: prctl },
  136: {
    name: "personality",
    args: "x",
    // PER_LINUX; asking for another personality is recorded nowhere and refused.
    fn: (_s, a) => {
      if (a[0] !== 0 && a[0] !== 0xffffffff) throw new LinuxError(EINVAL);
      return 0;
    },
  },
  355: {
    name: "getrandom",
    args: "x,u,x",
    fn: (s, a) => getrandom(s, a[0], a[1], a[2]),
  },
  158: { name: "sched_yield", args: "", fn: () => 0 },
  242: {
    name: "sched_getaffinity",
    args: "d,u,x",
    fn: (s, a) => {
      proc(s, a[0]);
      if (a[1] < 4 || a[1] & 3) throw new LinuxError(EINVAL);
      new Struct(4).u32(0, 1).write(s.m, a[2]); // CPU 0 only
      return 4;
    },
  },
  241: {
    name: "sched_setaffinity",
    args: "d,u,x",
    fn: (s, a) => {
      proc(s, a[0]);
      if (a[1] < 4 || !(readStruct(s.m, a[2], 4).getUint32(0, true) & 1)) {
        throw new LinuxError(EINVAL);
      }
      return 0;
    },
  },
  157: {
    name: "sched_getscheduler",
    args: "d",
    fn: (s, a) => (proc(s, a[0]), 0),
  },
  155: {
    name: "sched_getparam",
    args: "d,x",
    fn: (s, a) => (proc(s, a[0]), new Struct(4).write(s.m, a[1]), 0),
  },
  159: { name: "sched_get_priority_max", args: "d", fn: () => 0 },
  160: { name: "sched_get_priority_min", args: "d", fn: () => 0 },
  318: {
    name: "getcpu",
    args: "x,x,x",
    fn: (s, a) => {
      for (const p of [a[0], a[1]]) if (p) new Struct(4).write(s.m, p);
      return 0;
    },
  },
  // getpriority returns 20 - nice; the nice value is always 0.
  96: { name: "getpriority", args: "d,d", fn: () => 20 },
  97: { name: "setpriority", args: "d,d,d", fn: () => 0 },
  34: { name: "nice", args: "d", fn: () => 0 },
  2: { name: "fork", args: "", fn: (s) => clone(s, [SIGCHLD, 0, 0, 0, 0]) },
  190: { name: "vfork", args: "", fn: (s) => clone(s, [CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0]) },
  120: { name: "clone", args: "x,x,x,x,x", fn: clone },
  435: unavailable("clone3", "x,u"),
  11: { name: "execve", args: "s,x,x", fn: execve },
  358: unavailable("execveat", "fd,s,x,x,x"),
  386: unavailable("rseq", "x,u,x,x"),
  7: { name: "waitpid", args: "d,x,x", fn: (s, a) => wait4(s.k, a[0], a[1], a[2], 0) },
  114: { name: "wait4", args: "d,x,x,x", fn: (s, a) => wait4(s.k, a[0], a[1], a[2], a[3]) },
  284: { name: "waitid", args: "d,d,x,x,x", fn: (s, a) => waitid(s.k, a[0], a[1], a[2], a[3], a[4]) },
};
