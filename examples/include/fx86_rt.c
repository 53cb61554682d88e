/* fx86_rt.c — a tiny C runtime for freestanding fx86 guests (see fx86_rt.h).
 *
 * Everything a small program needs and nothing more: the C entry point,
 * four system calls, string helpers (GCC may also emit calls to memcpy,
 * memset and memmove by itself, even with -ffreestanding), and a printf
 * that is enough for messages and numbers.
 */
#include "fx86_rt.h"

int errno;

int main(int argc, char **argv, char **envp);

/* Called by _start (fx86_start.S) with the start-up stack's contents. */
__attribute__((noreturn, used)) void fx86_start_c(int argc, char **argv, char **envp) {
    exit(main(argc, argv, envp));
}

/* ---- system calls ---------------------------------------------------------
 * Linux i386: number in EAX, arguments in EBX, ECX, EDX; `int 0x80`; result
 * in EAX, -4095..-1 meaning -errno. */

#define SYS_exit_group 252
#define SYS_read 3
#define SYS_write 4
#define SYS_open 5
#define SYS_close 6

static int syscall3(int nr, int a, int b, int c) {
    int r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return r;
}

/* The libc convention: -1 and errno instead of -errno. */
static int check(int r) {
    if (r < 0 && r > -4096) {
        errno = -r;
        return -1;
    }
    return r;
}

ssize_t read(int fd, void *buf, size_t len) {
    return check(syscall3(SYS_read, fd, (int)buf, (int)len));
}

ssize_t write(int fd, const void *buf, size_t len) {
    return check(syscall3(SYS_write, fd, (int)buf, (int)len));
}

int open(const char *path, int flags, ...) {
    int mode = 0;
    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, int);
        va_end(ap);
    }
    return check(syscall3(SYS_open, (int)path, flags, mode));
}

int close(int fd) {
    return check(syscall3(SYS_close, fd, 0, 0));
}

void exit(int status) {
    for (;;) syscall3(SYS_exit_group, status, 0, 0);
}

int write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* ---- strings and memory --------------------------------------------------- */

size_t strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

int strcmp(const char *a, const char *b) {
    while (*a && *a == *b) a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

char *strcpy(char *dst, const char *src) {
    char *d = dst;
    while ((*d++ = *src++)) {}
    return dst;
}

/* GCC may recognise these loops as memcpy/memset and compile them into
 * calls to themselves; the Makefile's -fno-tree-loop-distribute-patterns
 * prevents that. */
void *memcpy(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) {
        while (n--) *d++ = *s++;
    } else {
        while (n--) d[n] = s[n];
    }
    return dst;
}

void *memset(void *dst, int c, size_t n) {
    unsigned char *d = dst;
    while (n--) *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++) {
        if (*x != *y) return *x - *y;
    }
    return 0;
}

int atoi(const char *s) {
    int sign = 1, v = 0;
    if (*s == '-' || *s == '+') sign = *s++ == '-' ? -1 : 1;
    while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
    return sign * v;
}

/* ---- formatted output ----------------------------------------------------- */

/* Appends to a bounded buffer, counting what would have been written. */
struct sink {
    char *buf;
    size_t size, len;
};

static void put(struct sink *s, char c) {
    if (s->len + 1 < s->size) s->buf[s->len] = c;
    s->len++;
}

/* Divides the 64-bit *v by `base` in place and returns the remainder, using
 * only 32-bit divisions (16 bits at a time), so that the runtime does not
 * need libgcc's __udivdi3. */
static unsigned divmod64(uint64_t *v, unsigned base) {
    uint32_t r = 0;
    uint64_t q = 0;
    for (int shift = 48; shift >= 0; shift -= 16) {
        uint32_t cur = r << 16 | (uint32_t)(*v >> shift & 0xffff);
        q |= (uint64_t)(cur / base) << shift;
        r = cur % base;
    }
    *v = q;
    return r;
}

/* One number: its digits, a sign, and padding to `width`. */
static void put_number(struct sink *s, uint64_t v, int negative, unsigned base, int upper,
                       int width, int left, int zero) {
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    do tmp[n++] = digits[divmod64(&v, base)]; while (v);
    int len = n + negative;
    if (negative && zero) put(s, '-');
    if (!left) {
        for (; len < width; width--) put(s, zero ? '0' : ' ');
    }
    if (negative && !zero) put(s, '-');
    while (n) put(s, tmp[--n]);
    if (left) {
        for (; len < width; width--) put(s, ' ');
    }
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) {
    struct sink s = {buf, size, 0};
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&s, *fmt);
            continue;
        }
        const char *start = fmt++;
        int left = 0, zero = 0, width = 0, longs = 0;
        for (;; fmt++) {
            if (*fmt == '-') left = 1;
            else if (*fmt == '0') zero = 1;
            else break;
        }
        if (*fmt == '*') {
            width = va_arg(ap, int);
            if (width < 0) left = 1, width = -width;
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        int precision = -1; /* for %s: print at most this many bytes */
        if (*fmt == '.') {
            fmt++;
            precision = 0;
            if (*fmt == '*') {
                precision = va_arg(ap, int);
                fmt++;
            }
            while (*fmt >= '0' && *fmt <= '9') precision = precision * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l') longs++, fmt++;
        if (left) zero = 0;
        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = longs >= 2 ? va_arg(ap, int64_t) : va_arg(ap, int32_t);
            uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
            put_number(&s, mag, v < 0, 10, 0, width, left, zero);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = longs >= 2 ? va_arg(ap, uint64_t) : va_arg(ap, uint32_t);
            put_number(&s, v, 0, *fmt == 'u' ? 10 : 16, *fmt == 'X', width, left, zero);
            break;
        }
        case 'p':
            put(&s, '0');
            put(&s, 'x');
            put_number(&s, (uint32_t)va_arg(ap, void *), 0, 16, 0, 0, 0, 0);
            break;
        case 'c':
            put(&s, (char)va_arg(ap, int));
            break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str) str = "(null)";
            int len = 0;
            while (str[len] && (precision < 0 || len < precision)) len++;
            if (!left) for (; len < width; width--) put(&s, ' ');
            for (int i = 0; i < len; i++) put(&s, str[i]);
            if (left) for (; len < width; width--) put(&s, ' ');
            break;
        }
        case '%':
            put(&s, '%');
            break;
        default: /* unknown: print the directive as it was written */
            for (; start <= fmt && *start; start++) put(&s, *start);
            if (!*fmt) fmt--;
            break;
        }
    }
    if (size) buf[s.len < size ? s.len : size - 1] = 0;
    return (int)s.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

static int vdprintf_(int fd, const char *fmt, va_list ap) {
    char buf[1024];
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    if (n > (int)sizeof buf - 1) n = sizeof buf - 1;
    return write_all(fd, buf, (size_t)n) < 0 ? -1 : n;
}

int dprintf(int fd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vdprintf_(fd, fmt, ap);
    va_end(ap);
    return n;
}

int printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vdprintf_(STDOUT_FILENO, fmt, ap);
    va_end(ap);
    return n;
}
