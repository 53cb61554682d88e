/**
 * Reading ELF32 headers: just enough of the format to load an i386
 * executable, with every field bounds-checked so that any input either
 * parses or fails with a one-line {@link ElfError}.
 */

/**
 * Why an image cannot be loaded; the message is one line.
 *
 * @example
 * try { loadElf(bytes, mem, cpu, opts); }
 * catch (e) { if (e instanceof ElfError) console.error(`fx86: ${e.message}`); }
 */
export class ElfError extends Error {
  override name = "ElfError";
}

/** ELF types fx86 loads: executables and position-independent ones. */
export const ET_EXEC = 2, ET_DYN = 3;
const EM_386 = 3;
/** Program header types the loader looks at. */
export const PT_LOAD = 1, PT_INTERP = 3, PT_GNU_STACK = 0x6474e551;
/** Segment permission flags. */
export const PF_X = 1, PF_W = 2, PF_R = 4;
/** Size of an ELF32 program header. */
export const PHDR_SIZE = 32;
const EHDR_SIZE = 52;
/** Linux refuses program header tables larger than this. */
const MAX_PHDR_TABLE = 65536;

/** The ELF header fields a loader needs. */
export interface ElfHeader {
  type: number;
  entry: number;
  phoff: number;
  phnum: number;
}

/** One program header. */
export interface ProgramHeader {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  flags: number;
}

/** The parsed headers of an i386 executable. */
export interface Elf {
  header: ElfHeader;
  phdrs: ProgramHeader[];
}

/**
 * Parses and checks the ELF and program headers of an i386 executable.
 *
 * @example
 * const { header, phdrs } = parseElf(bytes);
 * phdrs.filter((p) => p.type === PT_LOAD).length;
 */
export function parseElf(image: Uint8Array): Elf {
  if (
    image.length < 4 || image[0] !== 0x7f || image[1] !== 0x45 ||
    image[2] !== 0x4c || image[3] !== 0x46
  ) throw new ElfError("not an ELF file");
  if (image.length < 6) throw new ElfError("truncated ELF header");
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength);
  // Class and byte order come before anything else can be read correctly.
  if (image[4] !== 1 || image[5] !== 1) {
    throw new ElfError("not a 32-bit x86 executable");
  }
  if (image.length < EHDR_SIZE) throw new ElfError("truncated ELF header");
  const type = v.getUint16(16, true);
  if (v.getUint16(18, true) !== EM_386) {
    throw new ElfError("not a 32-bit x86 executable");
  }
  if (type !== ET_EXEC && type !== ET_DYN) {
    throw new ElfError(`not an executable (ELF type ${type})`);
  }
  const header: ElfHeader = {
    type,
    entry: v.getUint32(24, true),
    phoff: v.getUint32(28, true),
    phnum: v.getUint16(44, true),
  };
  const phentsize = v.getUint16(42, true);
  if (phentsize !== PHDR_SIZE) {
    throw new ElfError(`unexpected program header size ${phentsize}`);
  }
  if (header.phnum === 0) throw new ElfError("no program headers");
  if (header.phnum * PHDR_SIZE > MAX_PHDR_TABLE) {
    throw new ElfError(`too many program headers (${header.phnum})`);
  }
  if (header.phoff + header.phnum * PHDR_SIZE > image.length) {
    throw new ElfError("truncated program header table");
  }
  const phdrs: ProgramHeader[] = [];
  for (let i = 0; i < header.phnum; i++) {
    const o = header.phoff + i * PHDR_SIZE;
    phdrs.push({
      type: v.getUint32(o, true),
      offset: v.getUint32(o + 4, true),
      vaddr: v.getUint32(o + 8, true),
      filesz: v.getUint32(o + 16, true),
      memsz: v.getUint32(o + 20, true),
      flags: v.getUint32(o + 24, true),
    });
  }
  return { header, phdrs };
}
