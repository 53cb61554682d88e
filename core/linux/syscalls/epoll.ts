import { getI64, readStruct, Struct } from "../abi.ts";
import {
  Blocked,
  EBADF,
  EEXIST,
  EFAULT,
  EINVAL,
  ELOOP,
  ENOENT,
  EPERM,
  LinuxError,
} from "../errno.ts";
import {
  addItem,
  type Epoll,
  EPOLLERR,
  EPOLLEXCLUSIVE,
  EPOLLHUP,
  EPOLLWAKEUP,
  itemKey,
  modifyItem,
  pollMask,
  removeItem,
  sendEvents,
  wouldLoop,
} from "../epoll.ts";
import { O_CLOEXEC, O_PATH, O_RDWR } from "../files.ts";
import type { Linux } from "../linux.ts";
import { records, UNBLOCKABLE } from "../signals/deliver.ts";
import { timedWait } from "../process/scheduler.ts";
import type { Call, SyscallTable } from "./types.ts";

/**
 * epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait and
 * epoll_pwait2 over the instances of core/linux/epoll.ts. Waiting blocks
 * like poll (the scheduler retries the call, a signal interrupts it with
 * EINTR); a timeout expires at once in a process alone, and among
 * several lasts in machine time, as poll's does (process/scheduler.ts).
 */

const EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
/** struct epoll_event on i386: u32 events, then the u64 data, packed (12 bytes). */
const EVENT_SIZE = 12;
/** Most events one wait may ask for (Linux's EP_MAX_EVENTS: INT_MAX / 12). */
const MAX_EVENTS = Math.floor(0x7fffffff / EVENT_SIZE);
/** Where user space ends: the events buffer must lie below it. */
const TASK_SIZE = 0xc0000000;
/** Events EPOLLEXCLUSIVE may be combined with. */
const EXCLUSIVE_OK = 0x1 | 0x4 | 0x8 | 0x10 | 0x40 | 0x100 | EPOLLWAKEUP | (1 << 31) | EPOLLEXCLUSIVE;

function create(k: Linux, flags: number): number {
  if (flags & ~O_CLOEXEC) throw new LinuxError(EINVAL);
  return k.installFd(k.openEpoll(O_RDWR), (flags & O_CLOEXEC) !== 0);
}

/** The instance behind `fd`: EBADF for no descriptor, EINVAL for one that is not an epoll file. */
function instance(k: Linux, fd: number): Epoll {
  const f = k.file(fd);
  if (f.kind !== "epoll") throw new LinuxError(EINVAL);
  return k.epolls.get(f.target)!;
}

function ctl(s: Call, epfd: number, op: number, fd: number, event: number): number {
  const k = s.k;
  let events = 0;
  let data: [number, number] = [0, 0];
  if (op !== EPOLL_CTL_DEL) {
    const v = readStruct(s.m, event, EVENT_SIZE);
    // EPOLLWAKEUP needs CAP_BLOCK_SUSPEND, which the guest lacks: Linux drops it.
    events = v.getUint32(0, true) & ~EPOLLWAKEUP;
    data = [v.getUint32(4, true), v.getUint32(8, true)];
  }
  const ef = k.file(epfd);
  const tf = k.file(fd);
  if (ef.flags & O_PATH || tf.flags & O_PATH) throw new LinuxError(EBADF);
  if (pollMask(k, tf) === undefined) throw new LinuxError(EPERM);
  if (ef === tf || ef.kind !== "epoll") throw new LinuxError(EINVAL);
  if (op !== EPOLL_CTL_DEL && events & EPOLLEXCLUSIVE) {
    if (op === EPOLL_CTL_MOD || (op === EPOLL_CTL_ADD && (tf.kind === "epoll" || events & ~EXCLUSIVE_OK))) {
      throw new LinuxError(EINVAL);
    }
  }
  const ep = k.epolls.get(ef.target)!;
  if (op === EPOLL_CTL_ADD && tf.kind === "epoll" && wouldLoop(k, ep, k.epolls.get(tf.target)!)) {
    throw new LinuxError(ELOOP);
  }
  const item = ep.items.get(itemKey(tf.id, fd));
  switch (op) {
    case EPOLL_CTL_ADD:
      if (item) throw new LinuxError(EEXIST);
      addItem(k, ep, { file: tf.id, fd, events: events | EPOLLERR | EPOLLHUP, data });
      return 0;
    case EPOLL_CTL_DEL:
      if (!item) throw new LinuxError(ENOENT);
      removeItem(ep, item);
      return 0;
    case EPOLL_CTL_MOD:
      if (!item) throw new LinuxError(ENOENT);
      // An exclusive item cannot be modified (and Linux says EINVAL).
      if (item.events & EPOLLEXCLUSIVE) throw new LinuxError(EINVAL);
      modifyItem(k, ep, item, events | EPOLLERR | EPOLLHUP, data);
      return 0;
    default:
      throw new LinuxError(EINVAL);
  }
}

