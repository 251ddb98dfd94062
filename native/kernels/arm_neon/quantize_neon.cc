// Quantize / dequantize / requantize with NEON (AArch64): 4 lanes per register, 16 per step,
// scalar tails through kernels/ref/scalar.h. FCVTNS rounds half to even like the reference.
#include <arm_neon.h>

#include "kernels/ref/scalar.h"
#include "quanta/kernels.h"

namespace quanta::neon {

namespace {

template <typename Q>
constexpr bool kUnsigned = Q(-1) > Q(0);

inline int32x4_t round_clamp(float32x4_t v, float32x4_t lo, float32x4_t hi, int32x4_t zp) {
  // NaN -> the low bound first (qmin - zp, as the reference); FMAX/FMIN would propagate it.
  v = vbslq_f32(vceqq_f32(v, v), v, lo);
  v = vminq_f32(vmaxq_f32(v, lo), hi);
  return vaddq_s32(vcvtnq_s32_f32(v), zp);
}

// Sixteen codes inside the storage range to sixteen bytes (truncating narrows are exact here).
template <typename Q>
inline void store16(Q* y, int32x4_t a, int32x4_t b, int32x4_t c, int32x4_t d) {
  const int16x8_t ab = vcombine_s16(vmovn_s32(a), vmovn_s32(b));
  const int16x8_t cd = vcombine_s16(vmovn_s32(c), vmovn_s32(d));
  const int8x16_t bytes = vcombine_s8(vmovn_s16(ab), vmovn_s16(cd));
  vst1q_s8(reinterpret_cast<int8_t*>(y), bytes);
}

template <typename Q>
void quantize_run(const float* x, size_t n, float scale, int32_t zp, QuantRange r, Q* y) {
  const float32x4_t s = vdupq_n_f32(scale);
  const float32x4_t lo = vdupq_n_f32(static_cast<float>(r.qmin - zp));
  const float32x4_t hi = vdupq_n_f32(static_cast<float>(r.qmax - zp));
  const int32x4_t z = vdupq_n_s32(zp);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    store16(y + i, round_clamp(vdivq_f32(vld1q_f32(x + i), s), lo, hi, z),
            round_clamp(vdivq_f32(vld1q_f32(x + i + 4), s), lo, hi, z),
            round_clamp(vdivq_f32(vld1q_f32(x + i + 8), s), lo, hi, z),
            round_clamp(vdivq_f32(vld1q_f32(x + i + 12), s), lo, hi, z));
  }
  for (; i < n; ++i) y[i] = static_cast<Q>(scalar::quantize(x[i], scale, zp, r));
}

template <typename Q>
void quantize_lanes(const float* x, size_t n, const float* scale, const int32_t* zp, QuantRange r,
                    Q* y) {
  const float32x4_t qmin = vdupq_n_f32(static_cast<float>(r.qmin));
  const float32x4_t qmax = vdupq_n_f32(static_cast<float>(r.qmax));
  auto step = [&](size_t j) {
    const int32x4_t z = vld1q_s32(zp + j);
    const float32x4_t zf = vcvtq_f32_s32(z);
    const float32x4_t v = vdivq_f32(vld1q_f32(x + j), vld1q_f32(scale + j));
    return round_clamp(v, vsubq_f32(qmin, zf), vsubq_f32(qmax, zf), z);
  };
  size_t i = 0;
  for (; i + 16 <= n; i += 16) store16(y + i, step(i), step(i + 4), step(i + 8), step(i + 12));
  for (; i < n; ++i) y[i] = static_cast<Q>(scalar::quantize(x[i], scale[i], zp[i], r));
}

// Sixteen codes widened to four int32x4.
template <typename Q>
inline void widen16(const Q* x, int32x4_t out[4]) {
  int16x8_t lo, hi;
  if constexpr (kUnsigned<Q>) {
    const uint8x16_t b = vld1q_u8(reinterpret_cast<const uint8_t*>(x));
    lo = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(b)));
    hi = vreinterpretq_s16_u16(vmovl_u8(vget_high_u8(b)));
  } else {
    const int8x16_t b = vld1q_s8(reinterpret_cast<const int8_t*>(x));
    lo = vmovl_s8(vget_low_s8(b));
    hi = vmovl_s8(vget_high_s8(b));
  }
  out[0] = vmovl_s16(vget_low_s16(lo));
  out[1] = vmovl_s16(vget_high_s16(lo));
  out[2] = vmovl_s16(vget_low_s16(hi));
  out[3] = vmovl_s16(vget_high_s16(hi));
}

