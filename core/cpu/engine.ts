import { GuestFault } from "../fault.ts";
import { type Memory, PAGE_COUNT, PAGE_SHIFT } from "../memory/memory.ts";
import { blockEnd, branchTarget, decodeBlock, isRepString } from "./blocks.ts";
import { type BlockFn, compileBlock } from "./codegen/compile.ts";
import { templateBlock } from "./codegen/template.ts";
import { compileWasmRegion, type RegionHost, translatable, type WasmRegion } from "./wasm/region.ts";
import { hostCall } from "./wasm/host.ts";
import { RegionEntries, type RegionRun } from "./wasm/dispatch.ts";
import { x87Host } from "./wasm/x87.ts";
import type { Instr } from "./isa/instr.ts";
import type { Cpu } from "./state.ts";
import { Fx86Call, TRAP_FX86 } from "./trap.ts";

/** Longest run of instructions compiled into one block. */
const MAX_BLOCK = 64;
/** Runs of a block, in the template tier, after which it is compiled. */
const WARM = 16;
/** Runs after which a block becomes the entry of a WebAssembly region. */
const HOT = 32;
/** Instructions a guest runs before its hot blocks become regions. */
const REGIONS_AFTER = 50_000;
/** Size limits of a new region. */
const MAX_REGION_BLOCKS = 64;
const MAX_REGION_INSTRS = 200;
/** Instructions of blocks that other regions already hold which a new region may compile again. */
const MAX_SHARED_INSTRS = 48;
/**
 * Arrivals at a region entry from other regions after which the region
 * that left for it is made again with it, if one of its branches leads
 * there (see Engine.reform): compiling ~300 instructions again costs about
 * what a million arrivals through the dispatcher cost (docs/engine.md).
 */
const REFORM_AFTER = 1 << 20;
/** How many times a region is made again at most. */
const MAX_REFORMS = 4;
/** Leaves for a block's stack window after which its regions are made again without it (Engine.windowMissed). */
const WINDOW_MISSES = 32;
const PAGE_NUMBER_MASK = PAGE_COUNT - 1;

/** What the engine keeps of a region to make it again. */
interface RegionInfo {
  region: WasmRegion;
  blocks: Instr[][];
  /** How many times it was made again. */
  reforms: number;
  /** Its entries, which move to the region that replaces it. */
  entries: Block[];
}

/**
 * How the engine executes blocks. `tiered` (the default) runs a block
 * through instruction templates (core/cpu/codegen/template.ts), and once
 * the guest has run REGIONS_AFTER instructions makes a block that has run
 * HOT times an entry of a WebAssembly region (core/cpu/wasm); a block that
 * cannot be an entry (its first instruction is not translated, or another
 * thread's engine has the regions) is compiled after WARM runs instead;
 * `templates` and `compiled` keep
 * a block in one tier; `regions` makes every block a region entry the
 * first time it runs and makes a region again as soon as it has left twice
 * for the same entry that one of its branches leads to (see
 * Engine.reform); `single` runs one instruction at a time. All stop at
 * the same place with the same count and state: one conformance suite
 * runs each.
 */
export type Backend = "tiered" | "templates" | "compiled" | "single" | "regions";

interface Block {
  fn: BlockFn;
  /** Instructions in the block (a REP block may retire more or fewer). */
  n: number;
  /** Cached successor blocks, tried before the block map. */
  next1?: Block;
  next2?: Block;
  addr: number;
  /** Address of the last instruction (the one that set a trap, if any). */
  last: number;
  /** The block starts at a breakpoint address. */
  brk: boolean;
  /** The block is one REP string instruction. */
  rep: boolean;
  /** The block's function enters a WebAssembly region. */
  entry?: boolean;
  /** Times run, counted up to WARM, when a tiered block is compiled, and HOT, when it may become a region. */
  hits: number;
  instrs: Instr[];
}

/** How an engine run ended. */
export interface EngineStop {
  /** Instructions retired during this run. */
  retired: number;
  /** The fault that stopped the CPU, if any (EIP points at the faulting instruction). */
  fault?: GuestFault;
  /** Stopped before an address breakpoint (`setBreaks`); EIP is on it. */
  atBreak?: boolean;
  /** When a trap stopped the run: the address of the instruction that raised it. */
  trapEip?: number;
  /** The budget ran out inside a REP string instruction (EIP on it, iterations left). */
  insideRep?: boolean;
}

