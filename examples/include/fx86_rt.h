/* fx86_rt.h — a tiny C runtime for freestanding fx86 guests.
 *
 * Build a guest without libc:
 *   gcc -m32 -static -nostdlib -ffreestanding -fno-pie -no-pie \
 *       -fno-stack-protector -Iexamples/include \
 *       prog.c examples/include/fx86_rt.c examples/include/fx86_start.S -lgcc
 *
 * The functions have their libc names and (a subset of) their libc
 * behaviour, so one source can be built against either this runtime or the
 * system libc: system calls return -1 and set errno on failure, printf
 * understands the common conversions. Output is not buffered: each printf
 * is one write(2), so nothing is lost if the guest stops abruptly.
 */
#ifndef FX86_RT_H
#define FX86_RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2

/* open(2) flags (Linux i386 values). */
#define O_RDONLY 0
#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_TRUNC 01000
#define O_APPEND 02000

typedef int ssize_t;

/* The error number of the last failed system call (Linux values). */
extern int errno;

/* ---- system calls (int 0x80) --------------------------------------------- */
ssize_t read(int fd, void *buf, size_t len);
ssize_t write(int fd, const void *buf, size_t len);
int open(const char *path, int flags, ...); /* a third argument: the mode, with O_CREAT */
int close(int fd);
__attribute__((noreturn)) void exit(int status); /* exit_group: the whole process */

/* Writes all `len` bytes (write(2) may write fewer). Returns 0, or -1. */
int write_all(int fd, const void *buf, size_t len);

/* ---- strings and memory --------------------------------------------------- */
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
char *strcpy(char *dst, const char *src);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
int atoi(const char *s); /* optional sign, decimal digits; stops at the first other character */

/* ---- formatted output ----------------------------------------------------- *
 * Conversions: %d %i %u %x %X %c %s %p %%, with length l (32-bit, as on i386)
 * or ll (64-bit), flags '-' (left-justify) and '0' (zero-pad), a width
 * (digits or *) and, for %s only, a precision (.digits or .*: at most that
 * many bytes). Anything else is printed as written. printf and dprintf write
 * at most 1023 bytes per call (the rest is cut). */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* FX86_RT_H */
