/* The Fx86 ABI through examples/include/fx86.h, as a guest sees it.
 *
 * Built twice by abi.test.ts — freestanding (-DFREESTANDING, with fx86_rt.c)
 * and with static glibc — and run under fx86 with its own ELF at /abi, so
 * both ways of using the header are checked against docs/abi.md. Prints one
 * line per check ("ok ..." or "FAIL ...") and exits with the number of
 * failures.
 *
 * Modes (argv[1]), for the sub-guests it LOADs from its own ELF:
 *   (none)          run the checks
 *   echo            read stdin, write "echo: <it>" to stdout, exit 7
 *   ud2 / divide    fault
 *   spin N          loop N times, exit 0
 *   host N          LOAD itself as "spin N" into /g, RUN it with a large
 *                   budget, print the stop, exit 0
 */
#include "fx86.h"
#ifdef FREESTANDING
#include "fx86_rt.h"
#else
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#endif

static int failures;
static const char *self = "/abi";

#define CHECK(cond, ...)                                  \
    do {                                                  \
        if (cond) {                                       \
            printf("ok   " __VA_ARGS__);                  \
        } else {                                          \
            failures++;                                   \
            printf("FAIL line %d: ", __LINE__);           \
            printf(__VA_ARGS__);                          \
        }                                                 \
    } while (0)

/* ---- sub-guest modes --------------------------------------------------------- */

static int echo(void) {
    char buf[256];
    int n = (int)read(0, buf, sizeof buf - 1);
    if (n < 0) n = 0;
    buf[n] = 0;
    printf("echo: %s", buf);
    return 7;
}

static int spin(int n) {
    volatile int acc = 0;
    for (int i = 0; i < n; i++) acc += i;
    return 0;
}

/* A guest that hosts a guest: what makes BUDGET_IN_RUN happen above it. */
static int host(const char *n) {
    char *argv[] = {"/abi", "spin", (char *)n, 0};
    if (fx86_load("/abi", "/g", argv, 0) < 0) return 100;
    uint64_t budget = 1000000000;
    uint32_t code;
    int stop = fx86_run("/g", &budget, &code);
    printf("host: %s %u\n", fx86_stop_name(stop), code);
    return stop == FX86_EXITED ? 0 : 1;
}

/* ---- checks ------------------------------------------------------------------- */

static int blob_is(const char *path, const char *want, uint32_t len) {
    char buf[256];
    int n = fx86_read(path, buf, sizeof buf, 0);
    return n == (int)len && memcmp(buf, want, len) == 0;
}

