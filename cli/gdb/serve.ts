/**
 * Serves the GDB remote protocol on a loopback TCP port for a session
 * (core/debug/gdb-stub.ts does the protocol; this file only moves bytes).
 * Packets are handled one at a time, in order; gdb's interrupt byte (0x03,
 * Ctrl-C in gdb) stops a running `continue` at its next chunk.
 */
import { createServer, type Socket } from "node:net";
import { Buffer } from "node:buffer";
import { GdbStub } from "../../core/debug/gdb-stub.ts";
import { frame, RspReader } from "../../core/debug/rsp.ts";
import type { SessionState } from "../../core/session/state.ts";
import { UserError } from "../host.ts";

/** A listening gdb server. */
export interface GdbServer {
  /** The port it listens on (the one asked for, or the one the system gave for 0). */
  port: number;
  /** Settles when the first connection has ended (gdb detached, killed or went away). */
  done: Promise<void>;
  /** True once gdb has connected (and until its connection ends). */
  connected(): boolean;
  close(): void;
}

/**
 * Listens on 127.0.0.1:`port` (0: any free port) for gdb. `onReply` is
 * called after each packet is answered (the shell redraws: gdb may have
 * moved the session).
 *
 * @example
 * const server = await serveGdb(session.state, 1234);
 * // gdb -ex 'set architecture i386' -ex 'target remote :1234'
 * await server.done;
 */
export function serveGdb(state: SessionState, port: number, onReply: () => void = () => {}): Promise<GdbServer> {
  let finished = () => {};
  let open = false;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const server = createServer((socket) => {
    open = true;
    connection(state, socket, onReply, () => {
      open = false;
      finished();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(new UserError(`cannot listen on 127.0.0.1:${port} for gdb: ${e.code === "EADDRINUSE" ? "the port is in use" : e.message}`)));
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : port,
        done,
        connected: () => open,
        close: () => server.close(),
      });
    });
  });
}

function connection(state: SessionState, socket: Socket, onReply: () => void, finished: () => void): void {
  const stub = new GdbStub(state);
  const reader = new RspReader();
  let acks = true;
  let queue = Promise.resolve();
  let running: AbortController | undefined;
  socket.setNoDelay(true);
  socket.on("data", (data: Buffer) => {
    for (const event of reader.push(data.toString("latin1"))) {
      if (event.kind === "interrupt") {
        running?.abort();
        continue;
      }
      if (event.kind === "bad") {
        if (acks) socket.write("-");
        continue;
      }
      if (acks) socket.write("+");
      queue = queue.then(async () => {
        if (socket.destroyed) return;
        running = new AbortController();
        const reply = await stub.handle(event.payload, { signal: running.signal });
        running = undefined;
        if (reply.payload !== null) socket.write(Buffer.from(frame(reply.payload), "latin1"));
        onReply();
        if (reply.noAck) acks = false;
        if (reply.close) socket.end();
      });
    }
  });
  socket.on("close", () => finished());
  socket.on("error", () => socket.destroy());
}
