/**
 * An Fx86 instruction (0F 0A ib, docs/abi.md) asks the host to act before
 * it retires. Generated code throws this; the engine stops with EIP on the
 * instruction and `Cpu.trap = TRAP_FX86 + fn`, and the guest's run loop
 * performs the operation and retires the instruction (or, for an
 * interrupted RUN, leaves it to be re-executed).
 */
export class Fx86Call {
  constructor(readonly fn: number) {}
}

/** `Cpu.trap` base for Fx86 instructions: TRAP_FX86 + fn. */
export const TRAP_FX86 = 0x100;

/** Length of an Fx86 instruction without prefixes: 0F 0A ib. */
export const FX86_LENGTH = 3;
