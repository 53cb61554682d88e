/**
 * Why a guest stopped abnormally. Faults never escape as host exceptions from
 * `Guest.run`: the engine catches them and records them as the guest's stop.
 */
export type FaultKind =
  | "page" // access to unmapped memory or against page permissions
  | "undefined-opcode" // an opcode fx86 does not define (#UD)
  | "privileged" // an instruction user code may not run here (IN/OUT, HLT, CLI, ...)
  | "divide" // #DE: division by zero or quotient overflow
  | "breakpoint" // INT3 / INT1
  | "interrupt" // INT n other than the Linux system-call gate
  | "bound" // BOUND range exceeded / INTO with OF set
  | "x87" // unmasked x87 exception
  | "simd" // unmasked SSE floating-point exception (#XM)
  | "general-protection" // e.g. loading a segment selector that is not valid
  | "deadlock"; // a system call that waits for something that can never happen

/**
 * A guest-visible fault. Thrown inside the engine, caught by the run loop.
 *
 * @example
 * throw new GuestFault("page", 0x1000, "write to a read-only page");
 */
export class GuestFault extends Error {
  constructor(
    readonly kind: FaultKind,
    /** The faulting linear address for page faults; otherwise 0. */
    readonly address: number,
    readonly detail: string,
  ) {
    super(`${kind} fault: ${detail}`);
  }
}

/** What the run loop reports about a fault (`eip` is the faulting instruction). */
export interface FaultInfo {
  kind: FaultKind;
  eip: number;
  address: number;
  detail: string;
}
