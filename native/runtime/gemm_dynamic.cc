#include "runtime/gemm_dynamic.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <vector>

#include "runtime/range_ops.h"
#include "runtime/thread_pool.h"

namespace quanta {

DynamicQuantParams dynamic_uint8_params(float min, float max) {
  min = std::min(min, 0.0f);
  max = std::max(max, 0.0f);
  DynamicQuantParams p{1.0f, 0};
  if (max == min) return p;
  p.scale = (max - min) / 255.0f;
  if (p.scale == 0.0f) return {1.0f, 0};
  if (!std::isfinite(p.scale)) return p;
  const float initial = 0.0f - min / p.scale;
  p.zero_point = static_cast<int32_t>(std::nearbyint(std::clamp(initial, 0.0f, 255.0f)));
  return p;
}

namespace {

// The quantized activations and their parameters: grown, never shrunk, so steady-state calls do
// not allocate (nor fault in fresh pages).
struct DynamicScratch {
  std::vector<uint8_t> codes;
  std::vector<float> scale;
  std::vector<int32_t> zp;
  std::vector<uint64_t> bad;  // non-finite count per row
};

DynamicScratch& dynamic_scratch() {
  thread_local DynamicScratch s;
  return s;
}

}  // namespace

size_t gemm_dynamic_max_k(const GemmPackedB& b) {
  const int64_t per_k = 255 * b.max_dev;
  return per_k == 0 ? SIZE_MAX : static_cast<size_t>(int64_t{INT32_MAX} / per_k);
}

std::string gemm_dynamic_f32(const KernelTable& kt, const GemmDynamicArgs& args, const GemmPackedB& b) {
  const size_t M = args.m, K = b.k;
  if (K > gemm_dynamic_max_k(b)) return "K exceeds the int32 bound";
  DynamicScratch& s = dynamic_scratch();
  const size_t params = args.per_row ? M : 1;
  if (s.codes.size() < M * K) s.codes.resize(M * K);
  if (s.scale.size() < std::max<size_t>(params, 1)) {
    s.scale.resize(std::max<size_t>(params, 1));
    s.zp.resize(std::max<size_t>(params, 1));
  }
  if (s.bad.size() < M) s.bad.resize(M);
  // Rows in chunks of about 64 KiB of input: below that one thread does it all.
  const size_t grain = std::max<size_t>(1, (size_t{16} << 10) / std::max<size_t>(K, 1));

  if (args.per_row) {
    parallel_for(M, grain, [&](size_t begin, size_t end) {
      for (size_t r = begin; r < end; ++r) {
        const float* row = args.x + r * K;
        float lo = 0.0f, hi = 0.0f;
        s.bad[r] = kt.range_f32(row, K, &lo, &hi);
        const DynamicQuantParams p = dynamic_uint8_params(lo, hi);
        s.scale[r] = p.scale;
        s.zp[r] = p.zero_point;
        if (s.bad[r] == 0 && std::isfinite(p.scale)) kt.quantize_f32_u8(row, K, p.scale, p.zero_point, {0, 255}, s.codes.data() + r * K);
      }
    });
    for (size_t r = 0; r < M; ++r) {
      if (s.bad[r] != 0) return "x contains NaN or an infinity (row " + std::to_string(r) + ")";
      if (!std::isfinite(s.scale[r])) return "row " + std::to_string(r) + " of x spans more than float32 can quantize to 8 bits";
    }
  } else {
    float lo = 0.0f, hi = 0.0f;
    if (range_of(kt, args.x, M * K, &lo, &hi) != 0) return "x contains NaN or an infinity";
    const DynamicQuantParams p = dynamic_uint8_params(lo, hi);
    if (!std::isfinite(p.scale)) return "x spans more than float32 can quantize to 8 bits";
    s.scale[0] = p.scale;
    s.zp[0] = p.zero_point;
    parallel_for(M, grain, [&](size_t begin, size_t end) {
      kt.quantize_f32_u8(args.x + begin * K, (end - begin) * K, p.scale, p.zero_point, {0, 255}, s.codes.data() + begin * K);
    });
  }

  GemmA a;
  a.data = s.codes.data();
  a.m = M;
  a.lda = K;
  a.is_signed = false;
  a.zp = s.zp.data();
  a.zp_count = params;
  GemmOut out;
  out.kind = GemmEpilogueKind::f32;
  out.data = args.y;
  out.ldy = b.n;
  out.scale_a = s.scale.data();
  out.scale_a_count = params;
  out.relu = args.relu;
  out.gelu = args.gelu;
  return gemm_u8s8(kt, a, b, out);
}

}  // namespace quanta
