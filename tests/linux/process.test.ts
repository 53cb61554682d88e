import { assert, test } from "../harness.ts";
import {
  EAFNOSUPPORT,
  EBADF,
  ECHILD,
  EFAULT,
  EINVAL,
  ENOENT,
  ENOSYS,
  ENOTSOCK,
  EPERM,
  ESRCH,
} from "../../core/linux/errno.ts";
import { EPOCH_SEC } from "../../core/linux/clock.ts";
import { GID, PID, PPID, UID } from "../../core/linux/identity.ts";
import { GS } from "../../core/cpu/state.ts";
import { GuestFault } from "../../core/fault.ts";
import { dec, Sys, UNMAPPED } from "./sys.ts";

test("process: exit_group ends the guest with status & 0xff", () => {
  const s = new Sys();
  s.call("exit_group", 258);
  assert.ok(s.c.halted);
  assert.deepEqual(s.k.exit, { kind: "exited", code: 2 });
  assert.equal(s.k.exitCode, 2);
  assert.equal(s.k.exitDescription, "exited with status 2");
  assert.equal(s.trace.at(-1), "exit_group(258) = ?");
});

test("process: fixed identity", () => {
  const s = new Sys();
  assert.equal(s.call("getpid"), PID);
  assert.equal(s.call("gettid"), PID);
  assert.equal(s.call("getppid"), PPID);
  assert.equal(s.call("getuid32"), UID);
  assert.equal(s.call("geteuid"), UID);
  assert.equal(s.call("getgid32"), GID);
  assert.equal(s.call("getegid32"), GID);
  assert.equal(s.call("getpgrp"), PID);
  assert.equal(s.call("getsid", 0), PID);
  assert.equal(s.call("getpgid", 5), -ESRCH);
  assert.equal(s.call("setsid"), -EPERM);
  assert.equal(s.call("setuid32", UID), 0);
  assert.equal(s.call("setuid32", 0), -EPERM);
  const g = s.alloc(16);
  assert.equal(s.call("getgroups32", 0, 0), 1);
  assert.equal(s.call("getgroups32", 4, g), 1);
  assert.equal(s.u32(g), GID);
  const r = s.alloc(12);
  assert.equal(s.call("getresuid32", r, r + 4, r + 8), 0);
  assert.deepEqual([s.u32(r), s.u32(r + 4), s.u32(r + 8)], [UID, UID, UID]);
  assert.equal(s.call("set_tid_address", 0x1234), PID);
  assert.equal(s.call("set_robust_list", 0x1000, 12), 0);
  assert.equal(s.call("set_robust_list", 0x1000, 8), -EINVAL);
});

test("process: uname, sysinfo, prctl names, affinity", () => {
  const s = new Sys();
  const u = s.alloc(390);
  assert.equal(s.call("uname", u), 0);
  const field = (i: number) => {
    const b = s.bytes(u + i * 65, 65);
    return dec.decode(b.subarray(0, b.indexOf(0)));
  };
  assert.deepEqual([0, 1, 2, 4].map(field), [
    "Linux",
    "fx86",
    "6.1.0-fx86",
    "i686",
  ]);
  assert.equal(s.call("uname", UNMAPPED), -EFAULT);
  const si = s.alloc(64);
  s.c.icount = 5e9;
  assert.equal(s.call("sysinfo", si), 0);
  assert.equal(s.u32(si), 5, "uptime");
  assert.equal(s.u32(si + 16), 1 << 30, "totalram");
  assert.equal(s.u32(si + 52), 1, "mem_unit");
  assert.equal(s.call("prctl", 15, s.str("a-very-long-thread-name")), 0);
  const n = s.alloc(16);
  assert.equal(s.call("prctl", 16, n), 0);
  assert.equal(s.text(n, 16), "a-very-long-thr\0");
  assert.equal(s.call("prctl", 9999), -EINVAL);
  const mask = s.alloc(128);
  assert.equal(s.call("sched_getaffinity", 0, 128, mask), 4);
  assert.equal(s.u32(mask), 1);
  assert.equal(s.call("sched_getaffinity", 0, 2, mask), -EINVAL);
});

