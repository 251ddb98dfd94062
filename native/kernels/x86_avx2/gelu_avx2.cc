// GELU over float32 runs, 8 lanes at a time: the operation sequence of quanta/gelu.h, lane for
// lane, so results equal the scalar definition bit for bit (the tail runs the scalar code).
#include <immintrin.h>

#include "quanta/gelu.h"
#include "quanta/kernels.h"

namespace quanta {

namespace {

inline __m256 exp_neg(__m256 v) {
  using namespace gelu;
  // maxps returns its second operand when either is NaN, as the scalar `v > min ? v : min` does.
  v = _mm256_max_ps(v, _mm256_set1_ps(kExpMin));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(v, _mm256_set1_ps(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fmadd_ps(n, _mm256_set1_ps(-kLn2Hi), v);
  r = _mm256_fmadd_ps(n, _mm256_set1_ps(-kLn2Lo), r);
  __m256 p = _mm256_set1_ps(kE7);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kE6));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kE5));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kE4));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kE3));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kE2));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kE1));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kE0));
  const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

inline __m256 gelu8(__m256 x) {
  using namespace gelu;
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 z = _mm256_mul_ps(_mm256_andnot_ps(sign, x), _mm256_set1_ps(kInvSqrt2));
  const __m256 t = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_fmadd_ps(_mm256_set1_ps(kP), z, _mm256_set1_ps(1.0f)));
  __m256 poly = _mm256_set1_ps(kA5);
  poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(kA4));
  poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(kA3));
  poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(kA2));
  poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(kA1));
  poly = _mm256_mul_ps(poly, t);
  const __m256 ex = exp_neg(_mm256_xor_ps(_mm256_mul_ps(z, z), sign));
  const __m256 e = _mm256_fmadd_ps(_mm256_xor_ps(poly, sign), ex, _mm256_set1_ps(1.0f));
  const __m256 negative = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
  const __m256 s = _mm256_xor_ps(e, _mm256_and_ps(negative, sign));
  const __m256 h = _mm256_mul_ps(_mm256_set1_ps(0.5f), x);
  return _mm256_fmadd_ps(h, s, h);
}

void gelu_f32_avx2(float* y, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, gelu8(_mm256_loadu_ps(y + i)));
  for (; i < n; ++i) y[i] = gelu::apply(y[i]);
}

}  // namespace

void register_avx2_gelu_kernel(KernelTable* t) { t->gelu_f32 = gelu_f32_avx2; }

}  // namespace quanta
