// Quantize / dequantize / requantize with AVX-512 (F, BW, VL): 16 lanes, masked tails.
// Same arithmetic as kernels/ref/scalar.h: a true division (never a reciprocal multiply), NaN to
// the low bound, clamp in float, cvtps2dq rounding half to even under the default MXCSR.
#include <immintrin.h>

#include <cstdint>

#include "kernels/ref/scalar.h"
#include "quanta/kernels.h"

namespace quanta::avx512 {

namespace {

inline __mmask16 tail_mask(size_t count) { return static_cast<__mmask16>((1u << count) - 1u); }

struct Clamp {
  __m512 lo, hi;
  __m512i zero_point;
  Clamp(int32_t zp, QuantRange r)
      : lo(_mm512_set1_ps(static_cast<float>(r.qmin - zp))),
        hi(_mm512_set1_ps(static_cast<float>(r.qmax - zp))),
        zero_point(_mm512_set1_epi32(zp)) {}
};

// v already divided (or multiplied); returns the clamped, rounded codes as int32.
inline __m512i round_clamp(__m512 v, __m512 lo, __m512 hi, __m512i zp) {
  v = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, v, _CMP_ORD_Q), lo, v);  // NaN -> qmin - zp
  v = _mm512_min_ps(_mm512_max_ps(v, lo), hi);
  return _mm512_add_epi32(_mm512_cvtps_epi32(v), zp);
}

// Codes are within [qmin, qmax] already, so truncating to the low byte is right for s8 and u8.
template <typename Q>
inline void store16(Q* y, __m512i codes) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(y), _mm512_cvtepi32_epi8(codes));
}
template <typename Q>
inline void store_tail(Q* y, __mmask16 m, __m512i codes) {
  _mm512_mask_cvtepi32_storeu_epi8(y, m, codes);
}

// Runs at least this long write their output with non-temporal stores: such an output (4 MiB of
// int8, 16 MiB of float) will not be read back from cache by the caller, and streaming skips the
// read-for-ownership of every output line (measured here: copy 46 GB/s, streaming copy 58 GB/s).
constexpr size_t kStreamMinElements = size_t{1} << 22;

// Elements before `p + i` reaches a 64-byte boundary (p is aligned to its element size).
template <typename T>
inline size_t head_to_64(const T* p, size_t n) {
  const size_t bytes = (64 - (reinterpret_cast<uintptr_t>(p) & 63)) & 63;
  return bytes / sizeof(T) < n ? bytes / sizeof(T) : n;
}

template <typename Q>
void quantize_run(const float* x, size_t n, float scale, int32_t zp, QuantRange r, Q* y) {
  const __m512 s = _mm512_set1_ps(scale);
  const Clamp c(zp, r);
  auto codes = [&](size_t j) { return round_clamp(_mm512_div_ps(_mm512_loadu_ps(x + j), s), c.lo, c.hi, c.zero_point); };
  auto masked = [&](size_t j, size_t count) {
    const __mmask16 m = tail_mask(count);
    store_tail(y + j, m, round_clamp(_mm512_div_ps(_mm512_maskz_loadu_ps(m, x + j), s), c.lo, c.hi, c.zero_point));
  };
  size_t i = 0;
  if (n >= kStreamMinElements) {
    for (const size_t head = head_to_64(y, n); i < head; i += 16) masked(i, head - i < 16 ? head - i : 16);
    i = head_to_64(y, n);
    for (; i + 64 <= n; i += 64) {
      __m512i out = _mm512_castsi128_si512(_mm512_cvtepi32_epi8(codes(i)));
      out = _mm512_inserti32x4(out, _mm512_cvtepi32_epi8(codes(i + 16)), 1);
      out = _mm512_inserti32x4(out, _mm512_cvtepi32_epi8(codes(i + 32)), 2);
      out = _mm512_inserti32x4(out, _mm512_cvtepi32_epi8(codes(i + 48)), 3);
      _mm512_stream_si512(reinterpret_cast<__m512i*>(y + i), out);
    }
    _mm_sfence();
  }
  for (; i + 64 <= n; i += 64) {
    const __m512i q0 = codes(i), q1 = codes(i + 16), q2 = codes(i + 32), q3 = codes(i + 48);
    store16(y + i, q0);
    store16(y + i + 16, q1);
    store16(y + i + 32, q2);
    store16(y + i + 48, q3);
  }
  for (; i + 16 <= n; i += 16) store16(y + i, codes(i));
  if (i < n) masked(i, n - i);
}

