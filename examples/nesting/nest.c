/* nest — a guest that hosts a guest that hosts a guest (docs/abi.md).
 *
 *   nest [LEVEL [LEVELS]]        (defaults: level 0 of 3)
 *
 * One freestanding program plays every level. argv[0] must be the path of
 * its own ELF blob in its tree (the manifest puts it at /bin/nest). A level
 * below LEVELS-1 loads itself into a sub-guest at /child, one level deeper:
 *
 *   - LOAD argv[0] as /child, with argv {argv[0], LEVEL+1, LEVELS};
 *   - COPY its own ELF into /child/fs at the same path (O(1): shared), so
 *     that the child can do the same in turn;
 *   - RUN /child in slices of a fixed budget, resuming it after each
 *     BUDGET / BUDGET_IN_RUN stop until it exits, and after every RUN
 *     forwards what the child wrote since the last one (READ of its
 *     stdout/stderr blobs at an offset) to its own stdout/stderr.
 *
 * The last level is the leaf: it counts the primes below 100000 with a sieve
 * and prints them with a checksum (about 1.6 million instructions).
 *
 * The leaf's parent gives it slices of 400000 instructions, so the leaf
 * stops with BUDGET four times before it finishes. Higher levels give slices
 * of 700000, which run out while their child is inside its own RUN: they see
 * BUDGET_IN_RUN (level 0 twice), peek at their grandchild's instruction
 * count through the tree (/child/fs/child/cpu/icount), and resume. The
 * output is in nesting.yaml.
 *
 * Natively (no fx86) the leaf runs as is: `nest 2` prints the same result.
 * Any other level dies with SIGILL at its first Fx86 instruction.
 */
#include "fx86.h"
#include "fx86_rt.h"

#define LEAF_SLICE 400000u /* what the leaf's parent gives per RUN */
#define SLICE 700000u      /* what every other level gives per RUN */
#define PRIME_LIMIT 100000

static int level, levels;

/* Every line starts with the level, indented by it, so the tree shows. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
    char line[512];
    int n = snprintf(line, sizeof line, "%*s[%d] ", 2 * level, "", level);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - n, fmt, ap);
    va_end(ap);
    write_all(STDOUT_FILENO, line, strlen(line));
}

static __attribute__((noreturn)) void die(const char *what, int err) {
    say("error: %s failed with -%d\n", what, -err);
    exit(1);
}

/* ---- the leaf: real work ------------------------------------------------- */

static unsigned char composite[PRIME_LIMIT];

static int leaf(void) {
    say("leaf: counting the primes below %d\n", PRIME_LIMIT);
    for (int i = 2; i * i < PRIME_LIMIT; i++) {
        if (composite[i]) continue;
        for (int j = i * i; j < PRIME_LIMIT; j += i) composite[j] = 1;
    }
    uint32_t count = 0, sum = 0, hash = 2166136261u; /* FNV-1a over the primes */
    for (int i = 2; i < PRIME_LIMIT; i++) {
        if (composite[i]) continue;
        count++;
        sum += (uint32_t)i;
        for (int b = 0; b < 32; b += 8) hash = (hash ^ ((uint32_t)i >> b & 0xff)) * 16777619u;
    }
    say("leaf: %u primes, sum %u, FNV-1a %08x\n", count, sum, hash);
    return 0;
}

/* ---- a host level ----------------------------------------------------------- */

/* Copies what the child wrote to `blob` since *offset to our own fd. */
static void forward(const char *blob, uint32_t *offset, int fd) {
    static char buf[4096];
    for (;;) {
        int n = fx86_read(blob, buf, sizeof buf, *offset);
        if (n < 0) die(blob, n);
        if (n == 0) return;
        write_all(fd, buf, (uint32_t)n);
        *offset += (uint32_t)n;
    }
}

/* Makes every missing directory above `path` (an absolute path). */
static void mkdir_parents(const char *path) {
    char dir[512];
    strcpy(dir, path);
    char *slash = dir + strlen(dir);
    while (slash > dir && *slash != '/') slash--;
    if (slash == dir) return; /* directly under the root */
    *slash = 0;
    int r = fx86_mkdir(dir, 1);
    if (r < 0 && r != -FX86_EEXIST) die("MKDIR", r);
}

static int host(const char *self) {
    char depth[12], total[12], inside[512];
    snprintf(depth, sizeof depth, "%d", level + 1);
    snprintf(total, sizeof total, "%d", levels);
    char *argv[] = {(char *)self, depth, total, 0};

    say("level %d of %d: loading %s into /child as level %d\n", level, levels, self, level + 1);
    int r = fx86_load(self, "/child", argv, 0);
    if (r < 0) {
        say("cannot LOAD %s (-%d): argv[0] must be this program's path in the guest's tree\n",
            self, -r);
        return 1;
    }
    /* The child's file system starts empty: give it our ELF, so it can nest. */
    snprintf(inside, sizeof inside, "/child/fs%s", self);
    mkdir_parents(inside);
    if ((r = fx86_copy(self, inside)) < 0) die("COPY", r);

    const uint64_t slice = level == levels - 2 ? LEAF_SLICE : SLICE;
    uint64_t used = 0;
    uint32_t out = 0, err = 0, code = 0;
    int runs = 0, stop;
    for (;;) {
        uint64_t budget = slice;
        say("RUN /child with a budget of %llu\n", (unsigned long long)slice);
        stop = fx86_run("/child", &budget, &code);
        if (stop < 0) die("RUN", stop);
        runs++;
        used += slice - budget;
        forward("/child/stdout", &out, STDOUT_FILENO);
        forward("/child/stderr", &err, STDERR_FILENO);
        if (stop != FX86_BUDGET && stop != FX86_BUDGET_IN_RUN) break;
        if (stop == FX86_BUDGET) {
            say("-> BUDGET: level %d used all %llu; resuming it\n", level + 1,
                (unsigned long long)slice);
        } else {
            /* The child is stopped inside its RUN; its own child's state is
             * in our tree too, so we can look at it. */
            uint64_t icount = 0;
            r = fx86_read("/child/fs/child/cpu/icount", &icount, sizeof icount, 0);
            say("-> BUDGET_IN_RUN: level %d used all %llu inside its RUN; level %d has run "
                "%llu instructions of its own; resuming\n",
                level + 1, (unsigned long long)slice, level + 2,
                r == 8 ? (unsigned long long)icount : 0ull);
        }
    }
    if (stop == FX86_EXITED) {
        say("-> EXITED: level %d exited with status %u after %llu instructions in %d runs\n",
            level + 1, code, (unsigned long long)used, runs);
        return code == 0 ? 0 : 1;
    }
    say("-> %s: level %d stopped (code %u) after %llu instructions\n", fx86_stop_name(stop),
        level + 1, code, (unsigned long long)used);
    return 1;
}

int main(int argc, char **argv) {
    level = argc > 1 ? atoi(argv[1]) : 0;
    levels = argc > 2 ? atoi(argv[2]) : 3;
    if (levels < 1 || level < 0 || level >= levels) {
        dprintf(STDERR_FILENO, "usage: nest [LEVEL [LEVELS]] with 0 <= LEVEL < LEVELS\n");
        return 2;
    }
    if (level == levels - 1) return leaf();
    /* The path of our ELF blob: argv[0], made absolute from the root (where
     * fx86 starts guests). */
    const char *name = argv[0];
    while (name[0] == '.' && name[1] == '/') name += 2;
    char self[256];
    snprintf(self, sizeof self, "%s%s", name[0] == '/' ? "" : "/", name);
    return host(self);
}
