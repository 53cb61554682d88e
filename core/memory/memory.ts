import { GuestFault } from "../fault.ts";

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PAGE_MASK = PAGE_SIZE - 1;
/** Number of 4 KiB pages in the 32-bit address space. */
export const PAGE_COUNT = 1 << (32 - PAGE_SHIFT);

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;
/** Internal bit: the page is mapped (possibly with PROT_NONE). */
const MAPPED = 8;
/** Pages per chunk of Memory.touchedChunks (4 MiB). */
const CHUNK_SHIFT = 10, CHUNK_PAGES = 1 << CHUNK_SHIFT;

/**
 * The frame every fresh mapping reads until its first write; never written.
 * Frame 0 belongs to no page (the scratch frame of compiled regions).
 */
const ZERO_FRAME = 1;
/**
 * The bit that marks an entry of the page tables `ri`/`wi` as a fast-path
 * page: an entry is `PAGE_VALID | frame << PAGE_SHIFT` (negative as an
 * int32), or 0 for "slow path". Compiled code ORs the offset within the
 * page into the entry, so that one signed comparison of the result masked
 * with `PAGE_VALID | PAGE_MASK` checks both that the page is there and
 * that the access does not cross its end (core/cpu/wasm/gen.ts).
 */
export const PAGE_VALID = 1 << 31;
/** What an entry of `ri`/`wi` masked with this is: its frame's byte offset in the pool. */
export const FRAME_BYTES = ~PAGE_VALID;
/** Frames a new memory starts with: sub-guests create memories often, so this stays small. */
const INITIAL_FRAMES = 16;
/** 2 GiB: `(frame << 12) | offset` must stay a non-negative int32 in generated code. */
const MAX_FRAMES = 1 << 19;

/**
 * Byte offsets in a memory moved into WebAssembly (Memory.toWasm): the
 * read page table, the write page table, the engine's table of region
 * entries (WASM_DISPATCH, WASM_DISPATCH_SIZE bytes: core/cpu/wasm/dispatch.ts),
 * then the frame pool. Frame 0 of the pool belongs to no page: compiled
 * regions exchange the guest registers with the host there (WASM_SCRATCH).
 */
export const WASM_RI = 0;
export const WASM_WI = PAGE_COUNT * 4;
export const WASM_DISPATCH = 2 * PAGE_COUNT * 4;
export const WASM_DISPATCH_SIZE = 1 << 20;
export const WASM_POOL = WASM_DISPATCH + WASM_DISPATCH_SIZE;
export const WASM_SCRATCH = WASM_POOL;
const WASM_PAGE = 65536;

// The pool's typed arrays read in host byte order; the guest's is little-endian.
if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error("fx86 needs a little-endian host: guest memory is read through typed arrays in host byte order");
}

/**
 * Where the contents of a lazy page come from: its bytes (exactly one page,
 * copied into the memory), or undefined for a zero-filled page. Throws a
 * GuestFault if the page cannot be had; the access that needed it faults.
 */
export type PageSource = (page: number) => Uint8Array | undefined;

/** What changed since the last {@link Memory.takeChanges}. */
export interface MemoryChanges {
  /** Pages whose contents were replaced, written, mapped or unmapped, ascending. */
  pages: number[];
  /** True if any mapping or protection changed. */
  layout: boolean;
}

/**
 * A guest's 32-bit address space: 4 KiB pages, each with its own protection.
 *
 * Page contents live in one pool buffer of 4 KiB frames (frame f at byte
 * f * 4096), so generated code reads a 32-bit value with one typed-array
 * load. Every frame belongs to this memory alone: contents from outside are
 * copied in and {@link Memory.pageData} copies out. Fresh mappings share
 * one zero frame until their first write. The pool doubles when it is full
 * (up to 2 GiB), replacing `h8`, `h32` and `dv`, so users must not keep
 * those across calls that may write memory. The memory lists the pages
 * whose contents changed since the last {@link Memory.takeChanges}, so a
 * snapshot costs what changed, not the size of the guest.
 *
 * A memory restored from a snapshot can be *lazy*: its pages are mapped but
 * their contents are fetched from a {@link PageSource} on first access, so
 * restoring a 1 GiB guest costs what it touches.
 *
 * Hot accessors (`r8`..`w32`) look pages up in two flat tables: `ri` for
 * readable pages, `wi` for pages that may be written in place (writable,
 * holding a frame of their own, already counted as changed and holding no
 * translated code). Everything else takes a slow path that faults,
 * allocates a frame, records the change or invalidates code as needed.
 *
 * @example
 * const m = new Memory();
 * m.map(0x1000, 0x2000, PROT_READ | PROT_WRITE);
 * m.w32(0x1ffe, 0x11223344); // crosses a page boundary
 * m.r32(0x1ffe) === 0x11223344;
 */
