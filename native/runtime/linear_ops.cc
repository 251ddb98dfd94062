#include "runtime/linear_ops.h"

#include <vector>

#include "runtime/thread_pool.h"

namespace quanta {

size_t AxisView::scale_count() const {
  switch (layout) {
    case ScaleLayout::per_tensor: return 1;
    case ScaleLayout::per_axis: return axis;
    case ScaleLayout::blocked: return outer * ((axis + block - 1) / block) * inner;
  }
  return 0;
}

namespace {

// Below this many elements a loop stays on the calling thread: waking workers costs more.
constexpr size_t kParallelGrain = size_t{1} << 18;

// `Op` maps an element range [off, off + n) of the flat tensor to one kernel call:
//   op.run(off, n, scale, zp)         one scale for the range
//   op.lanes(off, n, scale*, zp*)     element i uses scale[i], zp[i]
template <typename Op>
void apply(const AxisView& v, const float* scale, const int32_t* zp, const Op& op) {
  const size_t n = v.size();
  if (n == 0) return;
  switch (v.layout) {
    case ScaleLayout::per_tensor: {
      // Huge tensors go in chunks of 4M elements, long enough for the kernels' streaming stores.
      const size_t grain = n >= (size_t{1} << 24) ? size_t{1} << 22 : kParallelGrain;
      parallel_for(n, grain, [&](size_t b, size_t e) { op.run(b, e - b, scale[0], zp[0]); });
      return;
    }
    case ScaleLayout::per_axis: {
      if (v.inner == 1) {
        // Innermost axis: each row of `axis` values walks the scale array in step.
        const size_t grain = kParallelGrain / v.axis + 1;
        parallel_for(v.outer, grain, [&](size_t b, size_t e) {
          for (size_t o = b; o < e; ++o) op.lanes(o * v.axis, v.axis, scale, zp);
        });
        return;
      }
      // Each (o, a) is a run of `inner` values with one scale.
      const size_t rows = v.outer * v.axis;
      parallel_for(rows, kParallelGrain / v.inner + 1, [&](size_t b, size_t e) {
        for (size_t r = b; r < e; ++r) op.run(r * v.inner, v.inner, scale[r % v.axis], zp[r % v.axis]);
      });
      return;
    }
    case ScaleLayout::blocked: {
      const size_t blocks = (v.axis + v.block - 1) / v.block;
      if (v.inner == 1) {
        // Blocks are contiguous runs along the axis.
        const size_t units = v.outer * blocks;
        parallel_for(units, kParallelGrain / v.block + 1, [&](size_t b, size_t e) {
          for (size_t u = b; u < e; ++u) {
            const size_t o = u / blocks, blk = u % blocks;
            const size_t a0 = blk * v.block;
            const size_t len = a0 + v.block <= v.axis ? v.block : v.axis - a0;
            op.run(o * v.axis + a0, len, scale[u], zp[u]);
          }
        });
        return;
      }
      // Row (o, a) has `inner` values whose scales are contiguous in the scale tensor.
      const size_t rows = v.outer * v.axis;
      parallel_for(rows, kParallelGrain / v.inner + 1, [&](size_t b, size_t e) {
        for (size_t r = b; r < e; ++r) {
          const size_t o = r / v.axis, a = r % v.axis;
          const size_t s = (o * blocks + a / v.block) * v.inner;
          op.lanes(r * v.inner, v.inner, scale + s, zp + s);
        }
      });
      return;
    }
  }
}

template <typename Q>
struct QuantizeOp {
  const float* x;
  Q* y;
  QuantRange range;
  void (*run_fn)(const float*, size_t, float, int32_t, QuantRange, Q*);
  void (*lanes_fn)(const float*, size_t, const float*, const int32_t*, QuantRange, Q*);
  void run(size_t off, size_t n, float s, int32_t z) const { run_fn(x + off, n, s, z, range, y + off); }
  void lanes(size_t off, size_t n, const float* s, const int32_t* z) const {
    lanes_fn(x + off, n, s, z, range, y + off);
  }
};

template <typename Q>
struct DequantizeOp {
  const Q* x;
  float* y;
  void (*run_fn)(const Q*, size_t, float, int32_t, float*);
  void (*lanes_fn)(const Q*, size_t, const float*, const int32_t*, float*);
  void run(size_t off, size_t n, float s, int32_t z) const { run_fn(x + off, n, s, z, y + off); }
  void lanes(size_t off, size_t n, const float* s, const int32_t* z) const {
    lanes_fn(x + off, n, s, z, y + off);
  }
};

template <typename Q>
struct RequantizeOp {
  const int32_t* x;
  Q* y;
  QuantRange range;
  void (*run_fn)(const int32_t*, size_t, float, int32_t, QuantRange, Q*);
  void (*lanes_fn)(const int32_t*, size_t, const float*, const int32_t*, QuantRange, Q*);
  void run(size_t off, size_t n, float s, int32_t z) const { run_fn(x + off, n, s, z, range, y + off); }
  void lanes(size_t off, size_t n, const float* s, const int32_t* z) const {
    lanes_fn(x + off, n, s, z, range, y + off);
  }
};

}  // namespace

void quantize_linear(const KernelTable& k, const AxisView& v, const float* x, const float* scale,
                     const int32_t* zp, QuantRange range, IntType type, void* y) {
  if (type == IntType::s8) {
    apply(v, scale, zp, QuantizeOp<int8_t>{x, static_cast<int8_t*>(y), range, k.quantize_f32_s8, k.quantize_f32_s8_lanes});
  } else {
    apply(v, scale, zp, QuantizeOp<uint8_t>{x, static_cast<uint8_t*>(y), range, k.quantize_f32_u8, k.quantize_f32_u8_lanes});
  }
}

void dequantize_linear(const KernelTable& k, const AxisView& v, IntType type, const void* x,
                       const float* scale, const int32_t* zp, float* y) {
  if (type == IntType::s8) {
    apply(v, scale, zp, DequantizeOp<int8_t>{static_cast<const int8_t*>(x), y, k.dequantize_s8_f32, k.dequantize_s8_f32_lanes});
  } else {
    apply(v, scale, zp, DequantizeOp<uint8_t>{static_cast<const uint8_t*>(x), y, k.dequantize_u8_f32, k.dequantize_u8_f32_lanes});
  }
}

void requantize_linear(const KernelTable& k, const AxisView& v, const int32_t* acc,
                       const float* multiplier, const int32_t* zp, QuantRange range, IntType type,
                       void* y) {
  if (type == IntType::s8) {
    apply(v, multiplier, zp, RequantizeOp<int8_t>{acc, static_cast<int8_t*>(y), range, k.requantize_s32_s8, k.requantize_s32_s8_lanes});
  } else {
    apply(v, multiplier, zp, RequantizeOp<uint8_t>{acc, static_cast<uint8_t*>(y), range, k.requantize_s32_u8, k.requantize_s32_u8_lanes});
  }
}

void requantize_fixed_linear(const KernelTable& k, const AxisView& v, const int32_t* acc,
                             const int32_t* multiplier, const int32_t* shift, const int32_t* zp,
                             QuantRange range, IntType type, void* y) {
  auto run = [&](size_t off, size_t n, size_t s) {
    if (type == IntType::s8) {
      k.requantize_fixed_s32_s8(acc + off, n, multiplier[s], shift[s], zp[s], range, static_cast<int8_t*>(y) + off);
    } else {
      k.requantize_fixed_s32_u8(acc + off, n, multiplier[s], shift[s], zp[s], range, static_cast<uint8_t*>(y) + off);
    }
  };
  if (v.layout == ScaleLayout::per_tensor) {
    parallel_for(v.size(), kParallelGrain, [&](size_t b, size_t e) { run(b, e - b, 0); });
    return;
  }
  const size_t rows = v.outer * v.axis;
  parallel_for(rows, kParallelGrain / (v.inner + 1) + 1, [&](size_t b, size_t e) {
    for (size_t r = b; r < e; ++r) run(r * v.inner, v.inner, r % v.axis);
  });
}

}  // namespace quanta
