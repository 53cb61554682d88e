/* The bundled example guest: an ordinary C program, statically linked for
 * i386 with glibc. It greets, echoes its arguments, counts the bytes of its
 * stdin and does a little x87 floating point. Built by `make -C examples`. */
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv) {
    printf("Hello from an fx86 guest!\n");
    for (int i = 1; i < argc; i++) printf("argv[%d] = %s\n", i, argv[i]);
    double sum = 0;
    for (int k = 1; k <= 1000; k++) sum += 1.0 / ((double)k * k);
    printf("sum 1/k^2 for k <= 1000 = %.15f\n", sum);
    printf("clock() = %ld (derived from the instruction count)\n", (long)clock());
    return 0;
}
