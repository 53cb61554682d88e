/* fx86.h — the Fx86 instructions for C guests (the contract: docs/abi.md).
 *
 * Every fx86 guest can execute `0F 0A ib` (FX86 fn): RUN a sub-guest for a
 * budget, and operate on its own data tree (which is also its file system:
 * the paths below are ordinary file names, `/` being the guest's root).
 *
 * Each function here is one instruction wrapped in inline assembly. They
 * need nothing but the compiler, so this header works in freestanding
 * programs (`gcc -m32 -static -nostdlib -ffreestanding`, with fx86_rt.c) and
 * in programs linked with the system libc alike.
 *
 * Results follow the system-call convention: >= 0 is success, a negative
 * value is -errno (FX86_ENOENT, ... below). On real hardware `0F 0A` is an
 * undefined opcode: the program dies with SIGILL at its first Fx86 call.
 */
#ifndef FX86_H
#define FX86_H

#include <stdint.h>

#if !defined(__i386__)
#error "fx86.h is for 32-bit x86 guests: compile with gcc -m32"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- function numbers (the immediate byte) ------------------------------ */
#define FX86_FN_RUN     0x00
#define FX86_FN_READ    0x01
#define FX86_FN_WRITE   0x02
#define FX86_FN_REPLACE 0x03
#define FX86_FN_LIST    0x04
#define FX86_FN_STAT    0x05
#define FX86_FN_COPY    0x06
#define FX86_FN_REMOVE  0x07
#define FX86_FN_MKDIR   0x08
#define FX86_FN_LOAD    0x09

/* ---- RUN stop codes (fx86_run's result when >= 0) ------------------------ */
#define FX86_EXITED        0 /* exited; *code = exit status (128+N if killed by signal N) */
#define FX86_BUDGET        1 /* the budget ran out between two instructions */
#define FX86_FAULT         2 /* faulted; *code = FX86_FAULT_*; `status` blob has details */
#define FX86_DEADLOCK      3 /* waits for something that can never happen */
#define FX86_BUDGET_IN_RUN 4 /* the budget ran out while the sub-guest was inside its own RUN */

/* ---- fault codes (*code after FX86_FAULT) -------------------------------- */
#define FX86_FAULT_PAGE               1
#define FX86_FAULT_UNDEFINED_OPCODE   2
#define FX86_FAULT_PRIVILEGED         3
#define FX86_FAULT_DIVIDE             4
#define FX86_FAULT_BREAKPOINT         5
#define FX86_FAULT_INTERRUPT          6
#define FX86_FAULT_BOUND              7
#define FX86_FAULT_X87                8
#define FX86_FAULT_GENERAL_PROTECTION 9

/* ---- errors, returned negated (Linux i386 errno values) ------------------ *
 * Own names, so that they never clash with <errno.h> in libc programs.      */
#define FX86_ENOEXEC  8  /* LOAD: the blob is not a usable i386 ELF */
#define FX86_ENOENT   2  /* no such path */
#define FX86_EFAULT  14  /* a pointer argument is not accessible guest memory */
#define FX86_EEXIST  17  /* MKDIR: already exists */
#define FX86_ENOTDIR 20  /* a path component (or LIST's target) is not a directory */
#define FX86_EISDIR  21  /* a blob operation on a directory */
#define FX86_EINVAL  22  /* bad arguments; RUN on a directory that is not a guest */
#define FX86_ELOOP   40  /* RUN nested deeper than 64 levels */

/* ---- STAT ---------------------------------------------------------------- */
#define FX86_KIND_BLOB 1
#define FX86_KIND_DIR  2

/* What fx86_stat fills in: exactly 48 bytes, the layout of docs/abi.md. */
struct fx86_stat {
    uint32_t kind;     /* FX86_KIND_BLOB or FX86_KIND_DIR */
    uint32_t reserved;
    uint64_t size;     /* a blob's bytes, or a directory's number of entries */
    uint8_t hash[32];  /* the node's SHA-256 (docs/tree.md): equal hash = equal content */
};
#ifdef __cplusplus
static_assert(sizeof(struct fx86_stat) == 48, "struct fx86_stat must be 48 bytes");
#else
_Static_assert(sizeof(struct fx86_stat) == 48, "struct fx86_stat must be 48 bytes");
#endif

/* The instruction itself. `fn` must be a compile-time constant (it is the
 * immediate byte). Flags and unlisted registers are preserved, but memory
 * may be read or written through the pointer arguments: hence "memory". */
#define FX86_INSN ".byte 0x0f, 0x0a, %c[fx86_fn]"
#define FX86_FN_OPERAND(fn) [fx86_fn] "i"(fn)

/* RUN — run the sub-guest whose state is the directory `guest` for at most
 * *budget instructions (its own and its sub-guests'), then write its new
 * state back in place.
 *
 * Returns a stop code (FX86_EXITED ... FX86_BUDGET_IN_RUN) or -errno.
 * *budget becomes the budget left, so `used = before - *budget`, and calling
 * fx86_run again with the same variable resumes the sub-guest with what is
 * left (after topping it up). *code (if code is not NULL) receives the exit
 * status after FX86_EXITED, the fault code after FX86_FAULT, else 0.
 *
 * If the caller's own budget runs out during the call, the caller stops
 * inside RUN, with the registers holding the budget left; resuming it
 * re-executes RUN, so C code never notices. */
