// Reference quantize / dequantize / requantize kernels: the specification of the family.
#include "kernels/ref/quantize_ref.h"

#include "kernels/ref/scalar.h"

namespace quanta::ref {

template <typename Q>
static void quantize_run(const float* x, size_t n, float scale, int32_t zero_point,
                         QuantRange range, Q* y) {
  for (size_t i = 0; i < n; ++i) y[i] = static_cast<Q>(scalar::quantize(x[i], scale, zero_point, range));
}

template <typename Q>
static void quantize_lanes(const float* x, size_t n, const float* scale, const int32_t* zero_point,
                           QuantRange range, Q* y) {
  for (size_t i = 0; i < n; ++i) {
    y[i] = static_cast<Q>(scalar::quantize(x[i], scale[i], zero_point[i], range));
  }
}

template <typename Q>
static void dequantize_run(const Q* x, size_t n, float scale, int32_t zero_point, float* y) {
  for (size_t i = 0; i < n; ++i) y[i] = scalar::dequantize(x[i], scale, zero_point);
}

template <typename Q>
static void dequantize_lanes(const Q* x, size_t n, const float* scale, const int32_t* zero_point,
                             float* y) {
  for (size_t i = 0; i < n; ++i) y[i] = scalar::dequantize(x[i], scale[i], zero_point[i]);
}

template <typename Q>
static void requantize_run(const int32_t* acc, size_t n, float multiplier, int32_t zero_point,
                           QuantRange range, Q* y) {
  for (size_t i = 0; i < n; ++i) {
    y[i] = static_cast<Q>(scalar::requantize(acc[i], multiplier, zero_point, range));
  }
}

template <typename Q>
static void requantize_lanes(const int32_t* acc, size_t n, const float* multiplier,
                             const int32_t* zero_point, QuantRange range, Q* y) {
  for (size_t i = 0; i < n; ++i) {
    y[i] = static_cast<Q>(scalar::requantize(acc[i], multiplier[i], zero_point[i], range));
  }
}

template <typename Q>
static void requantize_fixed_run(const int32_t* acc, size_t n, int32_t multiplier, int32_t shift,
                                 int32_t zero_point, QuantRange range, Q* y) {
  for (size_t i = 0; i < n; ++i) {
    y[i] = static_cast<Q>(scalar::requantize_fixed(acc[i], multiplier, shift, zero_point, range));
  }
}

void quantize_f32_s8(const float* x, size_t n, float s, int32_t zp, QuantRange r, int8_t* y) {
  quantize_run(x, n, s, zp, r, y);
}
void quantize_f32_u8(const float* x, size_t n, float s, int32_t zp, QuantRange r, uint8_t* y) {
  quantize_run(x, n, s, zp, r, y);
}
void quantize_f32_s8_lanes(const float* x, size_t n, const float* s, const int32_t* zp,
                           QuantRange r, int8_t* y) {
  quantize_lanes(x, n, s, zp, r, y);
}
void quantize_f32_u8_lanes(const float* x, size_t n, const float* s, const int32_t* zp,
                           QuantRange r, uint8_t* y) {
  quantize_lanes(x, n, s, zp, r, y);
}
void dequantize_s8_f32(const int8_t* x, size_t n, float s, int32_t zp, float* y) {
  dequantize_run(x, n, s, zp, y);
}
void dequantize_u8_f32(const uint8_t* x, size_t n, float s, int32_t zp, float* y) {
  dequantize_run(x, n, s, zp, y);
}
void dequantize_s8_f32_lanes(const int8_t* x, size_t n, const float* s, const int32_t* zp,
                             float* y) {
  dequantize_lanes(x, n, s, zp, y);
}
void dequantize_u8_f32_lanes(const uint8_t* x, size_t n, const float* s, const int32_t* zp,
                             float* y) {
  dequantize_lanes(x, n, s, zp, y);
}
void requantize_s32_s8(const int32_t* a, size_t n, float m, int32_t zp, QuantRange r, int8_t* y) {
  requantize_run(a, n, m, zp, r, y);
}
void requantize_s32_u8(const int32_t* a, size_t n, float m, int32_t zp, QuantRange r, uint8_t* y) {
  requantize_run(a, n, m, zp, r, y);
}
void requantize_s32_s8_lanes(const int32_t* a, size_t n, const float* m, const int32_t* zp,
                             QuantRange r, int8_t* y) {
  requantize_lanes(a, n, m, zp, r, y);
}
void requantize_s32_u8_lanes(const int32_t* a, size_t n, const float* m, const int32_t* zp,
                             QuantRange r, uint8_t* y) {
  requantize_lanes(a, n, m, zp, r, y);
}
void requantize_fixed_s32_s8(const int32_t* a, size_t n, int32_t m, int32_t shift, int32_t zp,
                             QuantRange r, int8_t* y) {
  requantize_fixed_run(a, n, m, shift, zp, r, y);
}
void requantize_fixed_s32_u8(const int32_t* a, size_t n, int32_t m, int32_t shift, int32_t zp,
                             QuantRange r, uint8_t* y) {
  requantize_fixed_run(a, n, m, shift, zp, r, y);
}

}  // namespace quanta::ref

namespace quanta {

void register_ref_kernels(KernelTable* t) {
  t->quantize_f32_s8 = ref::quantize_f32_s8;
  t->quantize_f32_u8 = ref::quantize_f32_u8;
  t->quantize_f32_s8_lanes = ref::quantize_f32_s8_lanes;
  t->quantize_f32_u8_lanes = ref::quantize_f32_u8_lanes;
  t->dequantize_s8_f32 = ref::dequantize_s8_f32;
  t->dequantize_u8_f32 = ref::dequantize_u8_f32;
  t->dequantize_s8_f32_lanes = ref::dequantize_s8_f32_lanes;
  t->dequantize_u8_f32_lanes = ref::dequantize_u8_f32_lanes;
  t->requantize_s32_s8 = ref::requantize_s32_s8;
  t->requantize_s32_u8 = ref::requantize_s32_u8;
  t->requantize_s32_s8_lanes = ref::requantize_s32_s8_lanes;
  t->requantize_s32_u8_lanes = ref::requantize_s32_u8_lanes;
  t->requantize_fixed_s32_s8 = ref::requantize_fixed_s32_s8;
  t->requantize_fixed_s32_u8 = ref::requantize_fixed_s32_u8;
  t->kmeans_assign_f32 = ref::kmeans_assign_f32;
  t->kmeans_accumulate_f32 = ref::kmeans_accumulate_f32;
  t->range_f32 = ref::range_f32;
  t->range_columns_f32 = ref::range_columns_f32;
  t->histogram_f32 = ref::histogram_f32;
  t->quantize_isa = t->dequantize_isa = t->requantize_isa = t->kmeans_isa = t->range_isa = Isa::ref;
  register_ref_gemm_kernels(t);
  register_ref_sgemm_kernels(t);
  register_ref_int4_kernels(t);
  register_ref_binary_kernels(t);
  register_ref_memory_read_kernels(t);
}

}  // namespace quanta