test("process: clocks derive from the instruction count", () => {
  const s = new Sys();
  s.c.icount = 3_000_000_500;
  const ts = s.alloc(16);
  assert.equal(s.call("clock_gettime", 0, ts), 0);
  assert.deepEqual([s.u32(ts), s.u32(ts + 4)], [EPOCH_SEC + 3, 500]);
  assert.equal(s.call("clock_gettime", 1, ts), 0);
  assert.deepEqual(
    [s.u32(ts), s.u32(ts + 4)],
    [3, 500],
    "CLOCK_MONOTONIC: time since start",
  );
  assert.equal(s.call("clock_gettime64", 0, ts), 0);
  assert.deepEqual([s.u32(ts), s.u32(ts + 4), s.u32(ts + 8)], [
    EPOCH_SEC + 3,
    0,
    500,
  ]);
  assert.equal(s.call("clock_gettime", 99, ts), -EINVAL);
  assert.equal(s.call("clock_gettime", 0, UNMAPPED), -EFAULT);
  assert.equal(s.call("clock_getres", 1, ts), 0);
  assert.deepEqual([s.u32(ts), s.u32(ts + 4)], [0, 1]);
  assert.equal(s.call("time", 0), EPOCH_SEC + 3);
  const tv = s.alloc(8);
  assert.equal(s.call("gettimeofday", tv, 0), 0);
  assert.deepEqual([s.u32(tv), s.u32(tv + 4)], [EPOCH_SEC + 3, 0]);
  assert.equal(s.call("times", 0), 300, "clock ticks at 100 Hz");
  const req = s.data(new Uint8Array(new Uint32Array([1, 0]).buffer));
  assert.equal(s.call("nanosleep", req, 0), 0);
  assert.equal(s.call("clock_gettime", 1, ts), 0);
  assert.equal(s.u32(ts), 3, "sleeping moves no clock");
  const bad = s.data(new Uint8Array(new Uint32Array([1, 1e9]).buffer));
  assert.equal(s.call("nanosleep", bad, 0), -EINVAL);
});

test("process: getrandom is deterministic per seed", () => {
  const bytes = (seed: string) => {
    const s = new Sys({ seed: new TextEncoder().encode(seed) });
    const b = s.alloc(40);
    assert.equal(s.call("getrandom", b, 40, 0), 40);
    const first = s.bytes(b, 40);
    assert.equal(s.call("getrandom", b, 8, 1), 8);
    assert.notDeepEqual(
      s.bytes(b, 8),
      first.subarray(0, 8),
      "the stream moves on",
    );
    assert.equal(s.call("getrandom", b, 8, 8), -EINVAL);
    return first;
  };
  assert.deepEqual(bytes("a"), bytes("a"));
  assert.notDeepEqual(bytes("a"), bytes("b"));
});

test("process: set_thread_area fills GDT TLS slots that GS selectors resolve to", () => {
  const s = new Sys();
  const desc = s.alloc(16);
  const put = (entry: number, base: number, flags = 0x51) =>
    s.m.write(
      desc,
      new Uint8Array(new Uint32Array([entry, base, 0xfffff, flags]).buffer),
    );
  put(0xffffffff, 0x12345000);
  assert.equal(s.call("set_thread_area", desc), 0);
  assert.equal(s.u32(desc), 6, "the first free entry is written back");
  assert.equal(s.c.resolveSegment((6 << 3) | 3), 0x12345000);
  assert.equal(s.c.resolveSegment(0x7b), 0, "flat user data selector");
  assert.equal(s.c.resolveSegment(0), 0);
  assert.throws(() => s.c.resolveSegment((7 << 3) | 3), GuestFault);
  assert.throws(
    () => s.c.resolveSegment((6 << 3) | 7),
    GuestFault,
    "LDT selector",
  );
  // reloading a slot updates GS if it holds that selector
  s.c.sreg[GS] = (6 << 3) | 3;
  put(6, 0x22220000);
  assert.equal(s.call("set_thread_area", desc), 0);
  assert.equal(s.c.segBase[GS], 0x22220000);
  put(0xffffffff, 1);
  s.call("set_thread_area", desc);
  put(0xffffffff, 2);
  s.call("set_thread_area", desc);
  put(0xffffffff, 3);
  assert.equal(
    s.call("set_thread_area", desc),
    -ESRCH,
    "all three slots taken",
  );
  put(5, 1);
  assert.equal(s.call("set_thread_area", desc), -EINVAL);
  put(7, 0x1000, 0x4 /* code segment */);
  assert.equal(s.call("set_thread_area", desc), -EINVAL);
  // clearing a slot (an "empty" descriptor), then reading it back
  s.m.write(desc, new Uint8Array(new Uint32Array([8, 0, 0, 0x28]).buffer));
  assert.equal(s.call("set_thread_area", desc), 0);
  assert.throws(() => s.c.resolveSegment((8 << 3) | 3), GuestFault);
  s.m.write(desc, new Uint8Array(new Uint32Array([6, 0, 0, 0]).buffer));
  assert.equal(s.call("get_thread_area", desc), 0);
  assert.deepEqual([s.u32(desc + 4), s.u32(desc + 8), s.u32(desc + 12)], [
    0x22220000,
    0xfffff,
    0x51,
  ]);
});