static void tree_ops(void) {
    struct fx86_stat st, st2;
    char buf[64];
    int r;

    CHECK(fx86_mkdir("/t", 0) == 0, "MKDIR /t\n");
    CHECK(fx86_mkdir("/t", 0) == -FX86_EEXIST, "MKDIR /t again: -EEXIST\n");
    CHECK(fx86_mkdir("/a/b/c", 0) == -FX86_ENOENT, "MKDIR without parents: -ENOENT\n");
    CHECK(fx86_mkdir("/a/b/c", 1) == 0, "MKDIR with parents\n");
    CHECK(fx86_stat("/a/b", &st) == 0 && st.kind == FX86_KIND_DIR && st.size == 1,
          "STAT of a directory: kind 2, 1 entry\n");

    CHECK(fx86_replace("/t/x", "hello", 5) == 0, "REPLACE creates a blob\n");
    r = fx86_stat("/t/x", &st);
    CHECK(r == 0 && st.kind == FX86_KIND_BLOB && st.size == 5, "STAT of a blob: kind 1, 5 bytes\n");
    r = fx86_read("/t/x", buf, sizeof buf, 1);
    CHECK(r == 4 && memcmp(buf, "ello", 4) == 0, "READ at an offset\n");
    CHECK(fx86_read("/t/x", buf, 2, 0) == 2, "READ no more than asked\n");
    CHECK(fx86_read("/t/x", buf, sizeof buf, 5) == 0, "READ at the end: 0\n");
    CHECK(fx86_read("/t/x", buf, sizeof buf, 100) == 0, "READ past the end: 0\n");

    CHECK(fx86_write("/t/x", "XY", 2, 7) == 2, "WRITE past the end\n");
    CHECK(blob_is("/t/x", "hello\0\0XY", 9), "WRITE zero-fills the gap\n");
    CHECK(fx86_write("/t/x", "J", 1, 0) == 1 && blob_is("/t/x", "Jello\0\0XY", 9),
          "WRITE in the middle keeps the rest\n");
    CHECK(fx86_replace("/t/x", "hi", 2) == 0 && blob_is("/t/x", "hi", 2), "REPLACE truncates\n");
    CHECK(fx86_write("/t/new", "n", 1, 0) == 1 && blob_is("/t/new", "n", 1), "WRITE creates a blob\n");
    CHECK(fx86_write("/nope/f", "n", 1, 0) == -FX86_ENOENT, "WRITE without a parent: -ENOENT\n");
    CHECK(fx86_read("/nope", buf, 1, 0) == -FX86_ENOENT, "READ of nothing: -ENOENT\n");
    CHECK(fx86_read("/t", buf, 1, 0) == -FX86_EISDIR, "READ of a directory: -EISDIR\n");
    CHECK(fx86_replace("/t", "x", 1) == -FX86_EISDIR, "REPLACE of a directory: -EISDIR\n");
    CHECK(fx86_read("/t/x/y", buf, 1, 0) == -FX86_ENOTDIR, "a blob as a directory: -ENOTDIR\n");
    CHECK(fx86_stat("/t/x", (struct fx86_stat *)16) == -FX86_EFAULT, "STAT to a bad pointer: -EFAULT\n");

    /* The tree is the file system, both ways. */
    int fd = open("/t/x", O_RDONLY);
    r = fd < 0 ? -1 : (int)read(fd, buf, sizeof buf);
    CHECK(r == 2 && memcmp(buf, "hi", 2) == 0, "open/read sees what REPLACE wrote\n");
    if (fd >= 0) close(fd);
    fd = open("/t/file", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        r = (int)write(fd, "from write(2)", 13);
        close(fd);
    }
    CHECK(blob_is("/t/file", "from write(2)", 13), "READ sees what write(2) wrote\n");

    /* LIST: names in order, each followed by a NUL. */
    static const char names[] = "file\0new\0x";
    r = fx86_list("/t", 0, 0);
    CHECK(r == (int)sizeof names, "LIST with size 0 tells the size (%d)\n", r);
    memset(buf, '#', sizeof buf);
    CHECK(fx86_list("/t", buf, 3) == (int)sizeof names && buf[0] == '#', "LIST writes nothing if it does not fit\n");
    CHECK(fx86_list("/t", buf, sizeof buf) == (int)sizeof names && memcmp(buf, names, sizeof names) == 0,
          "LIST names in order\n");
    CHECK(fx86_list("/t/x", buf, sizeof buf) == -FX86_ENOTDIR, "LIST of a blob: -ENOTDIR\n");

    /* Equal content, equal hash; COPY shares; copies are independent. */
    fx86_replace("/t/h1", "same", 4);
    fx86_replace("/t/h2", "same", 4);
    fx86_stat("/t/h1", &st);
    fx86_stat("/t/h2", &st2);
    CHECK(memcmp(st.hash, st2.hash, 32) == 0, "equal blobs have equal hashes\n");
    CHECK(fx86_copy("/t", "/u") == 0, "COPY a directory\n");
    fx86_stat("/t", &st);
    fx86_stat("/u", &st2);
    CHECK(memcmp(st.hash, st2.hash, 32) == 0 && st2.kind == FX86_KIND_DIR, "a copy has the same hash\n");
    fx86_replace("/u/x", "changed", 7);
    CHECK(blob_is("/t/x", "hi", 2) && blob_is("/u/x", "changed", 7), "changing a copy leaves the original\n");
    CHECK(fx86_copy("/t/x", "/u") == 0 && blob_is("/u", "hi", 2), "COPY replaces whatever is at `to`\n");
    CHECK(fx86_copy("/t/x", "/none/x") == -FX86_ENOENT, "COPY without a parent: -ENOENT\n");
    CHECK(fx86_remove("/u") == 0 && fx86_stat("/u", &st) == -FX86_ENOENT, "REMOVE a blob\n");
    CHECK(fx86_remove("/a") == 0 && fx86_stat("/a/b/c", &st) == -FX86_ENOENT, "REMOVE a whole directory\n");
    CHECK(fx86_remove("/a") == -FX86_ENOENT, "REMOVE of nothing: -ENOENT\n");
}