export class Memory {
  private readonly prot = new Uint8Array(PAGE_COUNT);
  /**
   * Per run of CHUNK_PAGES pages, 1 if a page of it was ever mapped: what
   * mappedPages visits (a snapshot of a small guest otherwise walks the
   * whole protection table).
   */
  private readonly touchedChunks = new Uint8Array(PAGE_COUNT / CHUNK_PAGES);
  /** 1 while a mapped page is not written since the last takeChanges (not in `changed`). */
  private readonly clean = new Uint8Array(PAGE_COUNT);
  private readonly code = new Uint8Array(PAGE_COUNT);
  /**
   * The fast path's page tables: for each page number, PAGE_VALID and the
   * byte offset of its frame in the pool if it is readable (`ri`) or
   * writable in place (`wi`), else 0.
   * Typed arrays cost next to nothing to create, which matters because
   * sub-guests are created often. Replaced (same contents) by toWasm.
   */
  ri = new Int32Array(PAGE_COUNT);
  wi = new Int32Array(PAGE_COUNT);
  /**
   * Views of the frame pool. Growing the pool replaces all three, so
   * generated code reads them from the memory at each access.
   */
  h8 = new Uint8Array(INITIAL_FRAMES * PAGE_SIZE);
  h32 = new Int32Array(this.h8.buffer);
  dv = new DataView(this.h8.buffer);
  /** Each page's frame: 0 if unmapped or lazy and not fetched yet, ZERO_FRAME until written. */
  private readonly frameOf = new Int32Array(PAGE_COUNT);
  /** Frames from this one on were never handed out, so they are still zero. */
  private topFrame = ZERO_FRAME + 1;
  /** Frames of unmapped pages, to reuse; they still hold old contents. */
  private readonly freeFrames: number[] = [];
  /** Pages changed since the last takeChanges: every mapped page not `clean` is among them. */
  private changed = new Set<number>();
  private layoutChanged = false;
  /** Contents of mapped pages not fetched yet (see mapLazy). */
  private source?: PageSource;
  /** Where the tables and the pool live after toWasm. */
  private wasm?: WebAssembly.Memory;
  /**
   * The CPU whose engine keeps its region entries in this memory's
   * dispatch table (WASM_DISPATCH). Engines of other CPUs on the same
   * memory (threads) run no regions: entries of two engines there would
   * name slots of each other's function tables.
   */
  regionsOwner?: object;
  /** After toWasm: frame 0 as 32-bit words (WASM_SCRATCH), replaced when the memory grows. */
  scratch = new Int32Array(0);
  /** Called with the new buffer when the wasm memory grows (see onGrow). */
  private readonly growListeners: ((buffer: ArrayBuffer) => void)[] = [];
  /** Called when a page holding translated code is written. */
  onCodeWrite: (page: number) => void = () => {};
  /** Pages whose accesses by instructions are reported to `onTrap`; kept out of `ri` and `wi`. */
  private traps?: Set<number>;
  /** Called for each instruction access (not bulk `read`/`write`) that touches a trapped page. */
  onTrap: (addr: number, size: number, write: boolean) => void = () => {};
  /**
   * Set when a guest write reaches a page holding translated code: a block
   * running then stops after the writing instruction, so that the code it
   * wrote runs next (x86 executes a modified instruction even right after
   * the store). Whoever stops clears it.
   */
  codeWritten = false;

