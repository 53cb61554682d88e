/**
 * The GDB remote protocol's target side over a debugging session: gdb's
 * packets in, replies out, the machine moved through the session (so the
 * REPL's breakpoints, history and time travel are gdb's too). The
 * connection (TCP, cli/commands/gdbserver.ts) frames packets with
 * core/debug/rsp.ts and hands their payloads to `handle`.
 *
 * gdb sees the selected machine's top-level guest as one process whose
 * threads are the guest's processes and threads, by pid (docs/gdb.md).
 * One step is one instruction of the
 * machine (inside a RUN, one of the innermost sub-guest's: the top-level
 * EIP stays on its RUN instruction). Reverse execution (`bs`, `bc`) is the
 * session's: exact, replayed from checkpoints (core/session/reverse.ts).
 */
import { resolve } from "node:path";
import type { BreakSpec, WatchAccess } from "../session/breakpoints.ts";
import { CommandError } from "../session/errors.ts";
import { peek } from "../session/inspect.ts";
import { reverseContinue } from "../session/reverse.ts";
import type { RunEnd, SessionState } from "../session/state.ts";
import { travel } from "../session/commands/run.ts";
import { nodeAt } from "../session/rows.ts";
import { type GuestNode } from "../session/hierarchy.ts";
import type { ExecuteOptions } from "../session/view.ts";
import { readAllRegisters, readGdbRegister, registerSize, GDB_REGISTERS, writeGdbRegister } from "./registers.ts";
import { fromHex, toHex } from "./rsp.ts";
import type { Cpu } from "../cpu/state.ts";
import type { Linux } from "../linux/linux.ts";
import { stoppedState } from "../linux/process/stop.ts";
import { targetXml } from "./target-xml.ts";

/** Signals in stop replies. */
const SIGINT = 2, SIGILL = 4, SIGTRAP = 5, SIGFPE = 8, SIGSEGV = 11;
const ENOENT = 2, EBADF = 9;
/** Z packet types: software and hardware breakpoints, write, read and access watchpoints. */
const Z_KINDS: Record<string, WatchAccess | "break"> = { "0": "break", "1": "break", "2": "write", "3": "read", "4": "access" };

/** What a reply to a packet is, besides its payload. */
export interface StubReply {
  /** The payload to send; null: send nothing (after a detach or kill, or for a packet that takes none). */
  payload: string | null;
  /** Close the connection after sending (detach, kill). */
  close?: boolean;
  /** Switch to no-ack mode after sending (QStartNoAckMode). */
  noAck?: boolean;
}

/**
 * One gdb connection's view of a session.
 *
 * @example
 * const stub = new GdbStub(session.state);
 * await stub.handle("qSupported:swbreak+"); // { payload: "PacketSize=…;ReverseContinue+;…" }
 * await stub.handle("c", { signal });       // runs; { payload: "T05swbreak:;thread:64;" }
 */
export class GdbStub {
  /** gdb's breakpoints and watchpoints, by "type,addr,kind", as session breakpoint numbers. */
  private readonly inserted = new Map<string, number>();
  private readonly files = new Map<number, Uint8Array>();
  private nextFd = 1;
  /** The last stop reply, which `?` repeats (before any: stopped at the start, in the running thread). */
  private lastReply: string | undefined;

  constructor(private readonly s: SessionState) {}

  /** Replies to one packet payload. Long packets (c, bc) run the machine; `opts.signal` interrupts them. */
  async handle(packet: string, opts: ExecuteOptions = {}): Promise<StubReply> {
    // A REPL sharing the session (repl --gdb) may be running a command: gdb waits its turn with an error.
    const moves = /^(c|s|bc|bs|vCont;[cCsS])/.test(packet);
    if (moves && this.s.busy) return { payload: "E10" };
    if (moves) this.s.busy = true;
    try {
      return await this.dispatch(packet, opts);
    } catch (e) {
      if (e instanceof CommandError || e instanceof RangeError) return { payload: "E01" };
      throw e;
    } finally {
      if (moves) this.s.busy = false;
    }
  }