/**
 * Executes guest code with exact instruction counts. Basic blocks run
 * through instruction templates or as compiled JavaScript functions (see
 * {@link Backend}), both generated from the opcode table's emitters;
 * single instructions run when fewer instructions remain in the budget
 * than a block holds, or always with `backend = "single"`. Every backend
 * stops at the same place with the same count; tests compare them.
 *
 * @example
 * const e = new Engine(cpu, mem);
 * const { retired } = e.run(1000); // stops early on a trap (cpu.trap) or fault
 */
export class Engine {
  private readonly blocks = new Map<number, Block>();
  private readonly singles = new Map<number, Block>();
  private readonly pageBlocks = new Map<number, number[]>();
  /** Compiled regions by the addresses of the blocks they hold (any may become an entry). */
  private readonly regions = new Map<number, WasmRegion>();
  /** What makes each region again, by its function (the dispatcher names the region it left so). */
  private readonly regionInfo = new Map<RegionRun, RegionInfo>();
  /** How many regions were made again with a block they left for (tests read it). */
  reformed = 0;
  /** How many blocks gave up their stack windows (Engine.windowMissed). */
  get windowless(): number {
    return this.noWindow.size;
  }
  /** Stack-window misses by block address, and the blocks that gave up their windows (Engine.windowMissed). */
  private readonly windowMisses = new Map<number, number>();
  private readonly noWindow = new Set<number>();
  /** The region entries, once a block has become one. */
  private entries?: RegionEntries;
  /** What regions call on the host: the x87 unit and instructions they do not translate. */
  private host?: RegionHost;
  /** Pages whose translations were dropped because code was written, counted (host calls watch it). */
  private codeWrites = 0;
  /** Which backend runs (see {@link Backend}); tests choose one, users get the default. */
  backend: Backend = "tiered";
  /**
   * The instructions that are blocks of their own: REP string instructions,
   * and with WebAssembly regions also every instruction they leave for.
   */
  private get alone(): (i: Instr) => boolean {
    return this.backend === "tiered" || this.backend === "regions" ? isolated : isRepString;
  }
  /** Addresses to stop before (address breakpoints): blocks end before them. */
  private breaks: ReadonlySet<number> | undefined;

  constructor(readonly cpu: Cpu, readonly mem: Memory) {
    mem.onCodeWrite = (page) => this.invalidatePage(page);
  }

  /**
   * Runs at most `budget` instructions. Stops early when an instruction
   * raises a trap (`cpu.trap`, e.g. a system call: served by the caller)
   * or a fault, or when the CPU is halted, or before an address set with
   * `setBreaks` (but not before the first instruction: the caller decides
   * about that one).
   */
  run(budget: number): EngineStop {
    const c = this.cpu, r = c.r, m = this.mem;
    const start = c.icount;
    const breaks = this.breaks !== undefined;
    let left = budget;
    let prev: Block | undefined;
    try {
      while (left > 0 && c.trap === 0 && !c.halted) {
        const eip = c.eip;
        let b: Block | undefined;
        if (prev !== undefined) {
          b = prev.next1?.addr === eip ? prev.next1 : prev.next2?.addr === eip
            ? prev.next2
            : undefined;
        }
        if (b === undefined || b.n > left || this.backend === "single") {
          // Before decoding: a breakpoint may sit where decoding faults.
          if (breaks && prev !== undefined && this.breaks!.has(eip)) return { retired: c.icount - start, atBreak: true };
          b = this.lookup(eip, left);
          if (prev !== undefined && b.n > 1) {
            if (prev.next1 === undefined) prev.next1 = b;
            else prev.next2 = b;
          }
        } else if (breaks && b.brk) return { retired: c.icount - start, atBreak: true };
        if (b.hits < HOT) this.count(b);
        left -= b.fn(c, r, m, left);
        prev = b;
      }
    } catch (e) {
      // A faulting block has charged the instructions it retired before the fault.
      if (e instanceof GuestFault) return { retired: c.icount - start, fault: e };
      if (e instanceof Fx86Call) {
        c.trap = TRAP_FX86 + e.fn;
        return { retired: c.icount - start };
      }
      throw e;
    }
    if (c.trap !== 0) return { retired: c.icount - start, trapEip: prev?.last };
    const regionRep = prev?.entry ? this.entries!.insideRep : undefined;
    if (regionRep ?? (prev?.rep && c.eip === prev.addr)) {
      return { retired: c.icount - start, insideRep: true };
    }
    return { retired: c.icount - start };
  }