test("process: resource limits", () => {
  const s = new Sys();
  const r = s.alloc(16);
  assert.equal(s.call("ugetrlimit", 3, r), 0);
  assert.deepEqual([s.u32(r), s.u32(r + 4)], [8 << 20, 0xffffffff]);
  assert.equal(s.call("getrlimit", 3, r), 0);
  assert.equal(s.u32(r + 4), 0x7fffffff, "the old call clamps infinity");
  assert.equal(s.call("prlimit64", 0, 7, 0, r), 0);
  assert.deepEqual([s.u32(r), s.u32(r + 8)], [1024, 4096]);
  s.m.write(r, new Uint8Array(new Uint32Array([64, 0, 4096, 0]).buffer));
  assert.equal(s.call("prlimit64", 0, 7, r, 0), 0);
  for (let i = 3; i < 64; i++) s.call("dup", 0);
  assert.equal(s.call("dup", 0), -24 /* EMFILE */);
  s.m.write(r, new Uint8Array(new Uint32Array([64, 0, 8192, 0]).buffer));
  assert.equal(
    s.call("prlimit64", 0, 7, r, 0),
    -EPERM,
    "the hard limit cannot rise",
  );
  assert.equal(s.call("prlimit64", 0, 99, 0, r), -EINVAL);
  assert.equal(s.call("prlimit64", 42, 7, 0, r), -ESRCH);
});

test("process: blocked signals are recorded; fatal ones sent to self kill", () => {
  const s = new Sys();
  const act = s.data(
    new Uint8Array(
      new Uint32Array([0x8048000, 0x4000000, 0x8049000, 0x100, 0]).buffer,
    ),
  );
  const old = s.alloc(20);
  assert.equal(s.call("rt_sigaction", 2, act, old, 8), 0);
  assert.equal(s.u32(old), 0, "SIG_DFL before");
  assert.equal(s.call("rt_sigaction", 2, 0, old, 8), 0);
  assert.equal(s.u32(old), 0x8048000);
  assert.equal(s.u32(old + 12), 0x100);
  assert.equal(
    s.call("rt_sigaction", 9, act, 0, 8),
    -EINVAL,
    "SIGKILL cannot be caught",
  );
  assert.equal(s.call("rt_sigaction", 2, act, 0, 4), -EINVAL);
  const set = s.data(new Uint8Array(new Uint32Array([(1 << 1) | (1 << 14), 0]).buffer)); // SIGINT, SIGTERM
  const oset = s.alloc(8);
  assert.equal(s.call("rt_sigprocmask", 0, set, oset, 8), 0);
  assert.equal(s.call("rt_sigprocmask", 0, 0, oset, 8), 0);
  assert.equal(s.u32(oset), (1 << 1) | (1 << 14));
  // Both blocked: pending (SIGINT's handler runs once it is unblocked; tests/linux/signals.test.ts)
  assert.equal(s.call("kill", PID, 2), 0);
  assert.equal(s.call("kill", 0, 15), 0);
  assert.equal(s.k.exit, undefined);
  const pend = s.alloc(8);
  assert.equal(s.call("rt_sigpending", pend, 8), 0);
  assert.equal(s.u32(pend), (1 << 1) | (1 << 14));
  assert.equal(s.call("kill", PID, 17 /* SIGCHLD */), 0);
  assert.equal(s.k.exit, undefined, "ignored by default");
  assert.equal(s.call("kill", 1, 9), -ESRCH);
  assert.equal(s.call("kill", PID, 0), 0, "signal 0 only checks");
  assert.equal(s.call("kill", PID, 65), -EINVAL);
  const ss = s.alloc(12);
  assert.equal(s.call("sigaltstack", 0, ss), 0);
  assert.equal(s.u32(ss + 4), 2, "SS_DISABLE");
  s.call("tgkill", PID, PID, 6 /* SIGABRT */);
  assert.deepEqual(s.k.exit, { kind: "killed", signal: 6 });
  assert.equal(s.k.exitCode, 134);
  assert.equal(s.k.exitDescription, "killed by signal 6");
  assert.ok(s.c.halted);
});

test("process: pause waits forever, so the guest stops as blocked", () => {
  const s = new Sys();
  s.call("pause");
  assert.ok(s.c.halted);
  assert.match(s.k.blocked!, /signal/);
});