template <typename Q>
void quantize_lanes(const float* x, size_t n, const float* scale, const int32_t* zp, QuantRange r,
                    Q* y) {
  const __m512 qmin = _mm512_set1_ps(static_cast<float>(r.qmin));
  const __m512 qmax = _mm512_set1_ps(static_cast<float>(r.qmax));
  for (size_t i = 0; i < n; i += 16) {
    const __mmask16 m = n - i >= 16 ? __mmask16(0xFFFF) : tail_mask(n - i);
    // Masked-off lanes divide 0 by 1, so no exception flags are raised for garbage.
    const __m512 s = _mm512_mask_loadu_ps(_mm512_set1_ps(1.0f), m, scale + i);
    const __m512i z = _mm512_maskz_loadu_epi32(m, zp + i);
    const __m512 zf = _mm512_cvtepi32_ps(z);
    const __m512 v = _mm512_div_ps(_mm512_maskz_loadu_ps(m, x + i), s);
    store_tail(y + i, m, round_clamp(v, _mm512_sub_ps(qmin, zf), _mm512_sub_ps(qmax, zf), z));
  }
}

template <typename Q>
inline __m512i widen16(const Q* x, __mmask16 m);
template <>
inline __m512i widen16<int8_t>(const int8_t* x, __mmask16 m) {
  return _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, x));
}
template <>
inline __m512i widen16<uint8_t>(const uint8_t* x, __mmask16 m) {
  return _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(m, x));
}

template <typename Q>
void dequantize_run(const Q* x, size_t n, float scale, int32_t zp, float* y) {
  const __m512 s = _mm512_set1_ps(scale);
  const __m512i z = _mm512_set1_epi32(zp);
  auto values = [&](size_t j, __mmask16 m) {
    return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(widen16(x + j, m), z)), s);
  };
  size_t i = 0;
  if (n >= kStreamMinElements) {
    const size_t head = head_to_64(y, n);  // < 16 floats
    if (head > 0) _mm512_mask_storeu_ps(y, tail_mask(head), values(0, tail_mask(head)));
    for (i = head; i + 16 <= n; i += 16) _mm512_stream_ps(y + i, values(i, 0xFFFF));
    _mm_sfence();
  }
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, values(i, 0xFFFF));
  if (i < n) {
    const __mmask16 m = tail_mask(n - i);
    _mm512_mask_storeu_ps(y + i, m, values(i, m));
  }
}

template <typename Q>
void dequantize_lanes(const Q* x, size_t n, const float* scale, const int32_t* zp, float* y) {
  for (size_t i = 0; i < n; i += 16) {
    const __mmask16 m = n - i >= 16 ? __mmask16(0xFFFF) : tail_mask(n - i);
    const __m512i q = widen16(x + i, m);
    const __m512i z = _mm512_maskz_loadu_epi32(m, zp + i);
    const __m512 s = _mm512_maskz_loadu_ps(m, scale + i);
    _mm512_mask_storeu_ps(y + i, m, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(q, z)), s));
  }
}

template <typename Q>
void requantize_run(const int32_t* acc, size_t n, float multiplier, int32_t zp, QuantRange r,
                    Q* y) {
  const __m512 mul = _mm512_set1_ps(multiplier);
  const Clamp c(zp, r);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_loadu_si512(acc + i)), mul);
    store16(y + i, round_clamp(v, c.lo, c.hi, c.zero_point));
  }
  if (i < n) {
    const __mmask16 m = tail_mask(n - i);
    const __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_maskz_loadu_epi32(m, acc + i)), mul);
    store_tail(y + i, m, round_clamp(v, c.lo, c.hi, c.zero_point));
  }
}

template <typename Q>
void requantize_lanes(const int32_t* acc, size_t n, const float* multiplier, const int32_t* zp,
                      QuantRange r, Q* y) {
  const __m512 qmin = _mm512_set1_ps(static_cast<float>(r.qmin));
  const __m512 qmax = _mm512_set1_ps(static_cast<float>(r.qmax));
  for (size_t i = 0; i < n; i += 16) {
    const __mmask16 m = n - i >= 16 ? __mmask16(0xFFFF) : tail_mask(n - i);
    const __m512i z = _mm512_maskz_loadu_epi32(m, zp + i);
    const __m512 zf = _mm512_cvtepi32_ps(z);
    const __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_maskz_loadu_epi32(m, acc + i)),
                                   _mm512_maskz_loadu_ps(m, multiplier + i));
    store_tail(y + i, m, round_clamp(v, _mm512_sub_ps(qmin, zf), _mm512_sub_ps(qmax, zf), z));
  }
}