static void load_and_run(void) {
    struct fx86_stat st;
    char buf[128];
    uint64_t budget;
    uint32_t code;
    int r, stop;

    char *echo_argv[] = {"/abi", "echo", 0};
    CHECK(fx86_load("/t/x", "/e", echo_argv, 0) == -FX86_ENOEXEC, "LOAD of a non-ELF blob: -ENOEXEC\n");
    CHECK(fx86_load("/missing", "/e", echo_argv, 0) == -FX86_ENOENT, "LOAD of nothing: -ENOENT\n");
    CHECK(fx86_load(self, "/e", echo_argv, 0) == 0, "LOAD\n");
    CHECK(fx86_stat("/e", &st) == 0 && st.kind == FX86_KIND_DIR, "a sub-guest is a directory\n");
    CHECK(fx86_stat("/e/stdin", &st) == 0 && st.size == 0, "with an empty stdin\n");
    CHECK(fx86_stat("/e/fs", &st) == 0 && st.kind == FX86_KIND_DIR && st.size == 0, "and an empty file tree\n");
    CHECK(fx86_replace("/e/stdin", "ping\n", 5) == 0, "REPLACE its stdin\n");

    budget = 10;
    stop = fx86_run("/e", &budget, &code);
    CHECK(stop == FX86_BUDGET && budget == 0 && code == 0, "RUN for 10: BUDGET, nothing left\n");
    budget = 100000000;
    stop = fx86_run("/e", &budget, &code);
    CHECK(stop == FX86_EXITED && code == 7, "RUN again: EXITED with status 7 (%d %u)\n", stop, code);
    uint64_t left = budget;
    CHECK(blob_is("/e/stdout", "echo: ping\n", 11), "its stdout blob\n");
    stop = fx86_run("/e", &budget, &code);
    CHECK(stop == FX86_EXITED && code == 7 && budget == left, "RUN of an exited guest: EXITED, no budget used\n");
    r = fx86_read("/e/status", buf, sizeof buf - 1, 0);
    buf[r > 0 ? r : 0] = 0;
    CHECK(r > 0 && buf[0] == '{', "a status blob: %s\n", buf);

    char *ud2_argv[] = {"/abi", "ud2", 0};
    fx86_load(self, "/f", ud2_argv, 0);
    budget = 1000000;
    stop = fx86_run("/f", &budget, &code);
    CHECK(stop == FX86_FAULT && code == FX86_FAULT_UNDEFINED_OPCODE, "ud2: FAULT, undefined-opcode\n");
    stop = fx86_run("/f", &budget, &code);
    CHECK(stop == FX86_FAULT && code == FX86_FAULT_UNDEFINED_OPCODE, "RUN of a faulted guest: FAULT again\n");
    char *div_argv[] = {"/abi", "divide", 0};
    fx86_load(self, "/f", div_argv, 0);
    budget = 1000000;
    stop = fx86_run("/f", &budget, &code);
    CHECK(stop == FX86_FAULT && code == FX86_FAULT_DIVIDE, "division by zero: FAULT, divide\n");

    budget = 1000;
    CHECK(fx86_run("/t", &budget, &code) == -FX86_EINVAL, "RUN of a directory that is no guest: -EINVAL\n");
    CHECK(fx86_run("/nothing", &budget, &code) == -FX86_ENOENT, "RUN of nothing: -ENOENT\n");
}

/* Prints the paths under which the trees `a` and `b` differ (for a failed
 * check): recursive LIST, comparing STAT hashes; small blobs are shown. */
