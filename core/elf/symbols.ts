/**
 * Symbols of an i386 ELF image: the functions and data objects its
 * `.symtab` (unstripped programs) and `.dynsym` (dynamic ones) name, moved
 * by the load bias the loader gives a position-independent program, so
 * debuggers can say `main` for an address and `<main+12>` for a place.
 * Malformed or missing tables give no symbols, never an error: symbols only
 * label things.
 */
import { ET_DYN, parseElf, PT_LOAD } from "./elf.ts";
import { PIE_BASE } from "../linux/layout.ts";
import { PAGE_SIZE } from "../memory/memory.ts";

/** One named address. */
export interface ElfSymbol {
  name: string;
  /** Loaded address (bias applied). */
  address: number;
  /** Bytes it covers (0 when the table does not say). */
  size: number;
  kind: "function" | "object" | "other";
}

const SHT_SYMTAB = 2, SHT_DYNSYM = 11;
const STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_GNU_IFUNC = 10;
const SHDR_SIZE = 40, SYM_SIZE = 16;
const SHN_UNDEF = 0, SHN_LORESERVE = 0xff00, SHN_ABS = 0xfff1;

/**
 * An image's symbols, sorted by address, with lookups both ways.
 *
 * @example
 * const syms = SymbolTable.fromElf(readFileSync("examples/hello/hello"));
 * syms.lookup("main")?.address;        // 0x08049765
 * syms.label(0x08049771);              // "main+12"
 */
export class SymbolTable {
  /** Sorted by address, then name. */
  readonly symbols: readonly ElfSymbol[];
  private readonly byName = new Map<string, ElfSymbol>();

  constructor(symbols: ElfSymbol[]) {
    this.symbols = [...symbols].sort((a, b) => a.address - b.address || a.name.localeCompare(b.name));
    // Prefer functions, then sized symbols, for names defined more than once (static functions).
    for (const s of this.symbols) {
      const had = this.byName.get(s.name);
      if (!had || rank(s) > rank(had)) this.byName.set(s.name, s);
    }
  }

  /** No symbols. */
  static readonly EMPTY = new SymbolTable([]);

  /** The symbols of an ELF image (none if it has no tables or is not an i386 ELF). */
  static fromElf(image: Uint8Array): SymbolTable {
    try {
      return new SymbolTable(readSymbols(image));
    } catch {
      return SymbolTable.EMPTY;
    }
  }

  get size(): number {
    return this.symbols.length;
  }

  /** The symbol called `name`. */
  lookup(name: string): ElfSymbol | undefined {
    return this.byName.get(name);
  }

  /** Every name, sorted (for completion). */
  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  /**
   * The symbol `address` is in: the closest one at or below it that covers
   * it (its size), or, for symbols without a size, the closest function at
   * or below it.
   */
  containing(address: number): ElfSymbol | undefined {
    const a = address >>> 0;
    let lo = 0, hi = this.symbols.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.symbols[mid].address <= a) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // Several symbols can start at or below `a`: take the nearest that covers it.
    for (let i = found; i >= 0 && i > found - 64; i--) {
      const s = this.symbols[i];
      if (s.size > 0 ? a < s.address + s.size : s.kind === "function" && i === found) return s;
    }
    return undefined;
  }

  /** `name` or `name+offset` (decimal, as gdb writes it) for an address, or undefined. */
  label(address: number): string | undefined {
    const s = this.containing(address);
    if (!s) return undefined;
    const off = (address >>> 0) - s.address;
    return off === 0 ? s.name : `${s.name}+${off}`;
  }
}

function rank(s: ElfSymbol): number {
  return (s.kind === "function" ? 2 : 0) + (s.size > 0 ? 1 : 0);
}

/** Reads .symtab and .dynsym; throws on a malformed image (the caller gives up on symbols). */
function readSymbols(image: Uint8Array): ElfSymbol[] {
  const { header, phdrs } = parseElf(image);
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const shoff = v.getUint32(32, true), shentsize = v.getUint16(46, true), shnum = v.getUint16(48, true);
  if (shoff === 0 || shnum === 0 || shentsize !== SHDR_SIZE) return [];
  const loads = phdrs.filter((p) => p.type === PT_LOAD);
  // The same bias the loader applies (core/elf/load.ts).
  const bias = header.type === ET_DYN && loads.length > 0
    ? PIE_BASE - Math.min(...loads.map((p) => p.vaddr - (p.vaddr % PAGE_SIZE)))
    : 0;
  const section = (i: number) => {
    const o = shoff + i * SHDR_SIZE;
    if (o + SHDR_SIZE > image.length) throw new RangeError("section header out of the file");
    return { type: v.getUint32(o + 4, true), offset: v.getUint32(o + 16, true), size: v.getUint32(o + 20, true), link: v.getUint32(o + 24, true) };
  };
  const out: ElfSymbol[] = [];
  for (let i = 0; i < shnum; i++) {
    const sh = section(i);
    if (sh.type !== SHT_SYMTAB && sh.type !== SHT_DYNSYM) continue;
    const strtab = section(sh.link);
    if (sh.offset + sh.size > image.length || strtab.offset + strtab.size > image.length) continue;
    const strings = image.subarray(strtab.offset, strtab.offset + strtab.size);
    for (let o = sh.offset + SYM_SIZE; o + SYM_SIZE <= sh.offset + sh.size; o += SYM_SIZE) {
      const type = image[o + 12] & 0xf, shndx = v.getUint16(o + 14, true);
      if (type !== STT_NOTYPE && type !== STT_OBJECT && type !== STT_FUNC && type !== STT_GNU_IFUNC) continue;
      if (shndx === SHN_UNDEF || (shndx >= SHN_LORESERVE && shndx !== SHN_ABS)) continue;
      const name = cString(strings, v.getUint32(o, true));
      if (name === "" || name.startsWith("$")) continue;
      out.push({
        name,
        address: (v.getUint32(o + 4, true) + (shndx === SHN_ABS ? 0 : bias)) >>> 0,
        size: v.getUint32(o + 8, true),
        kind: type === STT_FUNC || type === STT_GNU_IFUNC ? "function" : type === STT_OBJECT ? "object" : "other",
      });
    }
  }
  return out;
}

function cString(bytes: Uint8Array, at: number): string {
  if (at >= bytes.length) return "";
  let end = at;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(at, end));
}
