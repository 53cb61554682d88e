/**
 * epoll instances (epoll(7)) as Linux's fs/eventpoll.c keeps them: an
 * interest list of (open file, fd) items and a ready list in the order the
 * items became ready. Files that change state *wake* the items watching
 * them ({@link wakePipe}), which is what puts an item on the ready list;
 * epoll_wait then polls the ready items in that order ({@link sendEvents}),
 * so level-triggered, edge-triggered (EPOLLET) and one-shot items report
 * exactly when and in the order Linux reports them. An instance is plain
 * data shared by every descriptor and process that refers to its open file
 * description (dup, fork), and lives with the open files in the guest's os
 * state (state.ts).
 */
import type { OpenFile } from "./files.ts";
import type { Linux } from "./linux.ts";
import { pipeEnds, type Pipe, PIPE_CAPACITY } from "./pipe.ts";
import { DEV_RANDOM, DEV_URANDOM } from "./io.ts";

/** Event bits (the same values as poll's POLL* bits). */
export const EPOLLIN = 0x1,
  EPOLLPRI = 0x2,
  EPOLLOUT = 0x4,
  EPOLLERR = 0x8,
  EPOLLHUP = 0x10,
  EPOLLRDNORM = 0x40,
  EPOLLWRNORM = 0x100,
  EPOLLEXCLUSIVE = 1 << 28,
  EPOLLWAKEUP = 1 << 29,
  EPOLLONESHOT = 1 << 30,
  EPOLLET = 1 << 31;
/** Flags that are not events: a one-shot item that fired keeps only these. */
export const EP_PRIVATE_BITS = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;

/** One watched (open file description, descriptor) pair. */
export interface EpollItem {
  /** The open file description's id. */
  readonly file: number;
  /** The descriptor it was added by (with `file`, the item's key). */
  readonly fd: number;
  /** The events asked for, with EPOLLERR and EPOLLHUP, and the EP_PRIVATE_BITS flags. */
  events: number;
  /** epoll_data, returned verbatim: the low and high 32-bit words. */
  data: [number, number];
}

/** An epoll instance; its id is its open file description's. */
export interface Epoll {
  readonly id: number;
  /** The interest list by {@link itemKey}, in the order items were added. */
  items: Map<string, EpollItem>;
  /** The ready list: items woken since they were last reported, oldest first. */
  ready: EpollItem[];
}

/** The key of an item in its instance's interest list. */
export function itemKey(file: number, fd: number): string {
  return `${file}/${fd}`;
}

/**
 * What poll, select and epoll see of an open file now (Linux's f_op->poll
 * mask), or undefined for a file that cannot be polled: epoll refuses it
 * (EPERM) and poll sees it as always readable and writable.
 *
 * @example
 * pollMask(k, k.file(0)); // EPOLLIN | EPOLLRDNORM while stdin has bytes
 */
export function pollMask(k: Linux, f: OpenFile): number | undefined {
  if (f.kind === "pipe") return pipeMask(f, k.pipe(f));
  if (f.kind === "epoll") return epollReady(k, k.epolls.get(f.target)!) ? EPOLLIN | EPOLLRDNORM : 0;
  const node = k.fs.get(f.target);
  if (node.kind === "device" && (node.rdev === DEV_RANDOM || node.rdev === DEV_URANDOM)) {
    return EPOLLIN | EPOLLRDNORM | EPOLLOUT | EPOLLWRNORM;
  }
  return undefined;
}

/** fs/pipe.c's pipe_poll. A fifo reader opened without writers sees no hang-up until one came. */
function pipeMask(f: OpenFile, p: Pipe): number {
  const ends = pipeEnds(f.flags);
  let mask = 0;
  if (p.sink) return EPOLLOUT | EPOLLWRNORM;
  if (ends.read) {
    if (p.size > 0) mask |= EPOLLIN | EPOLLRDNORM;
    if (p.writers === 0 && (f.fifoSeen ?? 0) !== (p.fifo?.writeOpens ?? 1)) mask |= EPOLLHUP;
  }
  if (ends.write) {
    if (p.size < PIPE_CAPACITY) mask |= EPOLLOUT | EPOLLWRNORM;
    if (p.readers === 0) mask |= EPOLLERR;
  }
  return mask;
}

/** The events of `item` that are there now. */
function itemPoll(k: Linux, item: EpollItem): number {
  return (pollMask(k, k.files.get(item.file)!) ?? 0) & item.events;
}

/**
 * Whether an epoll instance has an event to report (polling it, as
 * epoll's own poll does, drops ready items that have none left).
 */
function epollReady(k: Linux, ep: Epoll): boolean {
  while (ep.ready.length > 0) {
    if (itemPoll(k, ep.ready[0])) return true;
    ep.ready.shift();
  }
  return false;
}

