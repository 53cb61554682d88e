/**
 * The signal Linux raises for a CPU fault. A fault in a process other than
 * the guest's first kills that process with it (its default action); a
 * fault in the first process stops the guest, as it always has.
 */
import type { FaultKind } from "../../fault.ts";

const SIGILL = 4, SIGTRAP = 5, SIGBUS = 7, SIGFPE = 8, SIGSEGV = 11;

/**
 * The signal for a fault kind.
 *
 * @example
 * faultSignal("divide"); // 8 (SIGFPE)
 */
export function faultSignal(kind: FaultKind): number {
  switch (kind) {
    case "undefined-opcode":
    case "privileged":
      return SIGILL;
    case "divide":
    case "x87":
    case "simd":
      return SIGFPE;
    case "breakpoint":
      return SIGTRAP;
    case "bound":
      return SIGBUS;
    default:
      return SIGSEGV;
  }
}