static inline int fx86_run(const char *guest, uint64_t *budget, uint32_t *code) {
    uint32_t lo = (uint32_t)*budget, hi = (uint32_t)(*budget >> 32);
    uint32_t esi = 0;
    int r;
    __asm__ volatile(FX86_INSN
                     : "=a"(r), "+c"(lo), "+d"(hi), "+S"(esi)
                     : "b"(guest), FX86_FN_OPERAND(FX86_FN_RUN)
                     : "memory");
    *budget = (uint64_t)hi << 32 | lo;
    if (code) *code = (r == FX86_EXITED || r == FX86_FAULT) ? esi : 0;
    return r;
}

/* READ — copy up to `len` bytes of the blob at `path`, starting at byte
 * `offset`, into `buf`. Returns the number of bytes read (0 at or past the
 * end) or -errno. */
static inline int fx86_read(const char *path, void *buf, uint32_t len, uint32_t offset) {
    int r;
    __asm__ volatile(FX86_INSN
                     : "=a"(r)
                     : "b"(path), "c"(buf), "d"(len), "S"(offset), FX86_FN_OPERAND(FX86_FN_READ)
                     : "memory");
    return r;
}

/* WRITE — write `len` bytes from `buf` into the blob at `path` at byte
 * `offset`, creating the blob if missing (its parent directory must exist)
 * and zero-filling any gap past its end. Returns the bytes written or -errno. */
static inline int fx86_write(const char *path, const void *buf, uint32_t len, uint32_t offset) {
    int r;
    __asm__ volatile(FX86_INSN
                     : "=a"(r)
                     : "b"(path), "c"(buf), "d"(len), "S"(offset), FX86_FN_OPERAND(FX86_FN_WRITE)
                     : "memory");
    return r;
}

/* REPLACE — the blob at `path` becomes exactly these `len` bytes (created if
 * missing). Returns 0 or -errno. */
static inline int fx86_replace(const char *path, const void *buf, uint32_t len) {
    int r;
    __asm__ volatile(FX86_INSN
                     : "=a"(r)
                     : "b"(path), "c"(buf), "d"(len), FX86_FN_OPERAND(FX86_FN_REPLACE)
                     : "memory");
    return r;
}

/* LIST — the names in the directory at `path`, in order, each followed by a
 * NUL. Returns the size of the whole listing (or -errno) and fills `buf` only
 * if that fits in `size`; call with size 0 to learn how much room it needs. */
static inline int fx86_list(const char *path, char *buf, uint32_t size) {
    int r;
    __asm__ volatile(FX86_INSN
                     : "=a"(r)
                     : "b"(path), "c"(buf), "d"(size), FX86_FN_OPERAND(FX86_FN_LIST)
                     : "memory");
    return r;
}

/* STAT — kind, size and hash of the node at `path`. Returns 0 or -errno. */
static inline int fx86_stat(const char *path, struct fx86_stat *st) {
    int r;
    __asm__ volatile(FX86_INSN
                     : "=a"(r)
                     : "b"(path), "c"(st), FX86_FN_OPERAND(FX86_FN_STAT)
                     : "memory");
    return r;
}

/* COPY — make `to` a copy of the node at `from` (a blob or a whole
 * directory), replacing whatever was there; the parent of `to` must exist.
 * Costs O(1): both share every node. Returns 0 or -errno. */
static inline int fx86_copy(const char *from, const char *to) {
    int r;
    __asm__ volatile(FX86_INSN
                     : "=a"(r)
                     : "b"(from), "c"(to), FX86_FN_OPERAND(FX86_FN_COPY)
                     : "memory");
    return r;
}

/* REMOVE — delete the blob or whole directory at `path`. Returns 0 or -errno. */
static inline int fx86_remove(const char *path) {
    int r;
    __asm__ volatile(FX86_INSN
                     : "=a"(r)
                     : "b"(path), FX86_FN_OPERAND(FX86_FN_REMOVE)
                     : "memory");
    return r;
}

/* MKDIR — create the directory `path`; with `parents` nonzero also any
 * missing ancestors. Returns 0, -FX86_EEXIST if it exists, or -errno. */
static inline int fx86_mkdir(const char *path, int parents) {
    int r;
    __asm__ volatile(FX86_INSN
                     : "=a"(r)
                     : "b"(path), "c"(parents ? 1 : 0), FX86_FN_OPERAND(FX86_FN_MKDIR)
                     : "memory");
    return r;
}

/* LOAD — make the directory `guest` a new sub-guest that has not run yet:
 * the ELF blob at `elf` loaded, a start-up stack with `argv` and `envp`
 * (NULL-terminated arrays; envp may be NULL), an empty file tree (`fs/`) and
 * empty stdin. Fill its tree and stdin, then fx86_run it. Returns 0 or
 * -errno (-FX86_ENOEXEC if the blob is not a usable ELF). */
static inline int fx86_load(const char *elf, const char *guest,
                            char *const argv[], char *const envp[]) {
    int r;
    __asm__ volatile(FX86_INSN
                     : "=a"(r)
                     : "b"(elf), "c"(guest), "d"(argv), "S"(envp), FX86_FN_OPERAND(FX86_FN_LOAD)
                     : "memory");
    return r;
}

/* The name of a stop code (for messages). */
static inline const char *fx86_stop_name(int stop) {
    switch (stop) {
    case FX86_EXITED: return "EXITED";
    case FX86_BUDGET: return "BUDGET";
    case FX86_FAULT: return "FAULT";
    case FX86_DEADLOCK: return "DEADLOCK";
    case FX86_BUDGET_IN_RUN: return "BUDGET_IN_RUN";
    default: return stop < 0 ? "error" : "unknown";
    }
}

#ifdef __cplusplus
}
#endif
#endif /* FX86_H */