/** Puts `item` on its instance's ready list (once) and wakes whoever watches the instance. */
function markReady(k: Linux, ep: Epoll, item: EpollItem): void {
  if (!ep.ready.includes(item)) ep.ready.push(item);
  wake(k, (f) => f.kind === "epoll" && f.target === ep.id, EPOLLIN | EPOLLRDNORM);
}

/** Linux's ep_poll_callback for every item whose file `listens` to this wake-up (`key` 0: any event). */
function wake(k: Linux, listens: (f: OpenFile) => boolean, key: number): void {
  if (k.epolls.size === 0) return;
  for (const ep of k.epolls.values()) {
    for (const item of ep.items.values()) {
      if (!(item.events & ~EP_PRIVATE_BITS)) continue; // a one-shot item that fired
      if (key && !(key & item.events)) continue;
      if (listens(k.files.get(item.file)!)) markReady(k, ep, item);
    }
  }
}

/**
 * A pipe's wait queue woke: its readers' (`"read"`: bytes came, a writer
 * came or went) or its writers' (`"write"`: room was made, a reader went),
 * with the events it reports (0: any).
 *
 * @example
 * wakePipe(k, p, "read", EPOLLIN | EPOLLRDNORM); // after a write to p
 */
export function wakePipe(k: Linux, p: Pipe, queue: "read" | "write", key: number): void {
  wake(k, (f) => f.kind === "pipe" && f.target === p.id && pipeEnds(f.flags)[queue], key);
}

/**
 * Adds an item (EPOLL_CTL_ADD; the caller checked it is new): its file is
 * polled at once and the item is ready if it has an event.
 */
export function addItem(k: Linux, ep: Epoll, item: EpollItem): void {
  ep.items.set(itemKey(item.file, item.fd), item);
  if (itemPoll(k, item)) markReady(k, ep, item);
}

/** EPOLL_CTL_MOD: new events and data; ready at once if an event is there. */
export function modifyItem(k: Linux, ep: Epoll, item: EpollItem, events: number, data: [number, number]): void {
  item.events = events;
  item.data = data;
  if (itemPoll(k, item)) markReady(k, ep, item);
}

/** EPOLL_CTL_DEL. */
export function removeItem(ep: Epoll, item: EpollItem): void {
  ep.items.delete(itemKey(item.file, item.fd));
  const i = ep.ready.indexOf(item);
  if (i >= 0) ep.ready.splice(i, 1);
}

/**
 * An open file description was released: every instance forgets its items
 * (and an epoll instance itself goes), as Linux's eventpoll_release does.
 */
export function forgetFile(k: Linux, f: OpenFile): void {
  if (k.epolls.size === 0) return;
  if (f.kind === "epoll") k.epolls.delete(f.target);
  for (const ep of k.epolls.values()) {
    for (const item of [...ep.items.values()]) if (item.file === f.id) removeItem(ep, item);
  }
}

/**
 * Up to `max` events of the ready list, as epoll_wait reports them
 * (ep_send_events): each ready item is polled in order; one with events is
 * reported, and a level-triggered one goes back to the end of the ready
 * list, while an edge-triggered one waits for its next wake-up and a
 * one-shot one is disabled until EPOLL_CTL_MOD. Items left over stay
 * first in line.
 *
 * @example
 * sendEvents(k, ep, 8); // [{ events: EPOLLIN, data: [7, 0] }]
 */
export function sendEvents(k: Linux, ep: Epoll, max: number): { events: number; data: [number, number] }[] {
  const out: { events: number; data: [number, number] }[] = [];
  const taken = ep.ready;
  ep.ready = [];
  let i = 0;
  for (; i < taken.length && out.length < max; i++) {
    const item = taken[i];
    const revents = itemPoll(k, item);
    if (!revents) continue;
    out.push({ events: revents, data: [item.data[0], item.data[1]] });
    if (item.events & EPOLLONESHOT) item.events &= EP_PRIVATE_BITS;
    else if (!(item.events & EPOLLET)) ep.ready.push(item);
  }
  ep.ready = [...taken.slice(i), ...ep.ready];
  return out;
}

/** Whether instance `inner` is `outer` or watches it, directly or through other instances, or nests deeper than Linux allows. */
export function wouldLoop(k: Linux, outer: Epoll, inner: Epoll): boolean {
  const MAX_NESTS = 4;
  const visit = (ep: Epoll, depth: number): boolean => {
    if (ep === outer || depth > MAX_NESTS) return true;
    for (const item of ep.items.values()) {
      const f = k.files.get(item.file)!;
      if (f.kind === "epoll" && visit(k.epolls.get(f.target)!, depth + 1)) return true;
    }
    return false;
  };
  return visit(inner, 1);
}
