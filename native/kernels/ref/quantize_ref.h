// The reference kernels by name (every family), so optimized kernels and tests can call them
// directly.
#pragma once

#include "quanta/kernels.h"

namespace quanta::ref {

void quantize_f32_s8(const float* x, size_t n, float s, int32_t zp, QuantRange r, int8_t* y);
void quantize_f32_u8(const float* x, size_t n, float s, int32_t zp, QuantRange r, uint8_t* y);
void quantize_f32_s8_lanes(const float* x, size_t n, const float* s, const int32_t* zp,
                           QuantRange r, int8_t* y);
void quantize_f32_u8_lanes(const float* x, size_t n, const float* s, const int32_t* zp,
                           QuantRange r, uint8_t* y);
void dequantize_s8_f32(const int8_t* x, size_t n, float s, int32_t zp, float* y);
void dequantize_u8_f32(const uint8_t* x, size_t n, float s, int32_t zp, float* y);
void dequantize_s8_f32_lanes(const int8_t* x, size_t n, const float* s, const int32_t* zp,
                             float* y);
void dequantize_u8_f32_lanes(const uint8_t* x, size_t n, const float* s, const int32_t* zp,
                             float* y);
void requantize_s32_s8(const int32_t* a, size_t n, float m, int32_t zp, QuantRange r, int8_t* y);
void requantize_s32_u8(const int32_t* a, size_t n, float m, int32_t zp, QuantRange r, uint8_t* y);
void requantize_s32_s8_lanes(const int32_t* a, size_t n, const float* m, const int32_t* zp,
                             QuantRange r, int8_t* y);
void requantize_s32_u8_lanes(const int32_t* a, size_t n, const float* m, const int32_t* zp,
                             QuantRange r, uint8_t* y);
void requantize_fixed_s32_s8(const int32_t* a, size_t n, int32_t m, int32_t shift, int32_t zp,
                             QuantRange r, int8_t* y);
void requantize_fixed_s32_u8(const int32_t* a, size_t n, int32_t m, int32_t shift, int32_t zp,
                             QuantRange r, uint8_t* y);
int32_t dot_u8s8(const uint8_t* a, const int8_t* b, size_t k);
// kmeans_ref.cc
void kmeans_assign_f32(const float* x, size_t n, const float* bounds, unsigned bounds_log2,
                       uint8_t* codes);
void kmeans_accumulate_f32(const float* x, const uint8_t* codes, size_t n, size_t levels,
                           double* sums, uint64_t* counts);

}  // namespace quanta::ref