  // ---- mapping -----------------------------------------------------------

  /**
   * How many pages are mapped (touched or not): what a guest's memory
   * limit counts (core/linux/quota.ts).
   */
  mappedCount = 0;

  /** Maps `[addr, addr+len)` (page-rounded) as zero-filled pages with `prot`. */
  map(addr: number, len: number, prot: number): void {
    this.layoutChanged = true;
    for (const pn of pageRange(addr, len)) {
      if (!(this.prot[pn] & MAPPED)) this.mappedCount++;
      this.changed.add(pn);
      this.dropFrame(pn);
      this.frameOf[pn] = ZERO_FRAME;
      this.clean[pn] = 0;
      this.prot[pn] = MAPPED | (prot & 7);
      this.touchedChunks[pn >>> CHUNK_SHIFT] = 1;
      this.refresh(pn);
    }
  }

  /** Unmaps `[addr, addr+len)`; unmapped pages in the range are ignored. */
  unmap(addr: number, len: number): void {
    this.layoutChanged = true;
    for (const pn of pageRange(addr, len)) {
      if (this.prot[pn] & MAPPED) {
        this.changed.add(pn);
        this.mappedCount--;
      }
      if (this.code[pn]) this.onCodeWrite(pn);
      this.dropFrame(pn);
      this.prot[pn] = 0;
      this.clean[pn] = 0;
      this.code[pn] = 0;
      this.refresh(pn);
    }
  }

  /** Changes protection of mapped pages; returns false if any page is unmapped. */
  protect(addr: number, len: number, prot: number): boolean {
    const pages = [...pageRange(addr, len)];
    if (pages.some((pn) => !(this.prot[pn] & MAPPED))) return false;
    this.layoutChanged = true;
    for (const pn of pages) {
      this.prot[pn] = MAPPED | (prot & 7);
      this.refresh(pn);
    }
    return true;
  }

  isMapped(page: number): boolean {
    return (this.prot[page] & MAPPED) !== 0;
  }

  /**
   * True if page `page` was written (or mapped, unmapped, replaced) since
   * the last takeChanges: what watchpoints check between chunks of a run
   * (core/session/watch.ts), without taking the changes. It is the list
   * snapshots rely on, so every tier that writes memory keeps it.
   *
   * @example
   * m.takeChanges(); m.w32(0x1000, 1); m.written(1); // true
   */
  written(page: number): boolean {
    return this.changed.has(page);
  }

  /** Protection bits of a page (PROT_*), or -1 if unmapped. */
  protOf(page: number): number {
    const p = this.prot[page];
    return p & MAPPED ? p & 7 : -1;
  }

  /** Page numbers of all mapped pages, ascending. */
  mappedPages(): number[] {
    const out: number[] = [];
    const prot = this.prot, chunks = this.touchedChunks;
    for (let c = 0; c < chunks.length; c++) {
      if (chunks[c] === 0) continue;
      const end = (c + 1) << CHUNK_SHIFT;
      for (let pn = c << CHUNK_SHIFT; pn < end; pn++) if (prot[pn] & MAPPED) out.push(pn);
    }
    return out;
  }

  /**
   * Whether mapped page `page` still shares the zero frame (mapped and
   * never written, or restored as zeros), so that it reads as zeros
   * without a look at its bytes: most of a fresh stack's pages.
   */
  sharesZeroFrame(page: number): boolean {
    return (this.prot[page] & MAPPED) !== 0 && this.frameOf[page] === ZERO_FRAME;
  }

  /** A copy of the contents of a mapped page (fetched if lazy): the caller may keep it. */
  pageData(page: number): Uint8Array | undefined {
    if (!(this.prot[page] & MAPPED)) return undefined;
    const at = this.page(page) << PAGE_SHIFT;
    return this.h8.slice(at, at + PAGE_SIZE);
  }