  private async dispatch(p: string, opts: ExecuteOptions): Promise<StubReply> {
    const reply = (payload: string | null) => ({ payload });
    if (p.startsWith("qSupported")) {
      return reply(
        "PacketSize=4000;qXfer:features:read+;qXfer:exec-file:read+;swbreak+;hwbreak+;" +
          "ReverseStep+;ReverseContinue+;QStartNoAckMode+;vContSupported+",
      );
    }
    if (p === "QStartNoAckMode") return { payload: "OK", noAck: true };
    if (p === "vMustReplyEmpty") return reply("");
    if (p.startsWith("Hg")) return reply(this.selectThread(p.slice(2)));
    if (p.startsWith("Hc")) return reply("OK");
    if (p === "?") return reply(this.lastReply ?? `T${hex2(SIGTRAP)}thread:${hex2(this.runningThread())};`);
    if (p === "qfThreadInfo") return reply(`m${this.threads().map(([id]) => hex2(id)).join(",")}`);
    if (p === "qsThreadInfo") return reply("l");
    if (p === "qC") return reply(`QC${hex2(this.runningThread())}`);
    if (p.startsWith("qThreadExtraInfo,")) return reply(this.threadInfo(parseInt(p.slice(17), 16)));
    if (p === "qAttached" || p.startsWith("qAttached:")) return reply("1");
    if (p.startsWith("T")) return reply(this.threads().some(([id]) => id === parseInt(p.slice(1), 16)) ? "OK" : "E01");
    if (p.startsWith("qXfer:features:read:target.xml:")) return reply(chunk(targetXml(), p));
    if (p.startsWith("qXfer:exec-file:read:")) return reply(chunk(this.execFile(), p));
    if (p === "g") return reply(toHex(readAllRegisters(this.guest().cpu)));
    if (p.startsWith("G")) return reply(this.writeAll(fromHex(p.slice(1))));
    if (p.startsWith("p")) {
      const bytes = readGdbRegister(this.guest().cpu, parseInt(p.slice(1), 16));
      return reply(bytes ? toHex(bytes) : "E00");
    }
    if (p.startsWith("P")) return reply(this.writeOne(p.slice(1)));
    if (p.startsWith("m")) return reply(this.readMemory(p.slice(1)));
    if (p.startsWith("M")) {
      const [where, data] = p.slice(1).split(":");
      return reply(this.writeMemory(where, fromHex(data)));
    }
    if (p.startsWith("X")) {
      const colon = p.indexOf(":");
      return reply(this.writeMemory(p.slice(1, colon), latin1Bytes(p.slice(colon + 1))));
    }
    if (/^[Zz][0-4],/.test(p)) return reply(this.breakpoint(p));
    if (p === "vCont?") return reply("vCont;c;C;s;S");
    if (p === "c" || p.startsWith("c") || /^vCont;[cC]/.test(p)) return reply(await this.resume(opts));
    if (p === "s" || /^vCont;[sS]/.test(p)) return reply(await this.step(opts));
    if (p === "bc") return reply(await this.reverseContinue(opts));
    if (p === "bs") return reply(await this.reverseStep(opts));
    if (p.startsWith("vFile:")) return reply(this.vFile(p.slice(6)));
    if (p === "D" || p.startsWith("D;")) return { payload: "OK", close: true };
    if (p === "k" || p.startsWith("vKill")) return { payload: null, close: true };
    return reply("");
  }

  // ---- state -----------------------------------------------------------------

  private root(): GuestNode {
    return this.s.nodes(this.s.machine());
  }

  private guest() {
    return this.s.machine().guest;
  }

  /**
   * The guest's live processes and threads as gdb threads, their pids the
   * thread ids (one, the first process's, until the guest forks or clones).
   */
  private threads(): [number, Linux][] {
    const g = this.guest();
    const procs = g.main.machine.procs;
    if (!procs) return [[g.main.pid, g.main]];
    return [...procs.values()].filter((p) => p.cpu !== undefined && !p.exit).map((p) => [p.pid, p]);
  }

  /** The gdb thread id of the process that ran last (where the guest stopped). */
  private runningThread(): number {
    const main = this.guest().main;
    return main.machine.procs ? main.machine.current : main.pid;
  }

  /** Hg: registers and memory are those of thread `id` from now on (0 or -1: the running one). */
  private selectThread(id: string): string {
    const g = this.guest();
    const n = parseInt(id, 16);
    if (id === "0" || id === "-1" || !g.main.machine.procs) {
      g.viewed = undefined;
      return "OK";
    }
    if (!this.threads().some(([t]) => t === n)) return "E01";
    g.viewed = n;
    return "OK";
  }

  /** qThreadExtraInfo: what `info threads` shows beside a thread, hex-encoded. */
  private threadInfo(id: number): string {
    const found = this.threads().find(([t]) => t === id);
    if (!found) return "E01";
    const p = found[1];
    const what = stoppedState(p) ?? (p.blocked !== undefined ? `blocked: ${p.blocked}` : "runnable");
    const name = p.comm || (p.exe ?? "").split("/").pop() || "process";
    return toHex(new TextEncoder().encode(`${name} (pid ${p.pid}, ${what})`));
  }

