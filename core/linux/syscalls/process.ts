import { readStruct, Struct } from "../abi.ts";
import { sinceStart } from "../clock.ts";
import { ECHILD, EINVAL, ENOSYS, EPERM, ESRCH, LinuxError } from "../errno.ts";
import { fromBytes } from "../fs/names.ts";
import { GID, PID, PPID, RAM_BYTES, UID, UTSNAME } from "../identity.ts";
import type { Call, SyscallTable } from "./types.ts";

/**
 * The process: exit, identity (fixed: see identity.ts), uname, scheduling,
 * getrandom. There is one process with one thread, so fork, clone and
 * execve are not available (ENOSYS) and there are never children to wait for.
 */

function exit(s: Call, code: number): number {
  s.k.exit = { kind: "exited", code: code & 0xff };
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

/** Pid arguments that name this process (0 means "the caller"). */
function self(pid: number): void {
  if (pid !== 0 && pid !== PID) throw new LinuxError(ESRCH);
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
const noChildren = (name: string, args: string) => ({
  name,
  args,
  fn: () => {
    throw new LinuxError(ECHILD);
  },
});

/** System calls of this module by number. */
export const processCalls: SyscallTable = {
  1: { name: "exit", args: "d", fn: (s, a) => exit(s, a[0]) },
  252: { name: "exit_group", args: "d", fn: (s, a) => exit(s, a[0]) },
  20: constant("getpid", PID),
  224: constant("gettid", PID),
  64: constant("getppid", PPID),
  65: constant("getpgrp", PID),
  24: constant("getuid", UID),
  49: constant("geteuid", UID),
  47: constant("getgid", GID),
  50: constant("getegid", GID),
  199: constant("getuid32", UID),
  201: constant("geteuid32", UID),
  200: constant("getgid32", GID),
  202: constant("getegid32", GID),
  132: { name: "getpgid", args: "d", fn: (_s, a) => (self(a[0]), PID) },
  147: { name: "getsid", args: "d", fn: (_s, a) => (self(a[0]), PID) },
  57: {
    name: "setpgid",
    args: "d,d",
    fn: (_s, a) => {
      self(a[0]);
      if (a[1] !== 0 && a[1] !== PID) throw new LinuxError(EPERM);
      return 0;
    },
  },
  // The process already leads its own session and process group.
  66: {
    name: "setsid",
    args: "",
    fn: () => {
      throw new LinuxError(EPERM);
    },
  },
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
    fn: (s, a) => ((s.k.tidAddress = a[0]), PID),
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
      self(a[0]);
      if (a[1] < 4 || a[1] & 3) throw new LinuxError(EINVAL);
      new Struct(4).u32(0, 1).write(s.m, a[2]); // CPU 0 only
      return 4;
    },
  },
  241: {
    name: "sched_setaffinity",
    args: "d,u,x",
    fn: (s, a) => {
      self(a[0]);
      if (a[1] < 4 || !(readStruct(s.m, a[2], 4).getUint32(0, true) & 1)) {
        throw new LinuxError(EINVAL);
      }
      return 0;
    },
  },
  157: {
    name: "sched_getscheduler",
    args: "d",
    fn: (_s, a) => (self(a[0]), 0),
  },
  155: {
    name: "sched_getparam",
    args: "d,x",
    fn: (s, a) => (self(a[0]), new Struct(4).write(s.m, a[1]), 0),
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
  2: unavailable("fork", ""),
  190: unavailable("vfork", ""),
  120: unavailable("clone", "x,x,x,x,x"),
  435: unavailable("clone3", "x,u"),
  11: unavailable("execve", "s,x,x"),
  358: unavailable("execveat", "fd,s,x,x,x"),
  386: unavailable("rseq", "x,u,x,x"),
  7: noChildren("waitpid", "d,x,x"),
  114: noChildren("wait4", "d,x,x,x"),
  284: noChildren("waitid", "d,d,x,x,x"),
};
