/**
 * CPU faults as the signals Linux sends for them (arch/x86/kernel/traps.c,
 * fault.c): which signal, its si_code and si_addr, the trap number, error
 * code and CR2 that sigcontext records, and whether the instruction counts
 * as done (traps such as INT3 report the address after it).
 *
 * @example
 * faultSignal(cpu, new GuestFault("page", 0x10, "read from unmapped address 0x10"));
 * // { sig: SIGSEGV, info: [SEGV_MAPERR, 0x10], trap: { trapno: 14, err: 4, cr2: 0x10 }, length: 0 }
 */
import type { Cpu } from "../../cpu/state.ts";
import type { GuestFault } from "../../fault.ts";
import { SI_KERNEL, type SigInfoWords, SIGFPE, SIGILL, SIGSEGV, SIGTRAP } from "../signals.ts";
import type { TrapInfo } from "./frame.ts";

/** A fault as a signal. */
export interface FaultSignal {
  sig: number;
  info: SigInfoWords;
  trap: TrapInfo;
  /** Bytes of the instruction that completed (traps); 0 when it is to be restarted. */
  length: number;
}

const SEGV_MAPERR = 1, SEGV_ACCERR = 2, ILL_ILLOPN = 2, FPE_INTDIV = 1;
const FPE_FLTDIV = 3, FPE_FLTOVF = 4, FPE_FLTUND = 5, FPE_FLTRES = 6, FPE_FLTINV = 7;
/** Page-fault error code bits. */
const PF_PROT = 1, PF_WRITE = 2, PF_USER = 4, PF_INSTR = 0x10;

/** Linux's choice of FPE code from unmasked exception flags (x87 or MXCSR order). */
function fpeCode(flags: number): number {
  if (flags & 0x01) return FPE_FLTINV;
  if (flags & 0x04) return FPE_FLTDIV;
  if (flags & 0x08) return FPE_FLTOVF;
  if (flags & 0x12) return FPE_FLTUND;
  if (flags & 0x20) return FPE_FLTRES;
  return 0;
}

/**
 * The signal for fault `f` at `c.eip`, or undefined when it is no CPU fault (memory exhausted, deadlock).
 *
 * @example
 * faultSignal(cpu, new GuestFault("divide", 0, "DIV by zero")); // SIGFPE, FPE_INTDIV at EIP
 */
export function faultSignal(c: Cpu, f: GuestFault): FaultSignal | undefined {
  const eip = c.eip >>> 0;
  const kernel = (trapno: number, err = 0, length = 0): FaultSignal => ({
    sig: SIGSEGV,
    info: [SI_KERNEL, 0],
    trap: { trapno, err, cr2: 0 },
    length,
  });
  switch (f.kind) {
    case "page": {
      if (f.detail.startsWith("guest memory exhausted")) return undefined;
      const mapped = !/unmapped/.test(f.detail);
      const err = (mapped ? PF_PROT : 0) | PF_USER | (/^write/.test(f.detail) ? PF_WRITE : 0) |
        (/^instruction fetch/.test(f.detail) ? PF_INSTR : 0);
      return {
        sig: SIGSEGV,
        info: [mapped ? SEGV_ACCERR : SEGV_MAPERR, f.address >>> 0],
        trap: { trapno: 14, err, cr2: f.address >>> 0 },
        length: 0,
      };
    }
    case "general-protection":
    case "privileged":
      return kernel(13);
    case "undefined-opcode":
      return { sig: SIGILL, info: [ILL_ILLOPN, eip], trap: { trapno: 6, err: 0, cr2: 0 }, length: 0 };
    case "divide":
      return { sig: SIGFPE, info: [FPE_INTDIV, eip], trap: { trapno: 0, err: 0, cr2: 0 }, length: 0 };
    case "breakpoint": // INT3 (0xCC) or INT1 (0xF1): traps, reported after the instruction
      return { sig: SIGTRAP, info: [SI_KERNEL, 0], trap: { trapno: /int1|INT1/.test(f.detail) ? 1 : 3, err: 0, cr2: 0 }, length: 1 };
    case "interrupt": {
      // INT n: user code may only use the gates of vectors 3 and 4; others are #GP.
      const vector = parseInt(/INT 0x([0-9a-f]+)/.exec(f.detail)?.[1] ?? "0", 16);
      if (vector === 3) return { sig: SIGTRAP, info: [SI_KERNEL, 0], trap: { trapno: 3, err: 0, cr2: 0 }, length: 2 };
      if (vector === 4) return kernel(4, 0, 2);
      return kernel(13, (vector << 3) | 2);
    }
    case "bound":
      return /INTO/.test(f.detail) ? kernel(4, 0, 1) : kernel(5);
    case "x87": {
      const fpu = c.fpu;
      const code = fpeCode(fpu.statusWord() & ~fpu.cw & 0x3f);
      return { sig: SIGFPE, info: [code, eip], trap: { trapno: 16, err: 0, cr2: 0 }, length: 0 };
    }
    case "simd": {
      const code = fpeCode(c.mxcsr & ~(c.mxcsr >>> 7) & 0x3f);
      return { sig: SIGFPE, info: [code, eip], trap: { trapno: 19, err: 0, cr2: 0 }, length: 0 };
    }
    default:
      return undefined;
  }
}
