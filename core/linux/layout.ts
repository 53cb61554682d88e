/**
 * Where things live in a guest's address space. These are fixed, so a
 * program's addresses are the same on every run (like Linux with address
 * space randomisation off); docs/linux.md draws the picture.
 */

/** End of user space: a 3 GiB / 1 GiB split, as on an i386 kernel. */
export const TASK_SIZE = 0xc0000000;

/** The initial stack ends here (exclusive); it is mapped below. */
export const STACK_TOP = TASK_SIZE;

/** Size of the initial stack mapping (RLIMIT_STACK's default, 8 MiB). */
export const STACK_SIZE = 8 * 1024 * 1024;

/** Lowest address of the stack mapping. */
export const STACK_BOTTOM = STACK_TOP - STACK_SIZE;

/**
 * mmap places mappings top-down below this address. Linux leaves at least
 * 128 MiB between the stack top and the mmap area.
 */
export const MMAP_TOP = STACK_TOP - 128 * 1024 * 1024;

/** Nothing may be mapped below this address (vm.mmap_min_addr). */
export const MMAP_MIN = 0x10000;

/**
 * Load address of position-independent executables (static-pie): the
 * address 32-bit PIEs get on Linux with randomisation off.
 */
export const PIE_BASE = 0x56555000;
