/* Loops gcc -O3 -march=pentium4 vectorises with SSE2: integer, byte, float and double arrays. */
#include <stdint.h>
#include <stdio.h>
#define N 1000
static int32_t a[N], b[N], c[N];
static int16_t s[N], t[N];
static uint8_t u[N], v[N];
static float f[N], g[N];
static double d[N], e[N];

int main(void) {
  for (int i = 0; i < N; i++) {
    a[i] = i * 7 - 300; b[i] = (i * i) % 1000 - 500; s[i] = (int16_t)(i * 13); t[i] = (int16_t)(-i * 5);
    u[i] = (uint8_t)(i * 31); v[i] = (uint8_t)(255 - i); f[i] = i * 0.37f - 50; g[i] = 1.0f / (i + 1);
    d[i] = i * 1e-3 - 0.4; e[i] = (i % 17) * 0.25;
  }
  for (int r = 0; r < 40; r++) {
    for (int i = 0; i < N; i++) c[i] = (a[i] * b[i] + c[i]) >> 1;
    for (int i = 0; i < N; i++) s[i] = (int16_t)(s[i] + t[i] * 3);
    for (int i = 0; i < N; i++) u[i] = u[i] > v[i] ? u[i] - v[i] : v[i] - u[i];
    for (int i = 0; i < N; i++) f[i] = f[i] * g[i] + 0.5f;
    for (int i = 0; i < N; i++) d[i] = d[i] * e[i] - d[i] / 3 + 1e-300;
  }
  int64_t cs = 0; int32_t ss = 0, us = 0, cmax = INT32_MIN; float fs = 0; double ds = 0;
  for (int i = 0; i < N; i++) { cs += c[i]; ss += s[i]; us += u[i]; cmax = c[i] > cmax ? c[i] : cmax; fs += f[i]; ds += d[i]; }
  printf("%lld %d %d %d %.9g %.17g\n", (long long)cs, ss, us, cmax, fs, ds);
  return 0;
}