  /**
   * Sets the addresses `run` stops before (undefined or empty: none).
   * Compiled blocks are dropped when the set changes, so that every
   * breakpoint starts a block and costs nothing where none is set.
   */
  setBreaks(addresses: ReadonlySet<number> | undefined): void {
    const next = addresses !== undefined && addresses.size > 0 ? new Set(addresses) : undefined;
    const old = this.breaks;
    if (next?.size === old?.size && (next === undefined || [...next].every((a) => old!.has(a)))) return;
    this.breaks = next;
    for (const page of this.pageBlocks.keys()) this.mem.unmarkCode(page);
    this.pageBlocks.clear();
    this.regions.clear();
    this.regionInfo.clear();
    this.entries?.retain(() => false);
    this.blocks.clear();
    this.singles.clear();
  }

  private lookup(eip: number, left: number): Block {
    if (this.backend !== "single") {
      const b = this.blocks.get(eip);
      if (b !== undefined && b.n <= left) return b;
      if (b === undefined && left > 1) {
        const built = this.build(eip, MAX_BLOCK);
        this.blocks.set(eip, built);
        if (built.n <= left) return built;
      }
    }
    let s = this.singles.get(eip);
    if (s === undefined) {
      s = this.build(eip, 1);
      this.singles.set(eip, s);
    }
    return s;
  }

  private build(eip: number, max: number): Block {
    const instrs = decodeBlock((a) => this.mem.fetch8(a), eip, max, this.breaks && ((a) => this.breaks!.has(a)), this.alone);
    this.registerCode(eip, instrs);
    const rep = isRepString(instrs[0]);
    const compiled = this.backend === "compiled" && max > 1;
    return { fn: compiled ? compileBlock(instrs) : templateBlock(instrs), n: instrs.length, addr: eip,
      last: instrs[instrs.length - 1].addr, brk: this.breaks?.has(eip) === true, rep,
      hits: compiled || max === 1 ? WARM : 0, instrs };
  }

  /** Counts a run of a block and moves it to the next tier when it is due. */
  private count(b: Block): void {
    const hits = ++b.hits;
    const backend = this.backend;
    if (backend === "regions") {
      if (hits === 1 && this.blocks.get(b.addr) === b) this.promote(b);
      return;
    }
    // A block that can become a region entry stays a template until it does: compiling it as
    // JavaScript first costs a parse and an optimising compilation (tens of milliseconds for
    // md5sum's large blocks) that it rarely earns back before regions start, and a short guest
    // runs at most REGIONS_AFTER instructions as templates. Regions are for guests that run
    // long: a short one never pays for a wasm memory.
    const regions = backend === "tiered" && translatable(b.instrs[0]) && this.ownsRegions();
    if (hits === WARM && backend !== "templates" && !regions) b.fn = compileBlock(b.instrs);
    else if (hits === HOT && regions && this.blocks.get(b.addr) === b) {
      if (this.cpu.icount >= REGIONS_AFTER) this.promote(b);
      // Counted again from the start: should another thread's engine take the regions meanwhile, it is compiled at WARM.
      else b.hits = 0;
    }
  }

  /**
   * Makes a hot block an entry of a WebAssembly region: of one compiled
   * before that holds it, else of a new one made of the blocks that have
   * run and are reachable from it through branches with known targets, up
   * to a size. A block may be in several regions, up to MAX_SHARED_INSTRS
   * instructions of them in a new one: a loop that calls a small function
   * shared with other loops stays in one region, and large shared code is
   * not compiled again for every entry that reaches it (docs/engine.md,
   * "Multi-entry regions"). A region leaves before any instruction it does
   * not translate; a block starting with one cannot be an entry.
   */
  private promote(entry: Block): void {
    // A breakpoint's block stays out, compiled: regions chain into entries without the engine looking.
    if (entry.brk || !translatable(entry.instrs[0])) {
      entry.fn = compileBlock(entry.instrs);
      return;
    }
    // One CPU's engine per memory has regions (Memory.regionsOwner); another thread's compiles blocks.
    this.mem.regionsOwner ??= this.cpu;
    if (!this.ownsRegions()) {
      entry.fn = compileBlock(entry.instrs);
      return;
    }
    this.host ??= {
      x87: x87Host(this.cpu, this.mem),
      calls: (instrs) => hostCall(this.cpu, this.mem, instrs, () => this.codeWrites),
    };
    this.entries ??= new RegionEntries(
      this.mem,
      this.backend === "regions" ? 2 : REFORM_AFTER,
      (run, addr) => this.hotExit(run, addr),
      (addr) => this.windowMissed(addr),
    );
    const region = this.regions.get(entry.addr) ??
      this.newRegion(this.regionBlocks(entry.instrs, new Set(), MAX_SHARED_INSTRS), 0);
    this.addEntry(region, entry);
  }