// gemmlowp / TFLite fixed-point requantization, 16 lanes; the same integer steps as
// scalar::requantize_fixed. 64-bit products come from VPMULDQ on the even lanes and on the odd
// lanes shifted down.
inline __m512i srdhm_half(__m512i a64, __m512i b64) {
  // a64, b64: int32 values sign-extended in the low half of each 64-bit lane (VPMULDQ reads that).
  const __m512i ab = _mm512_mul_epi32(a64, b64);
  const __m512i positive_nudge = _mm512_set1_epi64(int64_t{1} << 30);
  const __m512i negative_nudge = _mm512_set1_epi64(1 - (int64_t{1} << 30));
  const __mmask8 neg = _mm512_cmplt_epi64_mask(ab, _mm512_setzero_si512());
  const __m512i v = _mm512_add_epi64(ab, _mm512_mask_blend_epi64(neg, positive_nudge, negative_nudge));
  // Division by 2^31 truncating toward zero: add 2^31 - 1 to negative values before the shift.
  const __mmask8 vneg = _mm512_cmplt_epi64_mask(v, _mm512_setzero_si512());
  const __m512i biased = _mm512_mask_add_epi64(v, vneg, v, _mm512_set1_epi64((int64_t{1} << 31) - 1));
  return _mm512_srai_epi64(biased, 31);
}

inline __m512i saturating_rounding_doubling_high_mul(__m512i a, __m512i b) {
  const __m512i even = srdhm_half(a, b);
  const __m512i odd = srdhm_half(_mm512_srli_epi64(a, 32), _mm512_srli_epi64(b, 32));
  // Even results sit in the low dwords, odd results move to the high dwords.
  __m512i r = _mm512_mask_blend_epi32(__mmask16(0xAAAA), even, _mm512_slli_epi64(odd, 32));
  const __mmask16 overflow = _mm512_cmpeq_epi32_mask(a, b) & _mm512_cmpeq_epi32_mask(a, _mm512_set1_epi32(INT32_MIN));
  return _mm512_mask_mov_epi32(r, overflow, _mm512_set1_epi32(INT32_MAX));
}

inline __m512i rounding_divide_by_pot(__m512i x, int exponent) {
  const __m512i mask = _mm512_set1_epi32(static_cast<int32_t>((int64_t{1} << exponent) - 1));
  const __m512i remainder = _mm512_and_si512(x, mask);
  const __mmask16 negative = _mm512_cmplt_epi32_mask(x, _mm512_setzero_si512());
  const __m512i threshold = _mm512_mask_add_epi32(_mm512_srai_epi32(mask, 1), negative, _mm512_srai_epi32(mask, 1), _mm512_set1_epi32(1));
  const __mmask16 up = _mm512_cmpgt_epi32_mask(remainder, threshold);
  const __m512i shifted = _mm512_sra_epi32(x, _mm_cvtsi32_si128(exponent));
  return _mm512_mask_add_epi32(shifted, up, shifted, _mm512_set1_epi32(1));
}

template <typename Q>
void requantize_fixed_run(const int32_t* acc, size_t n, int32_t multiplier, int32_t shift, int32_t zp,
                          QuantRange r, Q* y) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  const __m512i m = _mm512_set1_epi32(multiplier);
  // Clamping the scaled value to [qmin - zp, qmax - zp] before adding zp equals clamping the
  // 64-bit sum, and cannot overflow.
  const __m512i lo = _mm512_set1_epi32(r.qmin - zp), hi = _mm512_set1_epi32(r.qmax - zp);
  const __m512i z = _mm512_set1_epi32(zp);
  for (size_t i = 0; i < n; i += 16) {
    const __mmask16 k = n - i >= 16 ? __mmask16(0xFFFF) : tail_mask(n - i);
    __m512i x = _mm512_maskz_loadu_epi32(k, acc + i);
    x = _mm512_sll_epi32(x, _mm_cvtsi32_si128(left));  // wraps, like the scalar reference
    __m512i v = rounding_divide_by_pot(saturating_rounding_doubling_high_mul(x, m), right);
    v = _mm512_add_epi32(_mm512_min_epi32(_mm512_max_epi32(v, lo), hi), z);
    store_tail(y + i, k, v);
  }
}

}  // namespace

}  // namespace quanta::avx512

namespace quanta {

void register_avx512_quantize_kernels(KernelTable* t) {
  using namespace avx512;
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
  t->requantize_fixed_s32_s8 = requantize_fixed_run<int8_t>;
  t->requantize_fixed_s32_u8 = requantize_fixed_run<uint8_t>;
  t->quantize_isa = t->dequantize_isa = t->requantize_isa = Isa::avx512vnni;
}

}  // namespace quanta
