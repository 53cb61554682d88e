/* The nesting benchmark guest: `nest D N` runs N rounds of a fixed
 * computation at depth D below the top. At D > 0 it loads its own program
 * (/bin/nest in its tree) into a sub-guest, gives it the program too, and
 * RUNs it with an unlimited budget; the leaf does the work. The same
 * workload at depth 0..3 measures what each level of nesting costs. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include "../../examples/include/fx86.h"

static uint32_t work(long rounds) {
    uint32_t x = 2463534242u, sum = 0;
    for (long i = 0; i < rounds; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        sum += x;
    }
    return sum;
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    int depth = atoi(argv[1]);
    if (depth == 0) {
        printf("leaf: %08x\n", work(atol(argv[2])));
        return 0;
    }
    char d[16];
    snprintf(d, sizeof d, "%d", depth - 1);
    char *child_argv[] = {"nest", d, argv[2], 0};
    int r = fx86_load("/bin/nest", "/child", child_argv, 0);
    if (r == 0) r = fx86_copy("/bin/nest", "/child/fs/bin/nest");
    if (r == -FX86_ENOENT) { fx86_mkdir("/child/fs/bin", 1); r = fx86_copy("/bin/nest", "/child/fs/bin/nest"); }
    if (r != 0) { printf("depth %d: setup failed %d\n", depth, r); return 1; }
    uint64_t budget = ~0ull >> 12;
    uint32_t code = 0;
    int stop = fx86_run("/child", &budget, &code);
    char out[256];
    int n = fx86_read("/child/stdout", out, sizeof out - 1, 0);
    out[n > 0 ? n : 0] = 0;
    printf("depth %d: child stop %d code %u: %s", depth, stop, code, out);
    return stop == FX86_EXITED ? (int)code : 1;
}
