/* MMX intrinsics, and x87 arithmetic after EMMS. */
#include <mmintrin.h>
#include <xmmintrin.h>
#include <stdint.h>
#include <stdio.h>

static void show(const char *name, __m64 v) {
  uint64_t x; __builtin_memcpy(&x, &v, 8);
  printf("%-8s %016llx\n", name, (unsigned long long)x);
}

int main(void) {
  __m64 a = _mm_set_pi16(-32768, 32767, 100, -100), b = _mm_set_pi16(7, -1, 30000, 12345);
  __m64 c = _mm_set_pi8(1, -2, 3, -4, 5, -6, 7, -8);
  show("add16", _mm_add_pi16(a, b)); show("adds16", _mm_adds_pi16(a, b)); show("subus8", _mm_subs_pu8(a, c));
  show("mullo", _mm_mullo_pi16(a, b)); show("mulhi", _mm_mulhi_pi16(a, b)); show("madd", _mm_madd_pi16(a, b));
  show("cmpgt", _mm_cmpgt_pi16(a, b)); show("packs", _mm_packs_pi16(a, b)); show("packus", _mm_packs_pu16(a, b));
  show("unpk", _mm_unpacklo_pi8(a, c)); show("sll", _mm_slli_pi32(a, 5)); show("sra", _mm_srai_pi16(a, 3));
  show("srl64", _mm_srl_si64(a, _mm_cvtsi32_si64(9))); show("xor", _mm_xor_si64(a, c));
  show("shufw", _mm_shuffle_pi16(a, 0x1b)); show("avg", _mm_avg_pu8(a, c)); show("sad", _mm_sad_pu8(a, c));
  show("maxsw", _mm_max_pi16(a, b)); show("minub", _mm_min_pu8(a, c));
  printf("movemask %02x extract %d cvt %d\n", _mm_movemask_pi8(c), _mm_extract_pi16(b, 2), _mm_cvtsi64_si32(b));
  _mm_empty();
  volatile double x = 1.0;
  for (int i = 0; i < 10; i++) x = x * 1.5 + 0.25;
  printf("x87 after emms %.17g\n", x);
  return 0;
}
