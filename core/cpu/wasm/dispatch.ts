/**
 * Chaining between regions without returning to the host. Every region
 * entry of an engine is in a hash table in the guest's WebAssembly.Memory
 * (WASM_DISPATCH), mapping a guest address to a region function (its slot
 * in a WebAssembly.Table) and the block to start at. A small wasm
 * dispatcher runs a region, and while the region leaves at an address the
 * table knows, runs the next one, until the budget is spent or an address
 * needs the host (no entry, or a region that cannot start there).
 */
import { type Memory, WASM_DISPATCH, WASM_DISPATCH_SIZE, WASM_SCRATCH } from "../../memory/memory.ts";
import { DF, FS, GS } from "../state.ts";
import type { BlockFn } from "../codegen/compile.ts";
import { Code, I32, MemOp, ModuleBuilder, Op } from "./encoder.ts";
import { Slot } from "./gen.ts";

/** A region's function: `run(budget, block index)` returns the instructions retired. */
export type RegionRun = (budget: number, pc: number) => number;

/**
 * Slots of the hash table: each is (address, function slot + 1, block
 * index | the instructions the block needs << PC_BITS, times entered from
 * another region).
 */
const SLOTS = WASM_DISPATCH_SIZE / 16;
const HASH_SHIFT = 32 - Math.log2(SLOTS);
/** At most this many entries, so that probes stay short. */
const CAPACITY = SLOTS / 2;
const MAX_RUN = 0x7fffffff;
/** Bits of a hash slot's third word that hold the block index; the rest hold what it needs (core/cpu/wasm/region.ts). */
const PC_BITS = 12;

function hash(addr: number): number {
  return Math.imul(addr, 0x9e3779b1) >>> HASH_SHIFT;
}

/**
 * The region entries of one engine (one guest memory): the table of region
 * functions, the hash table of entries and the dispatcher that follows
 * them.
 *
 * @example
 * const entries = new RegionEntries(mem);
 * entries.add(0x8048000, region.run, 0, region.needs[0]);
 * const fn = entries.enter(0x8048000, hostBlockFn); // a BlockFn
 */
export class RegionEntries {
  private readonly table = new WebAssembly.Table({ element: "anyfunc", initial: 16 });
  private readonly slotOf = new Map<RegionRun, number>();
  /** Entries by address: function slot and block index. */
  private readonly entries = new Map<number, { slot: number; pc: number; need: number }>();
  private readonly go: (budget: number, slot: number, pc: number) => number;
  /**
   * Whether the last entry run stopped for the budget inside a REP string
   * instruction; undefined when its region could not start and the
   * block's own function ran instead.
   */
  insideRep: boolean | undefined;

  /**
   * `hot(run, addr)` is called when the dispatcher has gone to the entry at
   * `addr` from other regions `hotAfter` times, the last from the region
   * function `run`: it stops there and returns to the host, so that the
   * engine may make that region again with the entry's blocks.
   * `windowMissed(addr)` is called when the block at `addr` left before its
   * first instruction because its stack window was not in one fast page
   * (core/cpu/wasm/stack.ts).
   */
  constructor(
    private readonly m: Memory,
    hotAfter: number,
    private readonly hot: (run: RegionRun, addr: number) => void,
    private readonly windowMissed: (addr: number) => void = () => {},
  ) {
    // An engine that ran on this memory before left its entries: they name another table.
    // A memory's table starts zero, and clearing it needlessly would touch its 1 MiB.
    if (dispatchUsed.has(m)) this.hashWords().fill(0);
    dispatchUsed.add(m);
    const instance = new WebAssembly.Instance(dispatcher(hotAfter), { m: { memory: m.toWasm(), table: this.table } });
    this.go = instance.exports.go as (budget: number, slot: number, pc: number) => number;
  }

