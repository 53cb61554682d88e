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

/** The page every fresh mapping starts with; never written (copy-on-write). */
const ZERO_PAGE = new Uint8Array(PAGE_SIZE);

/**
 * Where the contents of a lazy page come from: its bytes (exactly one page,
 * never mutated afterwards), or undefined for a zero-filled page. Throws a
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
 * Page contents are plain `Uint8Array`s that may be *shared* with snapshots
 * and data-tree blobs; a shared page is copied on its first write, so the
 * pages a guest has not changed since a snapshot are never duplicated. The
 * memory lists the pages whose contents changed since the last
 * {@link Memory.takeChanges}, so a snapshot costs what changed, not the
 * size of the guest.
 *
 * A memory restored from a snapshot can be *lazy*: its pages are mapped but
 * their contents are fetched from a {@link PageSource} on first access, so
 * restoring a 1 GiB guest costs what it touches.
 *
 * Hot accessors (`r8`..`w32`) look pages up in two flat tables: `ri` for
 * readable pages, `wi` for pages that may be written in place (writable,
 * private and holding no translated code). Everything else takes a slow
 * path that faults, copies or invalidates code as needed.
 *
 * @example
 * const m = new Memory();
 * m.map(0x1000, 0x2000, PROT_READ | PROT_WRITE);
 * m.w32(0x1ffe, 0x11223344); // crosses a page boundary
 * m.r32(0x1ffe) === 0x11223344;
 */
export class Memory {
  /** Contents of mapped pages (a Map: only slow paths use it, and it stays small). */
  private readonly data = new Map<number, Uint8Array>();
  private readonly prot = new Uint8Array(PAGE_COUNT);
  private readonly shared = new Uint8Array(PAGE_COUNT);
  private readonly code = new Uint8Array(PAGE_COUNT);
  /**
   * The fast path's page tables: for each page number, the index in
   * `frames` of its contents if it is readable (`ri`) or writable in place
   * (`wi`), else 0. Typed arrays cost next to nothing to create, which
   * matters because sub-guests are created often.
   */
  readonly ri = new Int32Array(PAGE_COUNT);
  readonly wi = new Int32Array(PAGE_COUNT);
  /** Page contents by frame index; frame 0 is never used. */
  readonly frames: Uint8Array[] = [ZERO_PAGE];
  private readonly frameOf = new Int32Array(PAGE_COUNT);
  private readonly freeFrames: number[] = [];
  /** Pages changed since the last takeChanges; every private page is among them. */
  private changed = new Set<number>();
  private layoutChanged = false;
  /** Contents of mapped pages not fetched yet (see mapLazy). */
  private source?: PageSource;
  /** Called when a page holding translated code is written. */
  onCodeWrite: (page: number) => void = () => {};

  // ---- mapping -----------------------------------------------------------

  /** Maps `[addr, addr+len)` (page-rounded) as zero-filled pages with `prot`. */
  map(addr: number, len: number, prot: number): void {
    this.layoutChanged = true;
    for (const pn of pageRange(addr, len)) {
      this.changed.add(pn);
      this.setData(pn, ZERO_PAGE);
      this.shared[pn] = 1;
      this.prot[pn] = MAPPED | (prot & 7);
      this.refresh(pn);
    }
  }

