/**
 * Linux errno values (i386 uses the generic numbering) and the exception
 * system-call handlers throw to fail with one.
 */
export const EPERM = 1,
  ENOENT = 2,
  ESRCH = 3,
  EINTR = 4,
  EIO = 5,
  ENXIO = 6,
  E2BIG = 7,
  ENOEXEC = 8,
  EBADF = 9,
  ECHILD = 10,
  EAGAIN = 11,
  ENOMEM = 12,
  EACCES = 13,
  EFAULT = 14,
  EBUSY = 16,
  EEXIST = 17,
  EXDEV = 18,
  ENODEV = 19,
  ENOTDIR = 20,
  EISDIR = 21,
  EINVAL = 22,
  ENFILE = 23,
  EMFILE = 24,
  ENOTTY = 25,
  EFBIG = 27,
  ENOSPC = 28,
  ESPIPE = 29,
  EROFS = 30,
  EMLINK = 31,
  EPIPE = 32,
  ERANGE = 34,
  ENAMETOOLONG = 36,
  ENOSYS = 38,
  ENOTEMPTY = 39,
  ELOOP = 40,
  ENODATA = 61,
  EOVERFLOW = 75,
  ENOTSOCK = 88,
  EOPNOTSUPP = 95,
  EAFNOSUPPORT = 97,
  ETIMEDOUT = 110;

const NAMES: Record<number, string> = {
  [EPERM]: "EPERM",
  [ENODATA]: "ENODATA",
  [ENOENT]: "ENOENT",
  [ESRCH]: "ESRCH",
  [EINTR]: "EINTR",
  [EIO]: "EIO",
  [ENXIO]: "ENXIO",
  [E2BIG]: "E2BIG",
  [ENOEXEC]: "ENOEXEC",
  [EBADF]: "EBADF",
  [ECHILD]: "ECHILD",
  [EAGAIN]: "EAGAIN",
  [ENOMEM]: "ENOMEM",
  [EACCES]: "EACCES",
  [EFAULT]: "EFAULT",
  [EBUSY]: "EBUSY",
  [EEXIST]: "EEXIST",
  [EXDEV]: "EXDEV",
  [ENODEV]: "ENODEV",
  [ENOTDIR]: "ENOTDIR",
  [EISDIR]: "EISDIR",
  [EINVAL]: "EINVAL",
  [ENFILE]: "ENFILE",
  [EMFILE]: "EMFILE",
  [ENOTTY]: "ENOTTY",
  [EFBIG]: "EFBIG",
  [ENOSPC]: "ENOSPC",
  [ESPIPE]: "ESPIPE",
  [EROFS]: "EROFS",
  [EMLINK]: "EMLINK",
  [EPIPE]: "EPIPE",
  [ERANGE]: "ERANGE",
  [ENAMETOOLONG]: "ENAMETOOLONG",
  [ENOSYS]: "ENOSYS",
  [ENOTEMPTY]: "ENOTEMPTY",
  [ELOOP]: "ELOOP",
  [EOVERFLOW]: "EOVERFLOW",
  [ENOTSOCK]: "ENOTSOCK",
  [EOPNOTSUPP]: "EOPNOTSUPP",
  [EAFNOSUPPORT]: "EAFNOSUPPORT",
  [ETIMEDOUT]: "ETIMEDOUT",
};

/**
 * The symbolic name of an errno value (for traces).
 *
 * @example
 * errnoName(2); // "ENOENT"
 */
export function errnoName(errno: number): string {
  return NAMES[errno] ?? `E${errno}`;
}

/**
 * A system call failing with `errno`. Handlers throw it from any depth
 * (path lookup, permission checks); the dispatcher turns it into `-errno`
 * in EAX.
 *
 * @example
 * if (!node) throw new LinuxError(ENOENT);
 */
export class LinuxError extends Error {
  constructor(readonly errno: number) {
    super(errnoName(errno));
  }
}

/**
 * A system call that cannot complete now and would wait forever in a
 * single-process world (an empty pipe whose writer is this very process,
 * stdin the host has not closed, pause()). The dispatcher stops the guest
 * *at* its `int 0x80`, so resuming it (after the host supplies input)
 * retries the call.
 *
 * @example
 * if (pipe.size === 0 && pipe.writers > 0) throw new Blocked("read from an empty pipe");
 */
export class Blocked extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}
