/**
 * Opening named pipes (fifo(7)), as Linux's fifo_open does. A fifo node
 * holds no bytes: its open ends share one pipe, made by the first open and
 * gone (with any bytes still queued) when the last end closes. Opening for
 * reading waits until a writer opens it, and for writing until a reader
 * does, unless O_NONBLOCK (a reader then opens at once; a writer fails with
 * ENXIO when there is no reader); O_RDWR never waits.
 *
 * A waiting open already counts as a reader or writer (so a partner's
 * O_NONBLOCK open succeeds), and waits for the partner's open counter to
 * move, so a partner that opened and closed meanwhile still ends the wait.
 * The wait is the thread's guest state (`Linux.fifoWait`, `fifo` in its
 * os): the scheduler retries the open, which then completes.
 */
import { EAX } from "../cpu/state.ts";
import { Blocked, ENXIO, LinuxError } from "./errno.ts";
import { wakePipe } from "./epoll.ts";
import { O_NONBLOCK, type OpenFile } from "./files.ts";
import type { FifoNode } from "./fs/node.ts";
import type { Linux } from "./linux.ts";
import { type FifoState, type Pipe, pipeEnds } from "./pipe.ts";
import { interruptWait } from "./signals/deliver.ts";
import type { Call } from "./syscalls/types.ts";

/** An open of a fifo waiting for its partner: the pipe, which end, and the partner's open count then. */
export interface FifoWait {
  pipe: number;
  write: boolean;
  seen: number;
}

/** The pipe of the fifo `node`, if it is open. */
function openPipeOf(k: Linux, node: FifoNode): Pipe | undefined {
  for (const p of k.pipes.values()) if (p.fifo?.ino === node.ino) return p;
  return undefined;
}

/** Linux's wake_up_partner: an open waiting for this end stops waiting. */
function wakePartner(k: Linux, p: Pipe): void {
  wakePipe(k, p, "read", 0);
}

/**
 * Opens fifo `node` with open(2) `flags` (status flags only): the new open
 * file description, or the call's result when a signal interrupted the
 * wait (-EINTR, or the call's number to restart it).
 *
 * @example
 * const f = openFifo(s, node, O_RDONLY | O_NONBLOCK); // never waits
 */
export function openFifo(s: Call, node: FifoNode, flags: number): OpenFile | number {
  const k = s.k;
  const ends = pipeEnds(flags);
  let p = openPipeOf(k, node);
  if (!ends.read && flags & O_NONBLOCK && !p?.readers) throw new LinuxError(ENXIO);
  if (!p) {
    p = k.newPipe();
    p.fifo = { ino: node.ino, readOpens: 1, writeOpens: 1 };
  }
  const fifo: FifoState = p.fifo!;
  if (ends.read && ends.write) {
    fifo.readOpens++;
    fifo.writeOpens++;
    const f = k.openPipe(p, flags);
    if (p.readers === 1 || p.writers === 1) wakePartner(k, p);
    return f;
  }
  if (ends.read) {
    fifo.readOpens++;
    if (p.readers++ === 0) wakePartner(k, p);
    if (p.writers === 0) {
      if (!(flags & O_NONBLOCK)) return waitForPartner(s, { pipe: p.id, write: false, seen: fifo.writeOpens }, flags);
      const f = k.openPipe(p, flags, true);
      f.fifoSeen = fifo.writeOpens;
      return f;
    }
    return k.openPipe(p, flags, true);
  }
  fifo.writeOpens++;
  if (p.writers++ === 0) wakePartner(k, p);
  if (p.readers === 0) return waitForPartner(s, { pipe: p.id, write: true, seen: fifo.readOpens }, flags);
  return k.openPipe(p, flags, true);
}

/**
 * The open waiting in `k.fifoWait`, retried: done once the partner's open
 * count moved; else interrupted by a deliverable signal, or still waiting.
 */
export function resumeFifoOpen(s: Call, flags: number): OpenFile | number {
  return waitForPartner(s, s.k.fifoWait!, flags);
}

function waitForPartner(s: Call, w: FifoWait, flags: number): OpenFile | number {
  const k = s.k;
  const p = k.pipes.get(w.pipe)!;
  const partner = w.write ? p.fifo!.readOpens : p.fifo!.writeOpens;
  k.fifoWait = w;
  if (partner !== w.seen) {
    k.fifoWait = undefined;
    return k.openPipe(p, flags, true);
  }
  const interrupted = interruptWait(k, s.c, s.c.r[EAX] >>> 0);
  if (interrupted !== undefined) {
    abandonFifoOpen(k);
    return interrupted;
  }
  throw new Blocked(w.write ? "opening a fifo nobody reads" : "opening a fifo nobody writes");
}

/**
 * Gives up an open waiting for its partner (a signal, or the thread ends):
 * its end is no longer counted, and a pipe nothing holds goes.
 *
 * @example
 * abandonFifoOpen(k); // k.fifoWait is undefined after
 */
export function abandonFifoOpen(k: Linux): void {
  const w = k.fifoWait;
  if (!w) return;
  k.fifoWait = undefined;
  const p = k.pipes.get(w.pipe)!;
  if (w.write) {
    if (--p.writers === 0) wakePipe(k, p, "read", 0);
  } else if (--p.readers === 0) wakePipe(k, p, "write", 0);
  if (p.readers === 0 && p.writers === 0) k.pipes.delete(p.id);
}
