/** What running a case left behind, on either side. */
export interface Outcome {
  /** "ok" when the case reached its dump; otherwise the fault. */
  fault: "ok" | string;
  /** The exception vector (0 #DE, 5 #BR, 6 #UD, 13 #GP, 14 #PF...), where the reference reports it (qemu-i386 does not). */
  trapno?: number;
  /** Page-fault address. */
  addr: number;
  /** EIP at the fault (0 when the case completed). */
  eip: number;
  /** 1 = fell through, 2 = branched to the case's target. */
  path: number;
  /** EAX..EDI. */
  regs: number[];
  eflags: number;
  /** ES CS SS DS FS GS. */
  sregs: number[];
  /** Bytes of the data pages that changed: offset -> new value. */
  diff: Map<number, number>;
}

/** Native exception vectors and the fx86 fault kinds they correspond to. */
export const VECTOR_KINDS: Record<number, string[]> = {
  0: ["divide"],
  1: ["breakpoint"],
  3: ["breakpoint"],
  4: ["bound"], // INTO
  5: ["bound"],
  6: ["undefined-opcode"],
  13: ["general-protection", "privileged", "interrupt"],
  14: ["page"],
};