  /**
   * Maps pages `[first, first+count)` with `prot`, their contents to be
   * fetched from the memory's page source on first access. Not a change:
   * the caller restores a state it already has as a tree.
   */
  mapLazy(first: number, count: number, prot: number): void {
    for (let pn = first; pn < first + count; pn++) if (!(this.prot[pn] & MAPPED)) this.mappedCount++;
    this.prot.fill(MAPPED | (prot & 7), first, first + count);
    if (count > 0) this.touchedChunks.fill(1, first >>> CHUNK_SHIFT, ((first + count - 1) >>> CHUNK_SHIFT) + 1);
    this.clean.fill(1, first, first + count);
  }

  /** Sets where lazy pages (mapLazy) get their contents. */
  setPageSource(source: PageSource): void {
    this.source = source;
  }

  /**
   * The pages changed since the previous call (or since the memory was
   * made), after which every page is clean again: the next write to any
   * page takes the slow path once, to count as a change.
   */
  takeChanges(): MemoryChanges {
    const pages = [...this.changed].sort((a, b) => a - b);
    for (const pn of pages) {
      if (this.prot[pn] & MAPPED) this.clean[pn] = 1;
      this.wi[pn] = 0;
    }
    const layout = this.layoutChanged;
    this.changed = new Set();
    this.layoutChanged = false;
    return { pages, layout };
  }

  /**
   * Maps a page with a copy of `bytes` (exactly one page) as its contents;
   * the caller keeps its array and may change it afterwards.
   */
  installPage(page: number, bytes: Uint8Array, prot: number): void {
    if (bytes.length !== PAGE_SIZE) {
      throw new RangeError(`page ${page} must be ${PAGE_SIZE} bytes`);
    }
    if (this.code[page]) this.onCodeWrite(page);
    if ((this.prot[page] & 7) !== (prot & 7) || !(this.prot[page] & MAPPED)) this.layoutChanged = true;
    if (!(this.prot[page] & MAPPED)) this.mappedCount++;
    this.changed.add(page);
    this.clean[page] = 0;
    let f = this.frameOf[page];
    if (f <= ZERO_FRAME) this.frameOf[page] = f = this.allocFrame(page, false);
    this.h8.set(bytes, f << PAGE_SHIFT);
    this.prot[page] = MAPPED | (prot & 7);
    this.touchedChunks[page >>> CHUNK_SHIFT] = 1;
    this.refresh(page);
  }

  /** Records that translated code was built from this page. */
  markCode(page: number): void {
    this.code[page] = 1;
    this.wi[page] = 0;
  }

  /** Forgets that a page holds translated code (its blocks were dropped). */
  unmarkCode(page: number): void {
    this.code[page] = 0;
    this.refresh(page);
  }

  /**
   * A frame for page `pn`: a freed one or a fresh one, growing the pool
   * when it is full. Zero-filled if `zero`, else the caller overwrites it.
   */
  private allocFrame(pn: number, zero: boolean): number {
    const reused = this.freeFrames.pop();
    if (reused !== undefined) {
      if (zero) this.h8.fill(0, reused << PAGE_SHIFT, (reused << PAGE_SHIFT) + PAGE_SIZE);
      return reused;
    }
    if (this.topFrame * PAGE_SIZE === this.h8.length) {
      const frames = this.topFrame * 2;
      if (frames > MAX_FRAMES) {
        throw new GuestFault(
          "page",
          pn * PAGE_SIZE,
          `guest memory exhausted: all ${MAX_FRAMES} frames (2 GiB) are in use, none left for the page at 0x${hex(pn * PAGE_SIZE)}`,
        );
      }
      if (this.wasm !== undefined) {
        this.wasm.grow((frames - this.topFrame) * PAGE_SIZE / WASM_PAGE);
        this.viewWasm();
        for (const renew of this.growListeners) renew(this.wasm.buffer);
      } else {
        const h8 = new Uint8Array(frames * PAGE_SIZE);
        h8.set(this.h8);
        this.h8 = h8;
        this.h32 = new Int32Array(h8.buffer);
        this.dv = new DataView(h8.buffer);
      }
    }
    return this.topFrame++;
  }