  /** Makes a block an entry of a region that holds it. */
  private addEntry(region: WasmRegion, entry: Block): void {
    // Writing any page of the region drops the entry.
    for (const page of region.pages) this.registerPage(page, entry.addr);
    const pc = region.index.get(entry.addr)!;
    this.entries!.add(entry.addr, region.run, pc, region.needs[pc]);
    this.regionInfo.get(region.run)!.entries.push(entry);
    if (!entry.entry) entry.fn = this.entries!.enter(entry.addr, entry.fn);
    entry.entry = true;
  }

  /** Compiles a region; its blocks become its entries when they get hot, unless another region holds them. */
  private newRegion(blocks: Instr[][], reforms: number): WasmRegion {
    const region = compileWasmRegion(blocks, this.mem, this.host!, this.noWindow);
    this.regionInfo.set(region.run, { region, blocks, reforms, entries: [] });
    for (const a of region.index.keys()) if (!this.regions.has(a)) this.regions.set(a, region);
    return region;
  }

  /**
   * The dispatcher has gone from the region whose function is `run` to the
   * entry at `addr` many times (RegionEntries' `hotAfter`): if a branch of
   * that region leads there, it is made again with that entry's blocks.
   */
  private hotExit(run: RegionRun, addr: number): void {
    const info = this.regionInfo.get(run);
    const target = this.blocks.get(addr);
    if (info === undefined || info.reforms >= MAX_REFORMS || target === undefined || info.region.index.has(addr)) return;
    if (!info.blocks.some((b) => staticSuccessors(b).includes(addr))) return;
    this.reform(info, target);
  }

  /**
   * Makes a region again with a block it leaves for and the blocks that one
   * reaches (as a new region takes them), and moves its entries to the new
   * region. A region takes the blocks that have run when its entry gets
   * hot; a path of its loop taken only later (gzip's deflate loop, after
   * the first 32 KiB of input) would otherwise leave it for another region
   * and come back on every iteration.
   */
  private reform(info: RegionInfo, entry: Block): void {
    // The blocks that path reaches are mostly those of the region made from its entry: take them, shared or not.
    const added = this.regionBlocks(entry.instrs, new Set(info.blocks.map((b) => b[0].addr)), Infinity);
    this.remake(info, [...info.blocks, ...added], info.reforms + 1);
    this.reformed++;
  }

  /** Replaces a region with one of `blocks`, moving its entries there. */
  private remake(info: RegionInfo, blocks: Instr[][], reforms: number): void {
    const old = info.region;
    const region = this.newRegion(blocks, reforms);
    for (const a of region.index.keys()) if (this.regions.get(a) === old) this.regions.set(a, region);
    for (const e of info.entries) if (this.blocks.get(e.addr) === e) this.addEntry(region, e);
    this.regionInfo.delete(old.run);
  }

  /**
   * The block at `addr` left its region because its stack window was not
   * in one fast page (core/cpu/wasm/stack.ts): a new stack page, or ESP
   * putting the window across a page boundary. At WINDOW_MISSES such
   * leaves the regions holding it are made again with the block checking
   * each stack access instead, so that a loop whose frame straddles a page
   * boundary does not leave on every iteration; so are those of their
   * blocks that have missed a quarter as often (in a loop over a
   * straddling frame, they all miss on every iteration).
   */
  private windowMissed(addr: number): void {
    const misses = (this.windowMisses.get(addr) ?? 0) + 1;
    this.windowMisses.set(addr, misses);
    if (misses !== WINDOW_MISSES) return;
    for (const info of [...this.regionInfo.values()]) {
      if (!info.region.index.has(addr)) continue;
      // Its blocks that keep missing too most likely share the frame: one remake for all of them.
      for (const b of info.blocks) {
        if ((this.windowMisses.get(b[0].addr) ?? 0) >= WINDOW_MISSES / 4) this.noWindow.add(b[0].addr);
      }
      this.remake(info, info.blocks, info.reforms);
    }
    this.noWindow.add(addr);
  }

