/**
 * The fixed CPUID answers of every fx86 guest: an i686 with an x87 FPU,
 * TSC, CMPXCHG8B, CMOV, MMX, SSE, SSE2, FXSAVE and CLFLUSH, and nothing
 * the host has. The vendor is "GenuineIntel" (as qemu-i386 says): glibc
 * reads the feature bits of leaf 1 only for the vendors it knows, and
 * would otherwise run its generic (non-SSE2) string functions.
 */

import { HWCAP } from "../linux/hwcap.ts";

/** Leaf 1 EDX feature bits (the same value Linux passes as AT_HWCAP). */
export const CPUID_FEATURES_EDX = HWCAP;

/** Leaf 1 EAX: family 6, model 1, stepping 1 (a Pentium Pro signature). */
export const CPUID_SIGNATURE = 0x611;

/** Leaf 1 EBX: CLFLUSH line size in bits 15..8, in 8-byte units (64 bytes). */
export const CPUID_LEAF1_EBX = 8 << 8;

/** The 12-byte vendor string of leaf 0 (EBX, EDX, ECX). */
export const CPUID_VENDOR = "GenuineIntel";

function vendorWord(k: number): number {
  let v = 0;
  for (let i = 0; i < 4; i++) v |= CPUID_VENDOR.charCodeAt(k * 4 + i) << (8 * i);
  return v;
}

/**
 * [EAX, EBX, ECX, EDX] for a leaf. Leaves above the maximum return zeros.
 *
 * @example
 * cpuid(1)[3] === CPUID_FEATURES_EDX;
 */
export function cpuid(leaf: number): [number, number, number, number] {
  switch (leaf >>> 0) {
    case 0:
      return [1, vendorWord(0), vendorWord(2), vendorWord(1)];
    case 1:
      return [CPUID_SIGNATURE, CPUID_LEAF1_EBX, 0, CPUID_FEATURES_EDX];
    case 0x80000000:
      return [0x80000000, 0, 0, 0];
    default:
      return [0, 0, 0, 0];
  }
}