  /**
   * Moves the page tables and the frame pool into a WebAssembly.Memory
   * (the first time; later calls return the same one), laid out as
   * WASM_RI, WASM_WI and WASM_POOL say, so that compiled WebAssembly does
   * the lookups the JavaScript fast path does. Only guests with hot code
   * need it: a wasm memory is much costlier to create than typed arrays.
   */
  toWasm(): WebAssembly.Memory {
    if (this.wasm !== undefined) return this.wasm;
    const pool = this.h8.length;
    this.wasm = new WebAssembly.Memory({ initial: (WASM_POOL + pool) / WASM_PAGE });
    const ri = this.ri, wi = this.wi, h8 = this.h8;
    this.viewWasm();
    // Only chunks of pages ever mapped hold entries: a guest maps a few thousand of the million pages, and
    // copying the tables whole (or scanning them, as cold code) would cost milliseconds for nothing.
    for (let c = 0; c < this.touchedChunks.length; c++) {
      if (this.touchedChunks[c] === 0) continue;
      const from = c << CHUNK_SHIFT, to = from + CHUNK_PAGES;
      this.ri.set(ri.subarray(from, to), from);
      this.wi.set(wi.subarray(from, to), from);
    }
    this.h8.set(h8);
    return this.wasm;
  }

  /**
   * Calls `renew` with the wasm memory's new buffer whenever it grows: the
   * old buffer is then detached, so holders of views into it (the x87
   * state of the CPU that runs regions) make them again.
   *
   * @example
   * mem.onGrow((buffer) => fpu.relocate(buffer, X87_SCRATCH, true));
   */
  onGrow(renew: (buffer: ArrayBuffer) => void): void {
    this.growListeners.push(renew);
  }

  /** Points the tables and pool views at the wasm memory (again after it grows). */
  private viewWasm(): void {
    const buffer = this.wasm!.buffer;
    this.ri = new Int32Array(buffer, WASM_RI, PAGE_COUNT);
    this.wi = new Int32Array(buffer, WASM_WI, PAGE_COUNT);
    this.h8 = new Uint8Array(buffer, WASM_POOL);
    this.h32 = new Int32Array(buffer, WASM_POOL);
    this.dv = new DataView(buffer, WASM_POOL);
    this.scratch = new Int32Array(buffer, WASM_SCRATCH, PAGE_SIZE / 4);
  }

  private dropFrame(pn: number): void {
    const f = this.frameOf[pn];
    if (f > ZERO_FRAME) this.freeFrames.push(f);
    this.frameOf[pn] = 0;
  }

  /**
   * Reports every instruction access to these pages to `onTrap` (read and
   * access watchpoints: core/session/watch.ts); none or an empty list stops
   * reporting. Trapped pages take the slow path, so only they cost more.
   *
   * @example
   * m.onTrap = (addr, size, write) => console.log(addr, size, write);
   * m.trapAccesses([0x080ed]);
   * m.r32(0x080ed2e0); // reported
   * m.trapAccesses(undefined);
   */
  trapAccesses(pages: Iterable<number> | undefined): void {
    const before = this.traps ?? new Set<number>();
    const list = [...(pages ?? [])];
    this.traps = list.length > 0 ? new Set(list) : undefined;
    for (const pn of new Set([...before, ...list])) this.refresh(pn);
  }

  /** Tells `onTrap` about an access of `size` bytes at `a` if it touches a trapped page. */
  private reportTrap(a: number, size: number, write: boolean): void {
    const traps = this.traps!;
    a >>>= 0; // generated code passes addresses as int32
    if (traps.has(a >>> PAGE_SHIFT) || traps.has(((a + size - 1) >>> 0) >>> PAGE_SHIFT)) this.onTrap(a, size, write);
  }

  private refresh(pn: number): void {
    if (this.traps?.has(pn)) {
      this.ri[pn] = this.wi[pn] = 0;
      return;
    }
    const p = this.prot[pn];
    const f = this.frameOf[pn];
    const readable = p & MAPPED && p & (PROT_READ | PROT_WRITE);
    const entry = f !== 0 ? (f << PAGE_SHIFT) | PAGE_VALID : 0;
    this.ri[pn] = readable ? entry : 0;
    this.wi[pn] = p & MAPPED && p & PROT_WRITE && f > ZERO_FRAME &&
        !this.clean[pn] && !this.code[pn]
      ? entry
      : 0;
  }