test("process: no children, no network, unknown calls are ENOSYS", () => {
  const s = new Sys();
  assert.equal(s.call("execve", s.str("/bin/sh"), 0, 0), -ENOENT);
  assert.equal(s.call("wait4", -1, 0, 0, 0), -ECHILD);
  assert.equal(s.call("socket", 2, 1, 0), -EAFNOSUPPORT);
  assert.equal(s.call("connect", 1, 0, 0), -ENOTSOCK);
  assert.equal(s.call("connect", 55, 0, 0), -EBADF);
  const args = s.data(new Uint8Array(new Uint32Array([2, 1, 0]).buffer));
  assert.equal(s.call("socketcall", 1, args), -EAFNOSUPPORT);
  assert.equal(s.call(291 /* inotify_init */), -ENOSYS);
  assert.equal(
    s.trace.at(-1),
    "inotify_init(NULL, NULL, NULL, NULL, NULL, NULL) = -1 ENOSYS",
  );
  assert.equal(s.call(9999), -ENOSYS);
  assert.match(s.trace.at(-1)!, /^syscall_9999\(/);
});

test("process: poll and select see pipes as their queues say", () => {
  const s = new Sys();
  const fds = s.alloc(8);
  s.call("pipe", fds);
  const [r, w] = [s.i32(fds), s.i32(fds + 4)];
  const pfd = s.data(
    new Uint8Array(
      new Int16Array([r, 0, 1, 0, w, 0, 4, 0, 99, 0, 1, 0]).buffer,
    ),
  );
  assert.equal(s.call("poll", pfd, 3, 0), 2);
  assert.deepEqual([s.m.r16(pfd + 6), s.m.r16(pfd + 14), s.m.r16(pfd + 22)], [
    0,
    4,
    0x20,
  ]);
  s.write(w, "x");
  assert.equal(s.call("poll", pfd, 2, -1), 2);
  assert.equal(s.m.r16(pfd + 6), 1, "POLLIN");
  // select: read set {r}, write set {w}
  const rs = s.data(new Uint8Array(new Uint32Array([1 << r]).buffer));
  const ws = s.data(new Uint8Array(new Uint32Array([1 << w]).buffer));
  assert.equal(s.call("_newselect", w + 1, rs, ws, 0, 0), 2);
  s.read(r);
  s.m.write(rs, new Uint8Array(new Uint32Array([1 << r]).buffer));
  const tv = s.alloc(8);
  assert.equal(
    s.call("_newselect", w + 1, rs, 0, 0, tv),
    0,
    "timeout expires at once",
  );
  assert.equal(s.u32(rs), 0);
  s.m.write(rs, new Uint8Array(new Uint32Array([1 << 20]).buffer));
  assert.equal(s.call("_newselect", 21, rs, 0, 0, tv), -EBADF);
  s.m.write(rs, new Uint8Array(new Uint32Array([1 << r]).buffer));
  s.call("_newselect", w + 1, rs, 0, 0, 0);
  assert.ok(s.c.halted, "waiting forever on an empty pipe blocks");
});

test("process: trace lines look like strace", () => {
  const s = new Sys();
  s.fs.writeFile(
    "/etc/passwd",
    new TextEncoder().encode("root:x:0:0::/:/bin/sh\n"),
  );
  const fd = s.open("/etc/passwd", 0x8000 /* O_LARGEFILE */);
  const buf = s.alloc(64);
  s.call("read", fd, buf, 64);
  s.call("open", s.str("/missing"), 0o1101, 0o644);
  s.write(1, "hi\n");
  assert.deepEqual(s.trace, [
    'open("/etc/passwd", O_RDONLY|O_LARGEFILE) = 3',
    'read(3, "root:x:0:0::/:/bin/sh\\n", 64) = 22',
    'open("/missing", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 4',
    'write(1, "hi\\n", 3) = 3',
  ]);
});

test("process: futex with one thread: waits fail or block, wakes find nobody", () => {
  const s = new Sys();
  const word = s.data(new Uint8Array(new Uint32Array([5]).buffer));
  assert.equal(s.call("futex", word, 0x80 /* FUTEX_WAKE|PRIVATE */ | 1, 1), 0);
  assert.equal(
    s.call("futex", word, 0, 4),
    -11, /* EAGAIN */
    "the word changed",
  );
  assert.equal(s.call("futex", word, 0, 5, s.alloc(8)), -110 /* ETIMEDOUT */);
  assert.equal(s.call("futex", word + 1, 0, 5), -EINVAL);
  s.call("futex", word, 0, 5, 0);
  assert.ok(s.c.halted);
  assert.match(s.k.blocked!, /futex/);
});
