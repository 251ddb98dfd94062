// Quantize / dequantize / requantize with AVX2: 8 lanes, scalar tails through kernels/ref/scalar.h.
// Same arithmetic as the reference: true division, NaN to the low bound, clamp in float, cvtps2dq
// rounding half to even under the default MXCSR.
#include <immintrin.h>

#include <cstring>

#include "kernels/ref/scalar.h"
#include "quanta/kernels.h"

namespace quanta::avx2 {

namespace {

inline __m256i round_clamp(__m256 v, __m256 lo, __m256 hi, __m256i zp) {
  v = _mm256_blendv_ps(lo, v, _mm256_cmp_ps(v, v, _CMP_ORD_Q));  // NaN -> qmin - zp
  v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
  return _mm256_add_epi32(_mm256_cvtps_epi32(v), zp);
}

// Eight int32 codes, already inside the storage range, to eight bytes. The packs work per
// 128-bit lane, so a permute gathers the two useful dwords.
inline void store8(void* y, __m256i codes, bool is_unsigned) {
  const __m256i w = _mm256_packs_epi32(codes, codes);
  const __m256i b = is_unsigned ? _mm256_packus_epi16(w, w) : _mm256_packs_epi16(w, w);
  const __m256i g = _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0));
  _mm_storel_epi64(static_cast<__m128i*>(y), _mm256_castsi256_si128(g));
}

template <typename Q>
constexpr bool kUnsigned = Q(-1) > Q(0);

template <typename Q>
void quantize_run(const float* x, size_t n, float scale, int32_t zp, QuantRange r, Q* y) {
  const __m256 s = _mm256_set1_ps(scale);
  const __m256 lo = _mm256_set1_ps(static_cast<float>(r.qmin - zp));
  const __m256 hi = _mm256_set1_ps(static_cast<float>(r.qmax - zp));
  const __m256i z = _mm256_set1_epi32(zp);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    store8(y + i, round_clamp(_mm256_div_ps(_mm256_loadu_ps(x + i), s), lo, hi, z), kUnsigned<Q>);
  }
  for (; i < n; ++i) y[i] = static_cast<Q>(scalar::quantize(x[i], scale, zp, r));
}

template <typename Q>
void quantize_lanes(const float* x, size_t n, const float* scale, const int32_t* zp, QuantRange r,
                    Q* y) {
  const __m256 qmin = _mm256_set1_ps(static_cast<float>(r.qmin));
  const __m256 qmax = _mm256_set1_ps(static_cast<float>(r.qmax));
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i z = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(zp + i));
    const __m256 zf = _mm256_cvtepi32_ps(z);
    const __m256 v = _mm256_div_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(scale + i));
    store8(y + i, round_clamp(v, _mm256_sub_ps(qmin, zf), _mm256_sub_ps(qmax, zf), z), kUnsigned<Q>);
  }
  for (; i < n; ++i) y[i] = static_cast<Q>(scalar::quantize(x[i], scale[i], zp[i], r));
}

template <typename Q>
inline __m256i widen8(const Q* x) {
  const __m128i b = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(x));
  return kUnsigned<Q> ? _mm256_cvtepu8_epi32(b) : _mm256_cvtepi8_epi32(b);
}

template <typename Q>
void dequantize_run(const Q* x, size_t n, float scale, int32_t zp, float* y) {
  const __m256 s = _mm256_set1_ps(scale);
  const __m256i z = _mm256_set1_epi32(zp);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(widen8(x + i), z)), s));
  }
  for (; i < n; ++i) y[i] = scalar::dequantize(x[i], scale, zp);
}

template <typename Q>
void dequantize_lanes(const Q* x, size_t n, const float* scale, const int32_t* zp, float* y) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i z = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(zp + i));
    const __m256 v = _mm256_cvtepi32_ps(_mm256_sub_epi32(widen8(x + i), z));
    _mm256_storeu_ps(y + i, _mm256_mul_ps(v, _mm256_loadu_ps(scale + i)));
  }
  for (; i < n; ++i) y[i] = scalar::dequantize(x[i], scale[i], zp[i]);
}

template <typename Q>
void requantize_run(const int32_t* acc, size_t n, float multiplier, int32_t zp, QuantRange r,
                    Q* y) {
  const __m256 m = _mm256_set1_ps(multiplier);
  const __m256 lo = _mm256_set1_ps(static_cast<float>(r.qmin - zp));
  const __m256 hi = _mm256_set1_ps(static_cast<float>(r.qmax - zp));
  const __m256i z = _mm256_set1_epi32(zp);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + i));
    store8(y + i, round_clamp(_mm256_mul_ps(_mm256_cvtepi32_ps(a), m), lo, hi, z), kUnsigned<Q>);
  }
  for (; i < n; ++i) y[i] = static_cast<Q>(scalar::requantize(acc[i], multiplier, zp, r));
}

template <typename Q>
void requantize_lanes(const int32_t* acc, size_t n, const float* multiplier, const int32_t* zp,
                      QuantRange r, Q* y) {
  const __m256 qmin = _mm256_set1_ps(static_cast<float>(r.qmin));
  const __m256 qmax = _mm256_set1_ps(static_cast<float>(r.qmax));
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i z = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(zp + i));
    const __m256 zf = _mm256_cvtepi32_ps(z);
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + i));
    const __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(a), _mm256_loadu_ps(multiplier + i));
    store8(y + i, round_clamp(v, _mm256_sub_ps(qmin, zf), _mm256_sub_ps(qmax, zf), z), kUnsigned<Q>);
  }
  for (; i < n; ++i) y[i] = static_cast<Q>(scalar::requantize(acc[i], multiplier[i], zp[i], r));
}

}  // namespace

}  // namespace quanta::avx2

namespace quanta {

namespace avx2 {
void register_range_kernels(KernelTable* t);  // range_avx2.cc
}  // namespace avx2

void register_avx2_kernels(KernelTable* t) {
  using namespace avx2;
  register_avx2_gemm_kernels(t);
  register_avx2_sgemm_kernels(t);
  register_avx2_int4_kernels(t);
  register_avx2_binary_kernels(t);
  register_avx2_memory_read_kernels(t);
  t->quantize_f32_s8 = quantize_run<int8_t>;
  t->quantize_f32_u8 = quantize_run<uint8_t>;
  t->quantize_f32_s8_lanes = quantize_lanes<int8_t>;
  t->quantize_f32_u8_lanes = quantize_lanes<uint8_t>;
  t->dequantize_s8_f32 = dequantize_run<int8_t>;
  t->dequantize_u8_f32 = dequantize_run<uint8_t>;
  t->dequantize_s8_f32_lanes = dequantize_lanes<int8_t>;
  t->dequantize_u8_f32_lanes = dequantize_lanes<uint8_t>;
  t->requantize_s32_s8 = requantize_run<int8_t>;
  t->requantize_s32_u8 = requantize_run<uint8_t>;
  t->requantize_s32_s8_lanes = requantize_lanes<int8_t>;
  t->requantize_s32_u8_lanes = requantize_lanes<uint8_t>;
  t->quantize_isa = t->dequantize_isa = t->requantize_isa = Isa::avx2;
  register_range_kernels(t);
}

}  // namespace quanta
