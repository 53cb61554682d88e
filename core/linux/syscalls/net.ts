import { readStruct } from "../abi.ts";
import { EAFNOSUPPORT, EBADF, ENOTSOCK, LinuxError } from "../errno.ts";
import type { Call, SyscallTable } from "./types.ts";

/** Sockets: nothing reaches the network, so no socket can be made. */

const noSockets = () => {
  throw new LinuxError(EAFNOSUPPORT);
};

/** A socket operation on `fd`: it is never a socket. */
function notSocket(s: Call, fd: number): number {
  if (!s.k.fds.has(fd)) throw new LinuxError(EBADF);
  throw new LinuxError(ENOTSOCK);
}

const SYS_SOCKET = 1, SYS_SOCKETPAIR = 8;

const onFd = (name: string) => ({
  name,
  args: "fd,x,x",
  fn: (s: Call, a: number[]) => notSocket(s, a[0]),
});

/** System calls of this module by number. */
export const netCalls: SyscallTable = {
  102: {
    name: "socketcall",
    args: "d,x",
    fn: (s, a) => {
      if (a[0] === SYS_SOCKET || a[0] === SYS_SOCKETPAIR) noSockets();
      return notSocket(s, readStruct(s.m, a[1], 4).getUint32(0, true));
    },
  },
  359: { name: "socket", args: "d,d,d", fn: noSockets },
  360: { name: "socketpair", args: "d,d,d,x", fn: noSockets },
  361: onFd("bind"),
  362: onFd("connect"),
  363: onFd("listen"),
  364: onFd("accept4"),
  365: onFd("getsockopt"),
  366: onFd("setsockopt"),
  367: onFd("getsockname"),
  368: onFd("getpeername"),
  369: onFd("sendto"),
  370: onFd("sendmsg"),
  371: onFd("recvfrom"),
  372: onFd("recvmsg"),
  373: onFd("shutdown"),
};