  // ---- hot accessors -----------------------------------------------------

  r8(a: number): number {
    const f = this.ri[a >>> PAGE_SHIFT];
    return f !== 0 ? this.h8[(f & FRAME_BYTES) | (a & PAGE_MASK)] : this.slowRead(a, 1);
  }

  r16(a: number): number {
    const f = this.ri[a >>> PAGE_SHIFT];
    const o = a & PAGE_MASK;
    if (f !== 0 && o < PAGE_SIZE - 1) return this.dv.getUint16((f & FRAME_BYTES) | o, true);
    return this.slowRead(a, 2);
  }

  /** Reads a 32-bit value (as a signed int32). */
  r32(a: number): number {
    const f = this.ri[a >>> PAGE_SHIFT];
    const o = a & PAGE_MASK;
    if (f !== 0) {
      if ((o & 3) === 0) return this.h32[((f & FRAME_BYTES) | o) >> 2];
      if (o < PAGE_SIZE - 3) return this.dv.getInt32((f & FRAME_BYTES) | o, true);
    }
    return this.slowRead(a, 4);
  }

  w8(a: number, v: number): void {
    const f = this.wi[a >>> PAGE_SHIFT];
    if (f !== 0) this.h8[(f & FRAME_BYTES) | (a & PAGE_MASK)] = v;
    else this.slowWrite(a, 1, v);
  }

  w16(a: number, v: number): void {
    const f = this.wi[a >>> PAGE_SHIFT];
    const o = a & PAGE_MASK;
    if (f !== 0 && o < PAGE_SIZE - 1) this.dv.setInt16((f & FRAME_BYTES) | o, v, true);
    else this.slowWrite(a, 2, v);
  }

  w32(a: number, v: number): void {
    const f = this.wi[a >>> PAGE_SHIFT];
    const o = a & PAGE_MASK;
    if (f !== 0 && (o & 3) === 0) this.h32[((f & FRAME_BYTES) | o) >> 2] = v;
    else if (f !== 0 && o < PAGE_SIZE - 3) this.dv.setInt32((f & FRAME_BYTES) | o, v, true);
    else this.slowWrite(a, 4, v);
  }

  /** Fetches an instruction byte: the page must be mapped executable. */
  fetch8(a: number): number {
    a >>>= 0;
    const pn = a >>> PAGE_SHIFT;
    const p = this.prot[pn];
    if (!(p & MAPPED) || !(p & PROT_EXEC)) {
      throw new GuestFault(
        "page",
        a,
        `instruction fetch from ${
          p & MAPPED ? "non-executable" : "unmapped"
        } address 0x${hex(a)}`,
      );
    }
    const f = this.page(pn);
    return this.h8[(f << PAGE_SHIFT) | (a & PAGE_MASK)];
  }

  /**
   * The frame of a mapped page, fetching a lazy page from the source. Not
   * a change: the page holds what the source says it held.
   */
  private page(pn: number): number {
    const f = this.frameOf[pn];
    if (f !== 0) return f;
    const fetched = this.source?.(pn);
    let g = ZERO_FRAME;
    if (fetched !== undefined) {
      g = this.allocFrame(pn, false);
      this.h8.set(fetched, g << PAGE_SHIFT);
    }
    this.frameOf[pn] = g;
    this.refresh(pn);
    return g;
  }

  // ---- slow paths --------------------------------------------------------

  /** Throws the page fault for the first byte of `[a, a+size)` that cannot be accessed. */
  private check(a: number, size: number, write: boolean): void {
    // A page at a time: the first byte checked on each page decides for the rest of it.
    for (let i = 0; i < size; i += PAGE_SIZE - ((a + i) & PAGE_MASK)) {
      const b = (a + i) >>> 0;
      const p = this.prot[b >>> PAGE_SHIFT];
      const ok = write
        ? p & MAPPED && p & PROT_WRITE
        : p & MAPPED && p & (PROT_READ | PROT_WRITE);
      if (!ok) {
        throw new GuestFault(
          "page",
          b,
          `${write ? "write to" : "read from"} ${
            p & MAPPED ? "protected" : "unmapped"
          } address 0x${hex(b)}`,
        );
      }
    }
  }