/**
 * epoll_wait and its variants: `ns` the timeout (undefined: none), `mask` the signal
 * mask to wait with (epoll_pwait). With a mask, the old one comes back as
 * the call returns events or times out; a signal that interrupts the wait
 * finds it saved, and its handler's return restores it (as sigsuspend).
 */
function wait(
  s: Call,
  epfd: number,
  buf: number,
  max: number,
  ns: number | undefined,
  mask?: [number, number],
): number {
  const k = s.k;
  if ((max | 0) <= 0 || max > MAX_EVENTS) throw new LinuxError(EINVAL);
  if (buf + max * EVENT_SIZE > TASK_SIZE) throw new LinuxError(EFAULT);
  const ep = instance(k, epfd);
  const thread = records(k).thread;
  if (mask) {
    // A retried wait (after a budget stop) keeps the mask saved the first time.
    thread.saved ??= [thread.blocked[0], thread.blocked[1]];
    thread.blocked = [mask[0] & ~UNBLOCKABLE, mask[1]];
  }
  const restoreMask = () => {
    if (!mask) return;
    thread.blocked = thread.saved!;
    delete thread.saved;
  };
  try {
    const events = sendEvents(k, ep, max);
    if (events.length === 0) {
      if (ns === undefined) throw new Blocked("waiting for epoll events");
      timedWait(k, ns, "polling");
    }
    const out = new Struct(events.length * EVENT_SIZE);
    events.forEach((e, i) =>
      out.u32(i * EVENT_SIZE, e.events).u32(i * EVENT_SIZE + 4, e.data[0]).u32(i * EVENT_SIZE + 8, e.data[1])
    );
    out.write(s.m, buf);
    restoreMask();
    return events.length;
  } catch (e) {
    // Waiting keeps the mask; a signal that ends the wait finds the old one saved.
    if (!(e instanceof Blocked)) restoreMask();
    throw e;
  }
}

/** epoll_pwait's signal mask argument: none, or the 8-byte set. */
function sigmask(s: Call, addr: number, size: number): [number, number] | undefined {
  if (!addr) return undefined;
  if (size !== 8) throw new LinuxError(EINVAL);
  const v = readStruct(s.m, addr, 8);
  return [v.getUint32(0, true), v.getUint32(4, true)];
}

/** epoll_wait's timeout in milliseconds, in ns (undefined when negative: wait forever). */
function millis(timeout: number): number | undefined {
  return (timeout | 0) < 0 ? undefined : (timeout | 0) * 1e6;
}

/** epoll_pwait2's timeout: a 64-bit timespec in ns, or none (wait forever). */
function timespec64(s: Call, addr: number): number | undefined {
  if (!addr) return undefined;
  const v = readStruct(s.m, addr, 16);
  const sec = getI64(v, 0), nsec = getI64(v, 8);
  if (sec < 0 || nsec < 0 || nsec >= 1e9) throw new LinuxError(EINVAL);
  return sec * 1e9 + nsec;
}

/** System calls of this module by number. */
export const epollCalls: SyscallTable = {
  254: {
    name: "epoll_create",
    args: "d",
    fn: (s, a) => {
      if ((a[0] | 0) <= 0) throw new LinuxError(EINVAL);
      return create(s.k, 0);
    },
  },
  329: { name: "epoll_create1", args: "x", fn: (s, a) => create(s.k, a[0]) },
  255: {
    name: "epoll_ctl",
    args: "fd,d,fd,x",
    fn: (s, a) => ctl(s, a[0], a[1], a[2] | 0, a[3]),
  },
  256: {
    name: "epoll_wait",
    args: "fd,x,d,d",
    fn: (s, a) => wait(s, a[0], a[1], a[2], millis(a[3])),
  },
  319: {
    name: "epoll_pwait",
    args: "fd,x,d,d,x,u",
    fn: (s, a) => wait(s, a[0], a[1], a[2], millis(a[3]), sigmask(s, a[4], a[5])),
  },
  441: {
    name: "epoll_pwait2",
    args: "fd,x,d,x,x,u",
    fn: (s, a) => wait(s, a[0], a[1], a[2], timespec64(s, a[3]), sigmask(s, a[4], a[5])),
  },
};
