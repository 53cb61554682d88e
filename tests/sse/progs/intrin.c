/* SSE and SSE2 intrinsics: integer lanes, shuffles, packs, compares, float lanes and conversions, MXCSR modes. */
#include <emmintrin.h>
#include <stdint.h>
#include <stdio.h>

static void show(const char *name, __m128i v) {
  uint32_t w[4]; _mm_storeu_si128((__m128i *)w, v);
  printf("%-10s %08x %08x %08x %08x\n", name, w[3], w[2], w[1], w[0]);
}
static void showf(const char *name, __m128 v) { show(name, _mm_castps_si128(v)); }
static void showd(const char *name, __m128d v) { show(name, _mm_castpd_si128(v)); }

int main(void) {
  __m128i a = _mm_set_epi32(0x7fffffff, -5, 0x12345678, -0x80000000);
  __m128i b = _mm_set_epi16(-32768, 32767, 100, -100, 7, 0, -1, 12345);
  __m128i c = _mm_set_epi8(1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15, -16);
  show("add16", _mm_add_epi16(a, b)); show("adds16", _mm_adds_epi16(a, b)); show("subs8", _mm_subs_epu8(a, c));
  show("mullo", _mm_mullo_epi16(a, b)); show("mulhi", _mm_mulhi_epi16(a, b)); show("mulu32", _mm_mul_epu32(a, b));
  show("madd", _mm_madd_epi16(a, b)); show("sad", _mm_sad_epu8(a, c)); show("avg8", _mm_avg_epu8(a, c));
  show("min8", _mm_min_epu8(a, c)); show("max16", _mm_max_epi16(a, b)); show("cmpgt32", _mm_cmpgt_epi32(a, b));
  show("cmpeq8", _mm_cmpeq_epi8(c, c)); show("packs32", _mm_packs_epi32(a, b)); show("packus", _mm_packus_epi16(b, a));
  show("unpklo8", _mm_unpacklo_epi8(a, c)); show("unpkhi64", _mm_unpackhi_epi64(a, b));
  show("shuf", _mm_shuffle_epi32(a, 0x1b)); show("shufhi", _mm_shufflehi_epi16(b, 0x4e));
  show("sll", _mm_sll_epi32(a, _mm_cvtsi32_si128(3))); show("srai", _mm_srai_epi16(b, 4));
  show("srli64", _mm_srli_epi64(a, 13)); show("bslli", _mm_slli_si128(c, 5)); show("bsrli", _mm_srli_si128(c, 11));
  printf("movemask %04x extract %d\n", _mm_movemask_epi8(c), _mm_extract_epi16(b, 6));
  show("insert", _mm_insert_epi16(a, 0xbeef, 3)); show("andnot", _mm_andnot_si128(a, c));
  __m128 p = _mm_set_ps(1.5f, -0.0f, 3.0e38f, 1e-40f), q = _mm_set_ps(2.0f, 0.0f, 10.0f, 3.0f);
  showf("addps", _mm_add_ps(p, q)); showf("mulps", _mm_mul_ps(p, q)); showf("divps", _mm_div_ps(p, q));
  showf("sqrtps", _mm_sqrt_ps(q)); showf("minps", _mm_min_ps(p, q)); showf("maxps", _mm_max_ps(p, q));
  showf("cmpltps", _mm_cmplt_ps(p, q)); showf("cmpunord", _mm_cmpunord_ps(p, _mm_div_ps(q, _mm_setzero_ps())));
  show("cvtps2dq", _mm_cvtps_epi32(p)); show("cvttps2dq", _mm_cvttps_epi32(q));
  showf("cvtdq2ps", _mm_cvtepi32_ps(a)); showf("shufps", _mm_shuffle_ps(p, q, 0x93));
  __m128d r = _mm_set_pd(1.0 / 3, -2.5), s = _mm_set_pd(1e-310, 7.0);
  showd("addpd", _mm_add_pd(r, s)); showd("divpd", _mm_div_pd(r, s)); showd("sqrtpd", _mm_sqrt_pd(s));
  showd("cvtps2pd", _mm_cvtps_pd(p)); showf("cvtpd2ps", _mm_cvtpd_ps(r)); show("cvtpd2dq", _mm_cvtpd_epi32(r));
  printf("comis %d %d %d ucomis %d\n", _mm_comilt_sd(r, s), _mm_comieq_ss(p, p), _mm_comige_sd(s, r), _mm_ucomineq_sd(r, r));
  unsigned int modes[4] = {_MM_ROUND_NEAREST, _MM_ROUND_DOWN, _MM_ROUND_UP, _MM_ROUND_TOWARD_ZERO};
  for (int k = 0; k < 4; k++) {
    _MM_SET_ROUNDING_MODE(modes[k]);
    __m128d t = _mm_div_pd(r, _mm_set_pd(3.0, 7.0));
    show("rounded", _mm_castpd_si128(t));
    printf("cvtsd2si %d cvtss2si %d\n", _mm_cvtsd_si32(_mm_set_sd(-2.5)), _mm_cvtss_si32(_mm_set_ss(3.5f)));
  }
  _MM_SET_ROUNDING_MODE(_MM_ROUND_NEAREST);
  _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
  showd("ftz", _mm_mul_pd(s, _mm_set_pd(0.5, 1e-300)));
  _mm_setcsr(_mm_getcsr() | 0x40); /* DAZ */
  showd("daz", _mm_add_pd(s, _mm_set_pd(0.0, 1.0)));
  /* Without DE (bit 1): qemu-i386 does not emulate the denormal flag (tests/sse checks it on the CPU). */
  printf("mxcsr %08x\n", _mm_getcsr() & ~2u);
  return 0;
}
