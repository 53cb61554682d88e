/**
 * The description tests/elf/progs/stack.c prints of its own start-up stack,
 * computed from an fx86 guest's memory right after loading, so the loader's
 * layout can be compared with the kernel's line by line.
 */
import type { Memory } from "../../core/memory/memory.ts";
import { GID, UID } from "../../core/linux/identity.ts";

const KERNEL_ONLY = new Set([32, 33, 51, 27, 28]);

/** What the program knows about itself: _start and the ELF header's address. */
export interface SelfInfo {
  entry: number;
  ehdr: number;
  phoff: number;
  phnum: number;
}

function cstring(m: Memory, addr: number): string {
  return new TextDecoder().decode(m.readCString(addr));
}

function strlen(m: Memory, addr: number): number {
  return m.readCString(addr).length;
}

export function describeStack(m: Memory, sp: number, self: SelfInfo): string {
  const out: string[] = [];
  const u32 = (a: number) => m.r32(a) >>> 0;
  const yes = (b: boolean) => (b ? "yes" : "no");
  const argc = u32(sp);
  const argv = Array.from({ length: argc }, (_, i) => u32(sp + 4 + 4 * i));
  const base = argv[0];
  let next = base, contiguous = true;
  out.push(`esp % 16 = ${sp % 16}`, `argc = ${argc}`);
  argv.forEach((p, i) => {
    out.push(`argv[${i}] = +${p - base} "${cstring(m, p)}"`);
    contiguous &&= p === next;
    next = p + strlen(m, p) + 1;
  });
  out.push(`argv[argc] is NULL: ${yes(u32(sp + 4 + 4 * argc) === 0)}`);
  let e = sp + 4 + 4 * (argc + 1);
  for (let i = 0; u32(e); e += 4, i++) {
    const p = u32(e);
    out.push(`envp[${i}] = +${p - base} "${cstring(m, p)}"`);
    contiguous &&= p === next;
    next = p + strlen(m, p) + 1;
  }
  out.push(
    "envp follows argv: yes",
    `strings are contiguous: ${yes(contiguous)}`,
  );
  const auxv: [number, number][] = [];
  let a = e + 4;
  for (; u32(a) !== 0; a += 8) auxv.push([u32(a), u32(a + 4)]);
  const end = a + 8;
  out.push(
    `auxv types: ${
      auxv.filter(([t]) => !KERNEL_ONLY.has(t)).map(([t]) => t).join(" ")
    }`,
  );
  let execfn = 0, platform = 0, random = 0;
  for (const [t, v] of auxv) {
    switch (t) {
      case 3:
        out.push(
          `AT_PHDR is the program headers: ${
            yes(v === self.ehdr + self.phoff)
          }`,
        );
        break;
      case 4:
        out.push(`AT_PHENT = ${v}`);
        break;
      case 5:
        out.push(`AT_PHNUM is e_phnum: ${yes(v === self.phnum)}`);
        break;
      case 6:
        out.push(`AT_PAGESZ = ${v}`);
        break;
      case 7:
        out.push(`AT_BASE = ${v}`);
        break;
      case 8:
        out.push(`AT_FLAGS = ${v}`);
        break;
      case 9:
        out.push(`AT_ENTRY is _start: ${yes(v === self.entry)}`);
        break;
      case 11:
        out.push(`AT_UID is getuid(): ${yes(v === UID)}`);
        break;
      case 12:
        out.push(`AT_EUID is geteuid(): ${yes(v === UID)}`);
        break;
      case 13:
        out.push(`AT_GID is getgid(): ${yes(v === GID)}`);
        break;
      case 14:
        out.push(`AT_EGID is getegid(): ${yes(v === GID)}`);
        break;
      case 23:
        out.push(`AT_SECURE = ${v}`);
        break;
      case 16:
        out.push(
          `AT_HWCAP has FPU, TSC, CX8, CMOV: ${yes((v & 0x8111) === 0x8111)}`,
        );
        break;
      case 17:
        out.push(`AT_CLKTCK = ${v}`);
        break;
      case 25:
        random = v;
        break;
      case 31:
        execfn = v;
        break;
      case 15:
        platform = v;
        break;
    }
  }
  out.push(`AT_EXECFN = +${execfn - base} "${cstring(m, execfn)}"`);
  out.push(`AT_EXECFN follows the strings: ${yes(execfn === next)}`);
  const after = execfn + strlen(m, execfn) + 1;
  const gap = 4096 - (after % 4096);
  const zeros = (gap === 4 || gap === 8) &&
    [...m.read(after, gap)].every((b) => b === 0);
  out.push(`a zero pointer, then the page-aligned stack top: ${yes(zeros)}`);
  const platformEnd = platform + strlen(m, platform) + 1;
  out.push(`AT_PLATFORM = "${cstring(m, platform)}"`);
  out.push(
    `AT_PLATFORM ends 16-aligned below the strings: ${
      yes(platformEnd % 16 === 0 && platformEnd <= base)
    }`,
  );
  out.push(
    `AT_RANDOM is the 16 bytes below AT_PLATFORM: ${
      yes(random + 16 === platform)
    }`,
  );
  const tables = end - sp;
  out.push(
    `ESP is 16-aligned just below the tables: ${
      yes(sp === random - tables - ((random - tables) % 16))
    }`,
  );
  return out.join("\n") + "\n";
}

/** Lines about where qemu-i386 places the AT_PLATFORM string and the AT_RANDOM bytes. */
const QEMU_PLACEMENT = ["AT_PLATFORM ends 16-aligned", "AT_RANDOM is the 16 bytes below"];
const AT_HWCAP2 = 26;

/**
 * What of a description qemu-i386 (7.2) and a kernel agree on, so a
 * description of fx86's stack can be compared with one printed under qemu.
 * qemu's loader (linux-user/elfload.c) is not Linux's: it writes the
 * auxiliary vector in its own order (AT_PHDR first, not AT_HWCAP), has no
 * AT_HWCAP2 for i386, aligns the AT_PLATFORM string to 4 bytes and the
 * AT_RANDOM bytes to 16 on their own. So: every line is kept but in sorted
 * order (only auxv-ordered lines move), the auxv types are a sorted set
 * without AT_HWCAP2, and the two placement lines are left out. On the native
 * CPU the whole description is compared, order included.
 *
 * @example
 * assert.equal(qemuComparable(describeStack(mem, sp, self)), qemuComparable(printedUnderQemu));
 */
export function qemuComparable(description: string): string {
  return description.trimEnd().split("\n")
    .filter((line) => !QEMU_PLACEMENT.some((p) => line.startsWith(p)))
    .map((line) => {
      if (!line.startsWith("auxv types:")) return line;
      const types = line.split(" ").slice(2).map(Number).filter((t) => t !== AT_HWCAP2);
      return `auxv types (as a set): ${types.sort((a, b) => a - b).join(" ")}`;
    })
    .sort().join("\n") + "\n";
}
