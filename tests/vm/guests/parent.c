/* The host guest of tests/vm/nested.test.ts. `parent MODE ARGS`:
 *   edit-reg                 set the child's EAX through its tree, RUN it
 *   edit-mem ADDR            patch the child's memory byte at ADDR, RUN it
 *   fault                    RUN a faulting child, carry on
 *   slices BUDGET            RUN /bin/child in slices of BUDGET until it exits
 *   nest DEPTH SLICE         a chain of DEPTH levels, each RUNning its child
 *                            in slices of SLICE (one level's budget runs out
 *                            and is resumed again and again) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "../../../examples/include/fx86.h"

static void load(const char *prog, char **argv) {
    int r = fx86_load(prog, "/child", argv, 0);
    if (r) { printf("load %s: %d\n", prog, r); exit(3); }
}

static int run_to_end(uint64_t slice, int *runs) {
    uint32_t code = 0;
    int stop;
    *runs = 0;
    do {
        uint64_t budget = slice;
        stop = fx86_run("/child", &budget, &code);
        ++*runs;
    } while (stop == FX86_BUDGET || stop == FX86_BUDGET_IN_RUN);
    return stop == FX86_EXITED ? (int)code : -stop;
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    const char *mode = argv[1];
    int runs;
    if (!strcmp(mode, "edit-reg")) {
        char *a[] = {"child", 0};
        load("/bin/exit_eax", a);
        uint32_t eax = 42;
        int r = fx86_write("/child/cpu/eax", &eax, 4, 0);
        printf("write eax: %d, child exit %d\n", r, run_to_end(~0ull >> 8, &runs));
    } else if (!strcmp(mode, "edit-mem")) {
        char *a[] = {"child", 0};
        load("/bin/exit_value", a);
        uint32_t addr = strtoul(argv[2], 0, 0);
        char page[64];
        snprintf(page, sizeof page, "/child/mem/pages/%03x/%03x", addr >> 22, (addr >> 12) & 0x3ff);
        uint8_t before = 0, v = 99;
        fx86_read(page, &before, 1, addr & 0xfff);
        int r = fx86_write(page, &v, 1, addr & 0xfff);
        printf("byte was %d, write %d, child exit %d\n", before, r, run_to_end(~0ull >> 8, &runs));
    } else if (!strcmp(mode, "fault")) {
        char *a[] = {"child", 0};
        load("/bin/undefined", a);
        uint64_t budget = 1000;
        uint32_t code = 0;
        int stop = fx86_run("/child", &budget, &code);
        printf("child stop %d fault code %u, budget left %llu; parent carries on\n",
               stop, code, (unsigned long long)budget);
        stop = fx86_run("/child", &budget, &code);
        printf("again: stop %d code %u\n", stop, code);
    } else if (!strcmp(mode, "slices")) {
        char *a[] = {"child", 0};
        load("/bin/spin", a);
        int code = run_to_end(strtoull(argv[2], 0, 0), &runs);
        printf("child exit %d after %d runs\n", code, runs);
    } else if (!strcmp(mode, "nest")) {
        int depth = atoi(argv[2]);
        if (depth == 0) {
            volatile uint32_t x = 1;
            for (int i = 0; i < 200000; i++) x = x * 1103515245u + 12345u;
            printf("leaf %08x\n", x);
            return 0;
        }
        char d[12];
        snprintf(d, sizeof d, "%d", depth - 1);
        char *a[] = {"parent", "nest", d, argv[3], 0};
        load("/bin/parent", a);
        fx86_mkdir("/child/fs/bin", 1);
        fx86_copy("/bin/parent", "/child/fs/bin/parent");
        int code = run_to_end(strtoull(argv[3], 0, 0), &runs);
        char out[512] = {0};
        fx86_read("/child/stdout", out, sizeof out - 1, 0);
        printf("level %d: child exit %d after %d runs\n%s", depth, code, runs, out);
    }
    return 0;
}