  /**
   * Makes `addr` an entry of the region function `run`, at block `pc`,
   * which it may enter with `need` instructions of budget left or more.
   */
  add(addr: number, run: RegionRun, pc: number, need: number): void {
    if (pc >= 1 << PC_BITS || need >= 1 << (31 - PC_BITS)) throw new Error(`region entry out of range: block ${pc}, needing ${need}`);
    let slot = this.slotOf.get(run);
    if (slot === undefined) {
      slot = this.slotOf.size;
      if (slot === this.table.length) this.table.grow(this.table.length);
      this.table.set(slot, run);
      this.slotOf.set(run, slot);
    }
    this.entries.set(addr | 0, { slot, pc, need });
    if (this.entries.size <= CAPACITY) this.insert(addr | 0, slot, pc, need);
  }

  /** Keeps only the entries at addresses `keep` accepts (after code was written). */
  retain(keep: (addr: number) => boolean): void {
    for (const addr of this.entries.keys()) if (!keep(addr)) this.entries.delete(addr);
    this.hashWords().fill(0);
    let n = 0;
    for (const [addr, e] of this.entries) if (++n <= CAPACITY) this.insert(addr, e.slot, e.pc, e.need);
  }

  /**
   * A BlockFn entering the region at `addr` (added before): it runs whole
   * blocks, region after region, while they fit in `left`, and returns the
   * instructions retired, EIP on the next. When the region leaves before
   * retiring anything (the first access needs the host), `host` (the
   * block's own function) runs instead.
   */
  enter(addr: number, host: BlockFn): BlockFn {
    const m = this.m, go = this.go, entries = this.entries;
    return (c, r, _m, left) => {
      // Looked up when run: a region made again moves its entries (core/cpu/engine.ts, reform).
      const { slot, pc, need } = entries.get(addr | 0)!;
      if (left < need) {
        this.insideRep = undefined;
        return host(c, r, m, left);
      }
      const s = m.scratch;
      s.set(r);
      s[Slot.FR] = c.fr, s[Slot.FA] = c.fa, s[Slot.FSZ] = c.fsz, s[Slot.FL] = c.fl;
      s[Slot.FSBASE] = c.segBase[FS], s[Slot.GSBASE] = c.segBase[GS];
      s[Slot.DIR] = c.ef & DF ? -1 : 1;
      const done = go(left > MAX_RUN ? MAX_RUN : left, slot, pc);
      // Read again: the region may have grown the memory, which replaces the scratch view.
      const t = m.scratch;
      if (t[Slot.STACK] !== 0) {
        t[Slot.STACK] = 0;
        this.windowMissed(t[Slot.EIP]);
      }
      if (done === 0) {
        this.insideRep = undefined;
        return host(c, r, m, left);
      }
      this.insideRep = t[Slot.REP] !== 0;
      t[Slot.REP] = 0;
      for (let k = 0; k < 8; k++) r[k] = t[k];
      c.fr = t[Slot.FR], c.fa = t[Slot.FA], c.fsz = t[Slot.FSZ], c.fl = t[Slot.FL];
      c.eip = t[Slot.EIP];
      c.ef = t[Slot.DIR] < 0 ? c.ef | DF : c.ef & ~DF;
      c.icount += done;
      if (t[Slot.HOT] !== 0) {
        const from = t[Slot.HOT] - 1;
        t[Slot.HOT] = 0;
        this.hot(this.table.get(from) as RegionRun, c.eip);
      }
      return done;
    };
  }

  private hashWords(): Int32Array {
    return new Int32Array(this.m.toWasm().buffer, WASM_DISPATCH, SLOTS * 4);
  }

  private insert(addr: number, slot: number, pc: number, need: number): void {
    const words = this.hashWords();
    for (let h = hash(addr); ; h = (h + 1) & (SLOTS - 1)) {
      const w = h * 4;
      if (words[w + 1] === 0 || words[w] === addr) {
        words[w] = addr, words[w + 1] = slot + 1, words[w + 2] = pc | need << PC_BITS;
        return;
      }
    }
  }
}

/** Memories whose dispatch table an engine has written. */
const dispatchUsed = new WeakSet<Memory>();

/** Dispatcher modules by the number of arrivals that make an entry hot. */
const compiled = new Map<number, WebAssembly.Module>();

