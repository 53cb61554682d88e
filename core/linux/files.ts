/** open(2) flags (i386 uses the generic values). */
export const O_ACCMODE = 3,
  O_RDONLY = 0,
  O_WRONLY = 1,
  O_RDWR = 2,
  O_CREAT = 0o100,
  O_EXCL = 0o200,
  O_NOCTTY = 0o400,
  O_TRUNC = 0o1000,
  O_APPEND = 0o2000,
  O_NONBLOCK = 0o4000,
  O_ASYNC = 0o20000,
  O_DIRECT = 0o40000,
  O_LARGEFILE = 0o100000,
  O_DIRECTORY = 0o200000,
  O_NOFOLLOW = 0o400000,
  O_NOATIME = 0o1000000,
  O_CLOEXEC = 0o2000000,
  O_PATH = 0o10000000,
  O_TMPFILE = 0o20000000;

/** dirfd meaning "the current directory" in the *at calls. */
export const AT_FDCWD = -100;

/** Status flags F_SETFL may change. */
export const SETFL_MASK = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT |
  O_NOATIME;

/**
 * An open file description: what open(2) creates and dup(2) shares. It
 * refers to a file-system node (by inode number), a pipe (by id; a fifo's
 * ends too) or an epoll instance (core/linux/epoll.ts, by this
 * description's own id), so it is plain data that survives a snapshot.
 */
export interface OpenFile {
  readonly id: number;
  readonly kind: "node" | "pipe" | "epoll";
  /** Inode number, pipe id, or (epoll) the description's own id. */
  readonly target: number;
  /** Access mode and status flags (O_*; O_CLOEXEC lives in the descriptor). */
  flags: number;
  offset: number;
  /** Directory listing position: the last name listed ("." and ".." first), null at the start. */
  dirCursor: string | null;
  /** File descriptors referring to it. */
  refs: number;
  /**
   * A fifo opened for reading with O_NONBLOCK and no writer: the fifo's
   * write-open count then (Linux's f_pipe); it reports no hang-up until a
   * writer has opened it since.
   */
  fifoSeen?: number;
}

/** A file descriptor: an open file description plus the close-on-exec flag. */
export interface FdEntry {
  file: number;
  cloexec: boolean;
}

/** Whether the description was opened for reading (O_PATH ones are not). */
export function canRead(f: OpenFile): boolean {
  return !(f.flags & O_PATH) && (f.flags & O_ACCMODE) !== O_WRONLY;
}

/** Whether the description was opened for writing. */
export function canWrite(f: OpenFile): boolean {
  const acc = f.flags & O_ACCMODE;
  return !(f.flags & O_PATH) && (acc === O_WRONLY || acc === O_RDWR);
}
