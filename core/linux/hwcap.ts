/**
 * The processor features fx86 reports, shared by the ELF loader (AT_HWCAP)
 * and the CPU's CPUID leaf 1, so that a program sees the same answer
 * whichever way it asks.
 *
 * On x86 the kernel passes CPUID.01H:EDX unchanged as AT_HWCAP. fx86 is a
 * plain i686 for user code: an x87 FPU, RDTSC, CMPXCHG8B and CMOV. System
 * features (VME, DE, PSE, MSR, PAE, APIC, SEP, ...) are not reported: user
 * code cannot use them, and SEP would invite SYSENTER, which is not the
 * system-call gate here (`int 0x80` is). MMX/SSE/SSE2 bits join when those
 * units exist.
 *
 * @example
 * import { HWCAP } from "../linux/hwcap.ts";
 * cpu.r[EDX] = HWCAP; // CPUID leaf 1
 */
/** The CPUID.01H:EDX feature bits fx86 has. */
export const HWCAP_FPU = 1 << 0,
  HWCAP_TSC = 1 << 4,
  HWCAP_CX8 = 1 << 8,
  HWCAP_CMOV = 1 << 15;

/** CPUID.01H:EDX and AT_HWCAP: FPU | TSC | CX8 | CMOV = 0x8111. */
export const HWCAP = HWCAP_FPU | HWCAP_TSC | HWCAP_CX8 | HWCAP_CMOV;

/** AT_HWCAP2: no ring-3 MWAIT, no FSGSBASE. */
export const HWCAP2 = 0;

/** AT_PLATFORM, and `uname -m`. */
export const PLATFORM = "i686";
