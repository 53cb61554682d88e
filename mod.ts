/**
 * fx86 as a library: deterministic, recursive, user-mode x86 virtual
 * machines. Build a guest from an ELF image, run it with an exact
 * instruction budget, inspect its state as a content-addressed tree.
 *
 * @example
 * import { Guest } from "./mod.ts";
 * const g = Guest.fromElf({ program: elf, argv: ["busybox", "echo", "hi"] });
 * const stop = g.run(Infinity); // { status: "exited", exitCode: 0, ... }
 */
export { VERSION } from "./version.ts";
export {
  Guest,
  type GuestOptions,
  type GuestStatus,
  isGuestTree,
  newGuestTree,
  readStatus,
  type Stop,
  type StopStatus,
} from "./core/vm/guest.ts";
export { ElfError } from "./core/elf/elf.ts";
export { FileSystem } from "./core/linux/fs/filesystem.ts";
export { GuestFault, type FaultInfo, type FaultKind } from "./core/fault.ts";
export { Engine } from "./core/cpu/engine.ts";
export { Cpu } from "./core/cpu/state.ts";
export { Memory } from "./core/memory/memory.ts";
export { disassemble } from "./core/cpu/isa/disasm.ts";
export { type Checkpoint, Timeline } from "./core/vm/timeline.ts";
export { type BreakHit, type BreakpointSpec, Breakpoints } from "./core/vm/debug.ts";
export * as tree from "./core/tree/mod.ts";
export * as store from "./core/store/mod.ts";
export * as manifest from "./core/manifest/mod.ts";
export * as session from "./core/session/mod.ts";