  private slowRead(a: number, size: number): number {
    this.check(a, size, false);
    if (this.traps !== undefined) this.reportTrap(a, size, false);
    let v = 0;
    for (let i = 0; i < size; i++) {
      const b = (a + i) >>> 0;
      const f = this.page(b >>> PAGE_SHIFT);
      v |= this.h8[(f << PAGE_SHIFT) | (b & PAGE_MASK)] << (8 * i);
    }
    return v;
  }

  private slowWrite(a: number, size: number, v: number): void {
    this.check(a, size, true);
    if (this.traps !== undefined) this.reportTrap(a, size, true);
    for (let i = 0; i < size; i++) {
      const b = (a + i) >>> 0;
      // The frame first: making the page writable may replace this.h8.
      const f = this.writable(b >>> PAGE_SHIFT);
      this.h8[(f << PAGE_SHIFT) | (b & PAGE_MASK)] = v >> (8 * i);
    }
  }

  /**
   * Prepares a mapped page for writing: drops its translated code, gives
   * it a frame of its own (zero-filled) if it reads the zero frame, and
   * counts it as changed. Returns its frame.
   */
  private writable(pn: number): number {
    if (this.code[pn]) {
      this.codeWritten = true;
      this.onCodeWrite(pn);
    }
    let f = this.page(pn);
    if (f === ZERO_FRAME) this.frameOf[pn] = f = this.allocFrame(pn, true);
    if (this.clean[pn]) {
      this.clean[pn] = 0;
      this.changed.add(pn);
    }
    this.refresh(pn);
    return f;
  }

  // ---- bulk access (system calls, loaders) -------------------------------

  /** Copies `len` bytes out of guest memory; faults like a guest read. */
  read(addr: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const a = (addr + done) >>> 0;
      const o = a & PAGE_MASK;
      const n = Math.min(len - done, PAGE_SIZE - o);
      this.check(a, 1, false);
      const at = this.page(a >>> PAGE_SHIFT) << PAGE_SHIFT;
      out.set(this.h8.subarray(at + o, at + o + n), done);
      done += n;
    }
    return out;
  }

  /** Copies bytes into guest memory; faults like a guest write. */
  write(addr: number, bytes: Uint8Array): void {
    this.check(addr, bytes.length, true);
    this.poke(addr, bytes);
  }

  /** Writes bytes ignoring page protection (loaders, debuggers); pages must be mapped. */
  poke(addr: number, bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      const a = (addr + done) >>> 0;
      const pn = a >>> PAGE_SHIFT;
      if (!(this.prot[pn] & MAPPED)) {
        throw new GuestFault("page", a, `write to unmapped address 0x${hex(a)}`);
      }
      const o = a & PAGE_MASK;
      const n = Math.min(bytes.length - done, PAGE_SIZE - o);
      const at = this.writable(pn) << PAGE_SHIFT;
      this.h8.set(bytes.subarray(done, done + n), at + o);
      done += n;
    }
  }

  /** Reads a NUL-terminated string of at most `max` bytes (without the NUL). */
  readCString(addr: number, max = 4096): Uint8Array {
    const bytes: number[] = [];
    for (let i = 0; i < max; i++) {
      const b = this.r8((addr + i) | 0);
      if (b === 0) return Uint8Array.from(bytes);
      bytes.push(b);
    }
    throw new GuestFault("page", addr >>> 0, "string too long");
  }
}

/** Page numbers covering `[addr, addr+len)`. */
export function* pageRange(addr: number, len: number): Generator<number> {
  if (len <= 0) return;
  const first = Math.floor((addr >>> 0) / PAGE_SIZE);
  const last = Math.floor(((addr >>> 0) + len - 1) / PAGE_SIZE);
  for (let pn = first; pn <= Math.min(last, PAGE_COUNT - 1); pn++) yield pn;
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