/**
 * `go(budget, slot, pc)`: runs the region function in `slot` from block
 * `pc`, then while it left at an address with an entry and budget
 * remains, the entry's region; returns the instructions retired (0 if the
 * first region could not start). The `hotAfter`-th arrival at an entry
 * from another region returns with the slot of the region it left + 1 in
 * the scratch frame's HOT word.
 */
function dispatcher(hotAfter: number): WebAssembly.Module {
  const cached = compiled.get(hotAfter);
  if (cached) return cached;
  const mb = new ModuleBuilder();
  mb.importMemory("m", "memory", Math.ceil((WASM_SCRATCH + 4096) / 65536));
  mb.importTable("m", "table", 1);
  const run = mb.type([I32, I32], [I32]);
  // locals: 0 budget, 1 slot, 2 pc, 3 done, 4 retired, 5 eip, 6 h, 7 entry, 8 the slot of the region run last
  const [BUDGET, SLOT, PC, DONE, RETIRED, EIP, H, ENTRY, PREV] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const code = new Code();
  code.block(); // $out
  code.loop(); // $next
  code.localGet(SLOT).localSet(PREV);
  code.localGet(BUDGET).localGet(DONE).op(Op.i32_sub).localGet(PC).localGet(SLOT).callIndirect(run).localTee(RETIRED)
    .op(Op.i32_eqz).brIf(1);
  code.localGet(DONE).localGet(RETIRED).op(Op.i32_add).localTee(DONE).localGet(BUDGET).op(Op.i32_ge_u).brIf(1);
  // Look up the address the region left at.
  code.i32Const(WASM_SCRATCH + 4 * Slot.EIP).mem(MemOp.i32_load, 0, 2).localTee(EIP)
    .i32Const(0x9e3779b1 | 0).op(Op.i32_mul).i32Const(HASH_SHIFT).op(Op.i32_shr_u).localSet(H);
  code.loop(); // $probe
  code.localGet(H).i32Const(4).op(Op.i32_shl).i32Const(WASM_DISPATCH).op(Op.i32_add).localTee(ENTRY)
    .mem(MemOp.i32_load, 4, 2).localTee(SLOT).op(Op.i32_eqz).brIf(2);
  code.localGet(ENTRY).mem(MemOp.i32_load, 0, 2).localGet(EIP).op(Op.i32_ne).if()
    .localGet(H).i32Const(1).op(Op.i32_add).i32Const(SLOTS - 1).op(Op.i32_and).localSet(H).br(1)
    .op(Op.end);
  code.op(Op.end); // $probe
  // Count the entry's arrivals from other regions; at the hotAfter-th, stop here and name the region left.
  code.localGet(ENTRY).localGet(ENTRY).mem(MemOp.i32_load, 12, 2).i32Const(1).op(Op.i32_add).localTee(H)
    .mem(MemOp.i32_store, 12, 2);
  code.localGet(H).i32Const(hotAfter).op(Op.i32_eq).if()
    .i32Const(WASM_SCRATCH + 4 * Slot.HOT).localGet(PREV).i32Const(1).op(Op.i32_add).mem(MemOp.i32_store, 0, 2)
    .br(2)
    .op(Op.end);
  // Stop here unless the budget left holds what the block needs.
  code.localGet(ENTRY).mem(MemOp.i32_load, 8, 2).localTee(PC).i32Const(PC_BITS).op(Op.i32_shr_u)
    .localGet(BUDGET).localGet(DONE).op(Op.i32_sub).op(Op.i32_gt_u).brIf(1);
  code.localGet(SLOT).i32Const(1).op(Op.i32_sub).localSet(SLOT);
  code.localGet(PC).i32Const((1 << PC_BITS) - 1).op(Op.i32_and).localSet(PC);
  code.br(0);
  code.op(Op.end); // $next
  code.op(Op.end); // $out
  code.localGet(DONE);
  mb.func(mb.type([I32, I32, I32], [I32]), 6, code, "go");
  const module = new WebAssembly.Module(mb.build());
  compiled.set(hotAfter, module);
  return module;
}
