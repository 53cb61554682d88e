import type { Timespec } from "./clock.ts";

/** Bytes a pipe holds before writers block (Linux's default, 16 pages). */
export const PIPE_CAPACITY = 65536;

/**
 * A pipe: a byte queue between open file descriptions. stdin, stdout and
 * stderr are pipes too: stdin is pre-filled by the host, and stdout/stderr
 * are *sinks* whose bytes go to the host's capture instead of a queue, so
 * they always have room and a reader.
 */
export interface Pipe {
  readonly id: number;
  /** Queued bytes, oldest first; `head` bytes of the first chunk are consumed. */
  chunks: Uint8Array[];
  head: number;
  size: number;
  /** Open file descriptions that read / write this pipe (the host counts as one). */
  readers: number;
  writers: number;
  /** 0: a queue; 1 or 2: the guest's stdout or stderr, captured by the host. */
  readonly sink: 0 | 1 | 2;
  readonly ctime: Timespec;
  /** For the pipe of a named pipe (core/linux/fifo.ts): its node and open counters. */
  fifo?: FifoState;
}

/**
 * What a named pipe's pipe has besides its queue: the fifo's inode, and
 * how many times it was opened for reading and for writing (Linux's
 * r_counter and w_counter, from 1): an open waiting for its partner waits
 * for the other counter to move, so a partner that came and went still
 * ends the wait.
 */
export interface FifoState {
  readonly ino: number;
  readOpens: number;
  writeOpens: number;
}

/**
 * Which ends of a pipe an open file description with these O_* flags
 * holds: a pipe(2) end one of them, a fifo opened O_RDWR both.
 *
 * @example
 * pipeEnds(O_RDWR); // { read: true, write: true }
 */
export function pipeEnds(flags: number): { read: boolean; write: boolean } {
  const acc = flags & 3;
  return { read: acc !== 1, write: acc !== 0 };
}

/**
 * A new empty pipe.
 *
 * @example
 * const p = newPipe(1, wallClock(0));
 * enqueue(p, bytes);
 * peek(p, 4); // the first 4 bytes, still queued
 * drop(p, 4);
 */
export function newPipe(
  id: number,
  ctime: Timespec,
  sink: 0 | 1 | 2 = 0,
): Pipe {
  return {
    id,
    chunks: [],
    head: 0,
    size: 0,
    readers: 0,
    writers: 0,
    sink,
    ctime,
  };
}

/** Small writes are merged into chunks of up to this size, so a pipe holds few chunks. */
const MERGE = 4096;

/** Appends bytes (the caller checks room). */
export function enqueue(p: Pipe, bytes: Uint8Array): void {
  if (bytes.length === 0) return;
  const last = p.chunks.length - 1;
  if (last > 0 && p.chunks[last].length + bytes.length <= MERGE) {
    const merged = new Uint8Array(p.chunks[last].length + bytes.length);
    merged.set(p.chunks[last]);
    merged.set(bytes, p.chunks[last].length);
    p.chunks[last] = merged;
  } else p.chunks.push(bytes);
  p.size += bytes.length;
}

/**
 * Up to `n` bytes from the front, leaving them queued: a view of the
 * queue's first chunk when they lie in it (the caller copies them before
 * they are dropped; queued chunks are never written), else a copy.
 */
export function peek(p: Pipe, n: number): Uint8Array {
  n = Math.min(n, p.size);
  const first = p.chunks[0];
  if (first !== undefined && p.head + n <= first.length) return first.subarray(p.head, p.head + n);
  const out = new Uint8Array(n);
  let done = 0;
  let head = p.head;
  for (let i = 0; done < out.length; i++, head = 0) {
    const c = p.chunks[i];
    const take = Math.min(c.length - head, out.length - done);
    out.set(c.subarray(head, head + take), done);
    done += take;
  }
  return out;
}

/** Removes `n` queued bytes from the front. */
export function drop(p: Pipe, n: number): void {
  p.size -= n;
  while (n > 0) {
    const left = p.chunks[0].length - p.head;
    if (n < left) {
      p.head += n;
      return;
    }
    n -= left;
    p.chunks.shift();
    p.head = 0;
  }
}