  /** Unmaps `[addr, addr+len)`; unmapped pages in the range are ignored. */
  unmap(addr: number, len: number): void {
    this.layoutChanged = true;
    for (const pn of pageRange(addr, len)) {
      if (this.prot[pn] & MAPPED) this.changed.add(pn);
      if (this.code[pn]) this.onCodeWrite(pn);
      this.dropData(pn);
      this.prot[pn] = 0;
      this.shared[pn] = 0;
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

  /** Protection bits of a page (PROT_*), or -1 if unmapped. */
  protOf(page: number): number {
    const p = this.prot[page];
    return p & MAPPED ? p & 7 : -1;
  }

  /** Page numbers of all mapped pages, ascending. */
  mappedPages(): number[] {
    const out: number[] = [];
    const prot = this.prot;
    for (let pn = 0; pn < PAGE_COUNT; pn++) if (prot[pn] & MAPPED) out.push(pn);
    return out;
  }

  /** Contents of a mapped page (fetched if lazy). The array must be treated as read-only. */
  pageData(page: number): Uint8Array | undefined {
    return this.prot[page] & MAPPED ? this.page(page) : undefined;
  }

  /**
   * Maps pages `[first, first+count)` with `prot`, their contents to be
   * fetched from the memory's page source on first access. Not a change:
   * the caller restores a state it already has as a tree.
   */
  mapLazy(first: number, count: number, prot: number): void {
    this.prot.fill(MAPPED | (prot & 7), first, first + count);
    this.shared.fill(1, first, first + count);
  }

  /** Sets where lazy pages (mapLazy) get their contents. */
  setPageSource(source: PageSource): void {
    this.source = source;
  }

  /**
   * The pages changed since the previous call (or since the memory was
   * made), after which every page is shared again: the next write to any
   * page copies it first, and counts as a change.
   */
  takeChanges(): MemoryChanges {
    const pages = [...this.changed].sort((a, b) => a - b);
    for (const pn of pages) {
      if (!this.shared[pn]) {
        this.shared[pn] = 1;
        this.wi[pn] = 0;
      }
    }
    const layout = this.layoutChanged;
    this.changed = new Set();
    this.layoutChanged = false;
    return { pages, layout };
  }

  /**
   * Installs `bytes` (exactly one page, owned by the caller and never
   * mutated afterwards) as the contents of a page, copy-on-write.
   */
  installPage(page: number, bytes: Uint8Array, prot: number): void {
    if (bytes.length !== PAGE_SIZE) {
      throw new RangeError(`page ${page} must be ${PAGE_SIZE} bytes`);
    }
    if (this.code[page]) this.onCodeWrite(page);
    if ((this.prot[page] & 7) !== (prot & 7) || !(this.prot[page] & MAPPED)) this.layoutChanged = true;
    this.changed.add(page);
    this.setData(page, bytes);
    this.shared[page] = 1;
    this.prot[page] = MAPPED | (prot & 7);
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

  private setData(pn: number, bytes: Uint8Array): void {
    this.data.set(pn, bytes);
    let f = this.frameOf[pn];
    if (f === 0) {
      f = this.freeFrames.pop() ?? this.frames.length;
      this.frameOf[pn] = f;
    }
    this.frames[f] = bytes;
  }

  private dropData(pn: number): void {
    this.data.delete(pn);
    const f = this.frameOf[pn];
    if (f !== 0) {
      this.frameOf[pn] = 0;
      this.frames[f] = ZERO_PAGE;
      this.freeFrames.push(f);
    }
  }

  private refresh(pn: number): void {
    const p = this.prot[pn];
    const f = this.frameOf[pn];
    const readable = p & MAPPED && p & (PROT_READ | PROT_WRITE);
    this.ri[pn] = readable ? f : 0;
    this.wi[pn] = p & MAPPED && p & PROT_WRITE && !this.shared[pn] &&
        !this.code[pn]
      ? f
      : 0;
  }

  // ---- hot accessors -----------------------------------------------------

  r8(a: number): number {
    const f = this.ri[a >>> PAGE_SHIFT];
    return f !== 0 ? this.frames[f][a & PAGE_MASK] : this.slowRead(a, 1);
  }

  r16(a: number): number {
    const f = this.ri[a >>> PAGE_SHIFT];
    const o = a & PAGE_MASK;
    if (f !== 0 && o < PAGE_SIZE - 1) {
      const p = this.frames[f];
      return p[o] | (p[o + 1] << 8);
    }
    return this.slowRead(a, 2);
  }

  /** Reads a 32-bit value (as a signed int32). */
  r32(a: number): number {
    const f = this.ri[a >>> PAGE_SHIFT];
    const o = a & PAGE_MASK;
    if (f !== 0 && o < PAGE_SIZE - 3) {
      const p = this.frames[f];
      return p[o] | (p[o + 1] << 8) | (p[o + 2] << 16) | (p[o + 3] << 24);
    }
    return this.slowRead(a, 4);
  }

  w8(a: number, v: number): void {
    const f = this.wi[a >>> PAGE_SHIFT];
    if (f !== 0) this.frames[f][a & PAGE_MASK] = v;
    else this.slowWrite(a, 1, v);
  }

  w16(a: number, v: number): void {
    const f = this.wi[a >>> PAGE_SHIFT];
    const o = a & PAGE_MASK;
    if (f !== 0 && o < PAGE_SIZE - 1) {
      const p = this.frames[f];
      p[o] = v;
      p[o + 1] = v >> 8;
    } else this.slowWrite(a, 2, v);
  }

  w32(a: number, v: number): void {
    const f = this.wi[a >>> PAGE_SHIFT];
    const o = a & PAGE_MASK;
    if (f !== 0 && o < PAGE_SIZE - 3) {
      const p = this.frames[f];
      p[o] = v;
      p[o + 1] = v >> 8;
      p[o + 2] = v >> 16;
      p[o + 3] = v >> 24;
    } else this.slowWrite(a, 4, v);
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
    return this.page(pn)[a & PAGE_MASK];
  }

  /** The contents of a mapped page, fetching a lazy page from the source. */
  private page(pn: number): Uint8Array {
    const bytes = this.data.get(pn);
    if (bytes !== undefined) return bytes;
    const fetched = this.source?.(pn) ?? ZERO_PAGE;
    this.setData(pn, fetched);
    this.refresh(pn);
    return fetched;
  }

  // ---- slow paths --------------------------------------------------------

  /** Throws the page fault for the first byte of `[a, a+size)` that cannot be accessed. */
  private check(a: number, size: number, write: boolean): void {
    for (let i = 0; i < size; i++) {
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
    let v = 0;
    for (let i = 0; i < size; i++) {
      const b = (a + i) >>> 0;
      v |= this.page(b >>> PAGE_SHIFT)[b & PAGE_MASK] << (8 * i);
    }
    return v;
  }

  private slowWrite(a: number, size: number, v: number): void {
    this.check(a, size, true);
    for (let i = 0; i < size; i++) {
      const b = (a + i) >>> 0;
      this.writable(b >>> PAGE_SHIFT)[b & PAGE_MASK] = v >> (8 * i);
    }
  }

  /** Makes a mapped, writable page private and code-free; returns its bytes. */
  private writable(pn: number): Uint8Array {
    if (this.code[pn]) this.onCodeWrite(pn);
    if (this.shared[pn]) {
      this.setData(pn, this.page(pn).slice());
      this.shared[pn] = 0;
      this.changed.add(pn);
    }
    this.refresh(pn);
    return this.data.get(pn)!;
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
      out.set(this.page(a >>> PAGE_SHIFT).subarray(o, o + n), done);
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
      this.writable(pn).set(bytes.subarray(done, done + n), o);
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
