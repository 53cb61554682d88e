import type { Cpu } from "../../cpu/state.ts";
import type { Memory } from "../../memory/memory.ts";
import type { Linux } from "../linux.ts";

/** The context of one system call: the personality, and the calling CPU and memory. */
export interface Call {
  readonly k: Linux;
  readonly c: Cpu;
  readonly m: Memory;
}

/**
 * A system-call handler: gets the six argument registers (EBX, ECX, EDX,
 * ESI, EDI, EBP) as unsigned numbers and returns the result for EAX. It fails
 * by throwing LinuxError (or GuestFault for a bad pointer: EFAULT).
 */
export type Handler = (s: Call, a: number[]) => number;

/**
 * A system call: its name and handler, and how to print its arguments in a
 * trace: comma-separated kinds, one per argument (see trace.ts), e.g.
 * "fd,wbuf,u" for write.
 */
export interface SyscallDef {
  name: string;
  args: string;
  fn: Handler;
}

/** System calls by number. */
export type SyscallTable = Record<number, SyscallDef>;