  private writeAll(bytes: Uint8Array): string {
    let o = 0;
    const changes: [number, Uint8Array][] = [];
    for (let n = 0; n < GDB_REGISTERS.length && o + registerSize(n) <= bytes.length; n++) {
      const current = readGdbRegister(this.guest().cpu, n)!;
      const next = bytes.subarray(o, o + registerSize(n));
      if (toHex(current) !== toHex(next)) changes.push([n, next]);
      o += registerSize(n);
    }
    return this.edit((c) => changes.every(([n, b]) => writeGdbRegister(c, n, b)));
  }

  private writeOne(arg: string): string {
    const [n, value] = arg.split("=");
    return this.edit((c) => writeGdbRegister(c, parseInt(n, 16), fromHex(value)));
  }

  /** Edits the top-level guest's CPU (the session's edit: history restarts there). */
  private edit(change: (c: Cpu) => boolean): string {
    let ok = true;
    this.s.edit(this.root(), (g) => (ok = change(g.cpu)));
    return ok ? "OK" : "E01";
  }

  private readMemory(arg: string): string {
    const [addr, len] = arg.split(",").map((x) => parseInt(x, 16));
    const g = this.guest();
    let out = "";
    for (let i = 0; i < Math.min(len, 0x10000); i++) {
      const b = peek(g.mem, (addr + i) >>> 0);
      if (b === null) break;
      out += b.toString(16).padStart(2, "0");
    }
    return out === "" && len > 0 ? "E14" : out;
  }

  private writeMemory(where: string, bytes: Uint8Array): string {
    const [addr, len] = where.split(",").map((x) => parseInt(x, 16));
    if (len === 0) return "OK";
    if (bytes.length !== len) return "E01";
    const g = this.guest();
    for (let i = 0; i < len; i++) if (!g.mem.isMapped(((addr + i) >>> 0) >>> 12)) return "E14";
    this.s.edit(this.root(), (copy) => copy.mem.poke(addr >>> 0, bytes));
    return "OK";
  }

  // ---- breakpoints -------------------------------------------------------------

  private breakpoint(p: string): string {
    const [type, addrText, kindText] = p.slice(1).split(/[,;]/);
    const key = `${type},${addrText}`;
    const what = Z_KINDS[type];
    const addr = parseInt(addrText, 16) >>> 0;
    const top = this.s.machine().name;
    if (p[0] === "z") {
      const id = this.inserted.get(key);
      if (id !== undefined) this.s.breakpoints.remove(id);
      this.inserted.delete(key);
      return "OK";
    }
    if (this.inserted.has(key)) return "OK";
    const spec: BreakSpec = what === "break"
      ? this.s.breakpoints.add({ kind: "address", guest: top, eip: addr })
      : this.s.breakpoints.add({
        kind: "watch",
        access: what,
        guest: top,
        addr,
        len: parseInt(kindText, 16),
        expr: `*0x${addr.toString(16)}`,
      });
    this.inserted.set(key, spec.id);
    return "OK";
  }

  // ---- running -----------------------------------------------------------------

  private async resume(opts: ExecuteOptions): Promise<string> {
    return this.stopReply(await this.s.run(this.s.machine(), Infinity, opts));
  }

  private async step(opts: ExecuteOptions): Promise<string> {
    // gdb lifts its breakpoints to step; the session's own (a REPL's) would stop a step at once.
    return this.stopReply(await this.s.run(this.s.machine(), 1, opts, { breakpoints: false }));
  }

  private async reverseStep(opts: ExecuteOptions): Promise<string> {
    const m = this.s.machine();
    if (m.position === m.timeline.checkpoints[0].at) return this.remember(`T${hex2(SIGTRAP)}replaylog:begin;thread:${hex2(this.runningThread())};`);
    await travel(this.s, m, m.position - 1, opts, "went back to instruction");
    return this.remember(`T${hex2(SIGTRAP)}thread:${hex2(this.runningThread())};`);
  }

  private async reverseContinue(opts: ExecuteOptions): Promise<string> {
    const end = await reverseContinue(this.s, this.s.machine(), opts);
    if (!end.found) return this.remember(`T${hex2(SIGTRAP)}replaylog:begin;thread:${hex2(this.runningThread())};`);
    return this.remember(`T${hex2(SIGTRAP)}${this.reason(end.spec)}thread:${hex2(this.runningThread())};`);
  }

