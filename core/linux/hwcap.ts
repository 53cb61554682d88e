/**
 * The processor features fx86 reports, shared by the ELF loader (AT_HWCAP)
 * and the CPU's CPUID leaf 1, so that a program sees the same answer
 * whichever way it asks.
 *
 * On x86 the kernel passes CPUID.01H:EDX unchanged as AT_HWCAP. fx86 is an
 * i686 with an x87 FPU, RDTSC, CMPXCHG8B and CMOV, and the MMX, SSE and
 * SSE2 units with FXSAVE/FXRSTOR and CLFLUSH (docs/sse.md). System
 * features (VME, DE, PSE, MSR, PAE, APIC, SEP, ...) are not reported: user
 * code cannot use them, and SEP would invite SYSENTER, which is not the
 * system-call gate here (`int 0x80` is).
 *
 * @example
 * import { HWCAP } from "../linux/hwcap.ts";
 * cpu.r[EDX] = HWCAP; // CPUID leaf 1
 */
/** The CPUID.01H:EDX feature bits fx86 has. */
export const HWCAP_FPU = 1 << 0,
  HWCAP_TSC = 1 << 4,
  HWCAP_CX8 = 1 << 8,
  HWCAP_CMOV = 1 << 15,
  HWCAP_CLFSH = 1 << 19,
  HWCAP_MMX = 1 << 23,
  HWCAP_FXSR = 1 << 24,
  HWCAP_SSE = 1 << 25,
  HWCAP_SSE2 = 1 << 26;

/** CPUID.01H:EDX and AT_HWCAP: FPU TSC CX8 CMOV CLFSH MMX FXSR SSE SSE2 = 0x07888111. */
export const HWCAP = HWCAP_FPU | HWCAP_TSC | HWCAP_CX8 | HWCAP_CMOV | HWCAP_CLFSH | HWCAP_MMX | HWCAP_FXSR |
  HWCAP_SSE | HWCAP_SSE2;

/** AT_HWCAP2: no ring-3 MWAIT, no FSGSBASE. */
export const HWCAP2 = 0;

/** AT_PLATFORM, and `uname -m`. */
export const PLATFORM = "i686";
