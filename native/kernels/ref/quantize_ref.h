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
// kmeans_ref.cc
void kmeans_assign_f32(const float* x, size_t n, const float* bounds, unsigned bounds_log2,
                       uint8_t* codes);
void kmeans_accumulate_f32(const float* x, const uint8_t* codes, size_t n, size_t levels,
                           double* sums, uint64_t* counts);
// range_ref.cc
uint64_t range_f32(const float* x, size_t n, float* min, float* max);
uint64_t range_columns_f32(const float* x, size_t rows, size_t width, size_t stride, float* mins,
                           float* maxs);
uint64_t histogram_f32(const float* x, size_t n, float lo, float inv, uint32_t bins, bool abs_mode,
                       uint32_t* scratch, uint64_t* counts);
// For optimized range_f32: folds one block's min / max (found lane-wise, zero signs arbitrary)
// into the running state exactly as the sequential loop would, looking up the first zero of the
// block when a zero becomes the new min or max.
void range_merge_block(const float* x, size_t n, float block_min, float block_max, float* min,
                       float* max);
// For optimized histogram_f32: adds the sub-histograms (kHistogramSubs rows of bins + 1 counters,
// the last one of each row counting non-finite values) to counts; returns the non-finite count.
uint64_t histogram_flush(const uint32_t* scratch, uint32_t bins, uint64_t* counts);
// How many of the kHistogramSubs sub-histograms an optimized kernel spreads over: all of them
// while they fit in L1 beside the input stream, else 4 (2048 bins: 8 copies are 64 KiB and ran at
// half the speed of 4 on Zen 4/5).
inline size_t histogram_subs_used(uint32_t bins) { return bins <= 768 ? kHistogramSubs : 4; }

}  // namespace quanta::ref