  /** The stop reply for how a run ended. */
  private stopReply(end: RunEnd): string {
    if (end.kind === "stop" && end.stop.status === "exited") return this.remember(`W${hex2(end.stop.exitCode! & 0xff)}`);
    if (end.kind === "stop" && end.stop.fault) {
      const kind = end.stop.fault.kind;
      const signal = kind === "page" || kind === "general-protection" ? SIGSEGV : kind === "divide" ? SIGFPE : kind === "undefined-opcode" ? SIGILL : SIGTRAP;
      return this.remember(`T${hex2(signal)}thread:${hex2(this.runningThread())};`);
    }
    if (end.kind === "interrupt") return this.remember(`T${hex2(SIGINT)}thread:${hex2(this.runningThread())};`);
    return this.remember(`T${hex2(SIGTRAP)}${end.kind === "break" ? this.reason(end.spec) : ""}thread:${hex2(this.runningThread())};`);
  }

  /** The stop reason field of a breakpoint or watchpoint stop. */
  private reason(spec: BreakSpec | undefined): string {
    if (spec?.kind === "watch") {
      const name = { write: "watch", read: "rwatch", access: "awatch" }[spec.access];
      return `${name}:${spec.addr.toString(16)};`;
    }
    if (spec?.kind === "address") return "swbreak:;";
    return "";
  }

  private remember(reply: string): string {
    this.lastReply = reply;
    return reply;
  }

  // ---- files -------------------------------------------------------------------

  /** The program's path as gdb is told it (qXfer:exec-file): the host file it was loaded from. */
  private execFile(): string {
    const program = this.s.programs.get(this.s.machine().name);
    return program ? resolve(program.path) : "";
  }

  /**
   * vFile: gdb reads the program (for its symbols) and any file of the
   * guest's tree (a dynamic program's libraries) through these; nothing
   * of the host but the program is reachable.
   */
  private vFile(op: string): string {
    const [name, args = ""] = op.split(/:(.*)/s);
    const fields = args.split(",");
    switch (name) {
      case "setfs":
        return "F0";
      case "open": {
        const path = new TextDecoder().decode(fromHex(fields[0]));
        const bytes = this.fileAt(path);
        if (!bytes) return `F-1,${ENOENT.toString(16)}`;
        const fd = this.nextFd++;
        this.files.set(fd, bytes);
        return `F${fd.toString(16)}`;
      }
      case "pread": {
        const bytes = this.files.get(parseInt(fields[0], 16));
        if (!bytes) return `F-1,${EBADF.toString(16)}`;
        const count = Math.min(parseInt(fields[1], 16), 0x3000);
        const part = bytes.subarray(parseInt(fields[2], 16), parseInt(fields[2], 16) + count);
        return `F${part.length.toString(16)};${latin1(part)}`;
      }
      case "fstat": {
        const bytes = this.files.get(parseInt(fields[0], 16));
        if (!bytes) return `F-1,${EBADF.toString(16)}`;
        return `F40;${latin1(fileioStat(bytes.length))}`;
      }
      case "close":
        return this.files.delete(parseInt(fields[0], 16)) ? "F0" : `F-1,${EBADF.toString(16)}`;
      default:
        return "";
    }
  }

  /** The program's bytes at its exec-file path, else a file of the guest's tree. */
  private fileAt(path: string): Uint8Array | undefined {
    const program = this.s.programs.get(this.s.machine().name);
    if (program && path === resolve(program.path)) return program.image;
    try {
      const node = nodeAt(this.root().tree, "fs/" + path.replace(/^\/+/, ""));
      return node.kind === "blob" ? node.bytes : undefined;
    } catch {
      return undefined;
    }
  }
}

/** A qXfer read of `text`: `m` and a part, or `l` and the last part. */
function chunk(text: string, packet: string): string {
  const [offset, length] = packet.slice(packet.lastIndexOf(":") + 1).split(",").map((x) => parseInt(x, 16));
  const part = text.slice(offset, offset + length);
  return (offset + length >= text.length ? "l" : "m") + part;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function latin1Bytes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** gdb's File-I/O `struct stat` (big-endian, 64 bytes) of a regular file of `size` bytes. */
function fileioStat(size: number): Uint8Array {
  const out = new Uint8Array(64);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, 0o100444);
  dv.setUint32(12, 1);
  dv.setBigUint64(28, BigInt(size));
  dv.setBigUint64(36, 4096n);
  dv.setBigUint64(44, BigInt(Math.ceil(size / 512)));
  return out;
}
