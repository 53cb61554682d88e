/* Scalar float and double arithmetic with -msse2 -mfpmath=sse: rounding, denormals, conversions, comparisons. */
#include <float.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint64_t bits(double x) { uint64_t b; memcpy(&b, &x, 8); return b; }
static uint32_t fbits(float x) { uint32_t b; memcpy(&b, &x, 4); return b; }

int main(void) {
  volatile double x = 1.0, tiny = DBL_MIN, big = DBL_MAX;
  volatile float fx = 1.0f, ftiny = FLT_MIN;
  double acc = 0; float facc = 0;
  for (int i = 1; i <= 2000; i++) {
    x = x * 1.000123 + 1.0 / (i * 3.0);
    acc += x / (i + 0.25) - (double)(float)x;
    fx = fx * 0.9991f + 1.0f / (float)i;
    facc += fx * fx - (float)(int)(fx * 100.0f) / 100.0f;
  }
  printf("%.17g %.17g %.9g %.9g\n", x, acc, fx, facc);
  printf("%016llx %016llx %08x\n", (unsigned long long)bits(tiny / 3.0), (unsigned long long)bits(big * 2.0),
         fbits(ftiny / 7.0f));
  volatile double n = -2.5, m = 3.5, h = 2147483648.0;
  printf("%d %d %d %d %lld\n", (int)n, (int)m, (int)-h, (int)(float)n, (long long)(m * 1e10));
  volatile double z = 0.0;
  printf("%016llx %016llx %d %d\n", (unsigned long long)bits(z / z), (unsigned long long)bits(-1.0 / z), z < 1.0,
         (z / z) == (z / z));
  float fv[8]; for (int i = 0; i < 8; i++) fv[i] = (float)(i * 1.1) / 3.0f;
  for (int i = 0; i < 8; i++) printf("%08x ", fbits(fv[i]));
  printf("\n%.17g %.9g\n", (double)fv[5] * 1e-310, (float)(acc * 1e-40));
  return 0;
}