static void diff_trees(const char *a, const char *b, int *budget) {
    struct fx86_stat sa, sb;
    if (*budget <= 0) return;
    int ra = fx86_stat(a, &sa), rb = fx86_stat(b, &sb);
    if (ra == 0 && rb == 0 && memcmp(sa.hash, sb.hash, 32) == 0) return;
    if (ra < 0 || rb < 0 || sa.kind != sb.kind || sa.kind == FX86_KIND_BLOB) {
        (*budget)--;
        printf("     differs: %s (%d %d, %llu %llu bytes)\n", a, ra, rb, (unsigned long long)sa.size,
               (unsigned long long)sb.size);
        char x[200], y[200];
        int nx = fx86_read(a, x, sizeof x - 1, 0), ny = fx86_read(b, y, sizeof y - 1, 0);
        if (sa.size < 200 && sb.size < 200 && nx >= 0 && ny >= 0) {
            printf("       %.*s\n       %.*s\n", nx, x, ny, y);
        }
        return;
    }
    static char names[8192];
    int n = fx86_list(a, names, sizeof names);
    if (n < 0 || n > (int)sizeof names) return;
    char copy[8192];
    memcpy(copy, names, (size_t)n);
    for (int i = 0; i < n; i += (int)strlen(copy + i) + 1) {
        char pa[512], pb[512];
        snprintf(pa, sizeof pa, "%s/%s", a, copy + i);
        snprintf(pb, sizeof pb, "%s/%s", b, copy + i);
        diff_trees(pa, pb, budget);
    }
}

/* The same two-level run, whole and in slices of 1000: BUDGET_IN_RUN on the
 * way, and in the end the same count and the same state (hash). */
static void nested_budgets(void) {
    char *argv[] = {"/abi", "host", "20000", 0};
    struct fx86_stat whole, sliced;
    uint64_t budget, used_whole, used_sliced = 0;
    uint32_t code;
    int stop, in_run = 0, runs = 0;

    fx86_mkdir("/w", 0);
    fx86_mkdir("/s", 0);
    fx86_load(self, "/w/h", argv, 0);
    fx86_mkdir("/w/h/fs", 1);
    fx86_copy(self, "/w/h/fs/abi");
    fx86_copy("/w", "/s");

    budget = 100000000;
    stop = fx86_run("/w/h", &budget, &code);
    used_whole = 100000000 - budget;
    CHECK(stop == FX86_EXITED && code == 0, "a guest that RUNs a guest exits (%s)\n", fx86_stop_name(stop));

    do {
        budget = 1000;
        stop = fx86_run("/s/h", &budget, &code);
        used_sliced += 1000 - budget;
        in_run += stop == FX86_BUDGET_IN_RUN;
        runs++;
    } while ((stop == FX86_BUDGET || stop == FX86_BUDGET_IN_RUN) && runs < 1000000);
    CHECK(stop == FX86_EXITED && code == 0, "in slices of 1000 too (%d runs)\n", runs);
    CHECK(in_run > 0, "with BUDGET_IN_RUN stops (%d)\n", in_run);
    CHECK(used_whole == used_sliced, "using the same budget (%llu, %llu)\n",
          (unsigned long long)used_whole, (unsigned long long)used_sliced);
    CHECK(blob_is("/s/h/stdout", "host: EXITED 0\n", 15), "its output\n");
    fx86_stat("/w/h", &whole);
    fx86_stat("/s/h", &sliced);
    CHECK(memcmp(whole.hash, sliced.hash, 32) == 0, "reaching the same state (hash)\n");
    int shown = 10;
    diff_trees("/w/h", "/s/h", &shown);
}

int main(int argc, char **argv) {
    if (argc > 1) {
        if (!strcmp(argv[1], "echo")) return echo();
        if (!strcmp(argv[1], "ud2")) __asm__ volatile("ud2");
        if (!strcmp(argv[1], "divide")) __asm__ volatile("xorl %%ecx, %%ecx; divl %%ecx" ::: "eax", "ecx", "edx");
        if (!strcmp(argv[1], "spin")) return spin(argc > 2 ? atoi(argv[2]) : 0);
        if (!strcmp(argv[1], "host")) return host(argc > 2 ? argv[2] : "0");
        return 99;
    }
    tree_ops();
    load_and_run();
    nested_budgets();
    printf("%d failures\n", failures);
    return failures;
}