template <typename Q>
void dequantize_run(const Q* x, size_t n, float scale, int32_t zp, float* y) {
  const float32x4_t s = vdupq_n_f32(scale);
  const int32x4_t z = vdupq_n_s32(zp);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    int32x4_t q[4];
    widen16(x + i, q);
    for (int j = 0; j < 4; ++j) vst1q_f32(y + i + 4 * j, vmulq_f32(vcvtq_f32_s32(vsubq_s32(q[j], z)), s));
  }
  for (; i < n; ++i) y[i] = scalar::dequantize(x[i], scale, zp);
}

template <typename Q>
void dequantize_lanes(const Q* x, size_t n, const float* scale, const int32_t* zp, float* y) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    int32x4_t q[4];
    widen16(x + i, q);
    for (int j = 0; j < 4; ++j) {
      const size_t o = i + 4 * j;
      vst1q_f32(y + o, vmulq_f32(vcvtq_f32_s32(vsubq_s32(q[j], vld1q_s32(zp + o))), vld1q_f32(scale + o)));
    }
  }
  for (; i < n; ++i) y[i] = scalar::dequantize(x[i], scale[i], zp[i]);
}

template <typename Q>
void requantize_run(const int32_t* acc, size_t n, float multiplier, int32_t zp, QuantRange r,
                    Q* y) {
  const float32x4_t m = vdupq_n_f32(multiplier);
  const float32x4_t lo = vdupq_n_f32(static_cast<float>(r.qmin - zp));
  const float32x4_t hi = vdupq_n_f32(static_cast<float>(r.qmax - zp));
  const int32x4_t z = vdupq_n_s32(zp);
  auto step = [&](size_t j) {
    return round_clamp(vmulq_f32(vcvtq_f32_s32(vld1q_s32(acc + j)), m), lo, hi, z);
  };
  size_t i = 0;
  for (; i + 16 <= n; i += 16) store16(y + i, step(i), step(i + 4), step(i + 8), step(i + 12));
  for (; i < n; ++i) y[i] = static_cast<Q>(scalar::requantize(acc[i], multiplier, zp, r));
}

template <typename Q>
void requantize_lanes(const int32_t* acc, size_t n, const float* multiplier, const int32_t* zp,
                      QuantRange r, Q* y) {
  const float32x4_t qmin = vdupq_n_f32(static_cast<float>(r.qmin));
  const float32x4_t qmax = vdupq_n_f32(static_cast<float>(r.qmax));
  auto step = [&](size_t j) {
    const int32x4_t z = vld1q_s32(zp + j);
    const float32x4_t zf = vcvtq_f32_s32(z);
    const float32x4_t v = vmulq_f32(vcvtq_f32_s32(vld1q_s32(acc + j)), vld1q_f32(multiplier + j));
    return round_clamp(v, vsubq_f32(qmin, zf), vsubq_f32(qmax, zf), z);
  };
  size_t i = 0;
  for (; i + 16 <= n; i += 16) store16(y + i, step(i), step(i + 4), step(i + 8), step(i + 12));
  for (; i < n; ++i) y[i] = static_cast<Q>(scalar::requantize(acc[i], multiplier[i], zp[i], r));
}

}  // namespace

}  // namespace quanta::neon

namespace quanta {

namespace neon {
void register_range_kernels(KernelTable* t);  // range_neon.cc
}  // namespace neon

void register_neon_kernels(KernelTable* t) {
  using namespace neon;
  register_neon_binary_kernels(t);
  register_neon_memory_read_kernels(t);
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
  t->quantize_isa = t->dequantize_isa = t->requantize_isa = Isa::neon;
  register_range_kernels(t);
  register_neon_gemm_kernels(t);
  register_neon_int4_kernels(t);
}

}  // namespace quanta