  /** Whether this engine may make regions: no other CPU's engine on the memory has (threads). */
  private ownsRegions(): boolean {
    const owner = this.mem.regionsOwner;
    return owner === undefined || owner === this.cpu;
  }

  /**
   * Blocks for a region (see promote): `first` and the blocks it reaches
   * that have run, leaving out those in `seen` (a region made again has
   * them), with at most `maxShared` instructions of blocks other regions hold.
   */
  private regionBlocks(first: Instr[], seen: Set<number>, maxShared: number): Instr[][] {
    const stopBefore = this.breaks && ((a: number) => this.breaks!.has(a));
    const blocks: Instr[][] = [first];
    seen.add(first[0].addr);
    const queue = staticSuccessors(first);
    let size = first.length;
    let shared = 0;
    while (queue.length > 0 && blocks.length < MAX_REGION_BLOCKS && size < MAX_REGION_INSTRS) {
      const addr = queue.shift()!;
      if (seen.has(addr)) continue;
      seen.add(addr);
      // A block that has run is already decoded as a region needs it (up to MAX_BLOCK
      // instructions, stopping before breakpoints), and is current: writing its code drops it.
      const known = this.blocks.get(addr);
      if (stopBefore?.(addr) || known === undefined || !(known.hits > 0)) continue;
      const instrs = known.instrs;
      if (this.regions.has(addr)) {
        if (shared + instrs.length > maxShared) continue;
        shared += instrs.length;
      }
      blocks.push(instrs);
      size += instrs.length;
      queue.push(...staticSuccessors(instrs));
    }
    return blocks;
  }

  /** Notes the pages a block (keyed by its address) was built from. */
  private registerCode(key: number, instrs: readonly Instr[]): void {
    const first = (instrs[0].addr >>> 0) >>> PAGE_SHIFT;
    const last = ((blockEnd(instrs) - 1) >>> 0) >>> PAGE_SHIFT;
    // The last page may be page 0 again: a block can end at the top of the address space.
    for (let pn = first; ; pn = (pn + 1) & PAGE_NUMBER_MASK) {
      this.registerPage(pn, key);
      if (pn === last) break;
    }
  }

  /** Notes that the block keyed `key` depends on page `pn`'s code. */
  private registerPage(pn: number, key: number): void {
    this.mem.markCode(pn);
    const list = this.pageBlocks.get(pn);
    if (list) list.push(key);
    else this.pageBlocks.set(pn, [key]);
  }

  /** Drops every compiled block built from a page (its code was written). */
  invalidatePage(page: number): void {
    this.codeWrites++;
    const list = this.pageBlocks.get(page);
    if (list) {
      for (const a of list) {
        this.blocks.delete(a);
        this.singles.delete(a);
      }
      this.pageBlocks.delete(page);
    }
    for (const [a, region] of this.regions) {
      if (region.pages.includes(page)) this.regions.delete(a), this.regionInfo.delete(region.run);
    }
    this.entries?.retain((a) => this.blocks.has(a));
    // Cached successor links may point at dropped blocks: forget them all.
    for (const b of this.blocks.values()) b.next1 = b.next2 = undefined;
    this.mem.unmarkCode(page);
  }
}


/** A REP string instruction, or one that regions do not translate. */
function isolated(i: Instr): boolean {
  return isRepString(i) || !translatable(i);
}

/**
 * Where control can go after a block, when the code says so: the
 * fall-through of a block cut short, a relative branch's target (and
 * fall-through unless it is JMP), a call's target and return address.
 * Returns and indirect jumps give none.
 */
function staticSuccessors(instrs: readonly Instr[]): number[] {
  const last = instrs[instrs.length - 1];
  const next = blockEnd(instrs);
  if (last.def.flow === "next") return [next];
  const target = branchTarget(instrs);
  // A call's return address is where its RET will most likely go.
  if (last.def.mnemonic === "call") return target !== undefined ? [target, next] : [next];
  if (target === undefined) return [];
  return last.def.mnemonic === "jmp" ? [target] : [target, next];
}
