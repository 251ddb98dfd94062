// GELU over float32 runs, 16 lanes at a time: the operation sequence of quanta/gelu.h, lane for
// lane, so results equal the scalar definition bit for bit (the tail runs the scalar code).
#include <immintrin.h>

#include "quanta/gelu.h"
#include "quanta/kernels.h"

namespace quanta {

namespace {

inline __m512 exp_neg(__m512 v) {
  using namespace gelu;
  v = _mm512_max_ps(v, _mm512_set1_ps(kExpMin));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(v, _mm512_set1_ps(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fmadd_ps(n, _mm512_set1_ps(-kLn2Hi), v);
  r = _mm512_fmadd_ps(n, _mm512_set1_ps(-kLn2Lo), r);
  __m512 p = _mm512_set1_ps(kE7);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kE6));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kE5));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kE4));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kE3));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kE2));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kE1));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kE0));
  const __m512i bits = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
  return _mm512_mul_ps(p, _mm512_castsi512_ps(bits));
}

inline __m512 gelu16(__m512 x) {
  using namespace gelu;
  const __m512 sign = _mm512_set1_ps(-0.0f);
  const __m512 z = _mm512_mul_ps(_mm512_andnot_ps(sign, x), _mm512_set1_ps(kInvSqrt2));
  const __m512 t = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_fmadd_ps(_mm512_set1_ps(kP), z, _mm512_set1_ps(1.0f)));
  __m512 poly = _mm512_set1_ps(kA5);
  poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(kA4));
  poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(kA3));
  poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(kA2));
  poly = _mm512_fmadd_ps(poly, t, _mm512_set1_ps(kA1));
  poly = _mm512_mul_ps(poly, t);
  const __m512 ex = exp_neg(_mm512_xor_ps(_mm512_mul_ps(z, z), sign));
  const __m512 e = _mm512_fmadd_ps(_mm512_xor_ps(poly, sign), ex, _mm512_set1_ps(1.0f));
  const __mmask16 negative = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
  const __m512 s = _mm512_mask_xor_ps(e, negative, e, sign);
  const __m512 h = _mm512_mul_ps(_mm512_set1_ps(0.5f), x);
  return _mm512_fmadd_ps(h, s, h);
}

void gelu_f32_avx512(float* y, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, gelu16(_mm512_loadu_ps(y + i)));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(y + i, m, gelu16(_mm512_maskz_loadu_ps(m, y + i)));
  }
}

}  // namespace

void register_avx512_gelu_kernel(KernelTable* t) { t->gelu_f32 = gelu_f32_avx512; }

}  // namespace quanta
