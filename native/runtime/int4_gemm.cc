#include "runtime/int4_gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "runtime/aligned_storage.h"
#include "runtime/thread_pool.h"

namespace quanta {

namespace {

// The int8 path's quantized activations, and the inputs padded with zeros to whole groups when
// K is not a multiple of the group size. Per-thread and only growing: no allocation (and no
// first-touch page faults) per call.
struct Scratch {
  std::vector<float> padded;
  std::vector<int8_t> q;
  std::vector<float> d;
  std::vector<int32_t> sum;
};
Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// Panels per task: a multiple of 12, so that every task splits into whole tiles (GEMV tiles are
// 4 panels wide, the int8 GEMM's 3 or 2), and enough tasks to balance the threads. GEMV takes
// 4 tasks per thread (long weight streams, memory-bound); more rows take 16: a task is then a
// few tiles wide and the last, shorter ones even the threads out (with 4 per thread, N = 4096
// made 7 tasks of 36 panels and one of 4, 144 vs 112 panels a thread: M = 32 on two threads
// 0.83-0.85 -> 0.76 ms, M = 128 3.27-3.44 -> 3.14-3.41 ms, alternating builds).
size_t panels_per_task(size_t panels, size_t m, int threads) {
  if (threads <= 1) return panels;
  const size_t want = (m == 1 ? 4 : 16) * static_cast<size_t>(threads);
  const size_t per = (panels + want - 1) / want;
  return std::max<size_t>(12, (per + 11) / 12 * 12);
}

}  // namespace

size_t int4_first_non_finite(const float* x, size_t count) {
  // Exponent all ones <=> NaN or +-Inf. Blocks of 64 with an OR-reduction the compiler
  // vectorizes at the baseline ISA; the exact index is looked up only in a block that has one.
  auto bad = [](float v) {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    return (b & 0x7F800000u) == 0x7F800000u;
  };
  size_t i = 0;
  for (; i + 64 <= count; i += 64) {
    uint32_t any = 0;
    for (size_t j = 0; j < 64; ++j) any |= bad(x[i + j]) ? 1u : 0u;
    if (any != 0) break;
  }
  for (; i < count; ++i) {
    if (bad(x[i])) return i;
  }
  return count;
}

bool int4_group_supported(size_t group) { return group == 32 || group == 64 || group == 128; }

std::string int4_pack(const uint8_t* codes, uint8_t flip, const float* scales, const uint8_t* zero_points,
                      size_t n, size_t k, size_t group, Int4Packed* out) {
  if (!int4_group_supported(group)) return "group size must be 32, 64 or 128";
  if (n == 0 || k == 0) return "N and K must be positive";
  if (flip != 0 && flip != 8) return "flip must be 0 or 8";
  Int4Layout l;
  l.n = n;
  l.k = k;
  l.group = group;
  l.groups = int4_padded_k(k, group) / group;
  l.panels = (n + kInt4Panel - 1) / kInt4Panel;
  l.group_bytes = int4_group_bytes(group);
  l.zp_offset = l.groups * l.group_bytes;
  if (zero_points != nullptr) {
    for (size_t i = 0; i < n * l.groups; ++i) {
      if (zero_points[i] > 15) return "zero points must be in [0, 15]";
      l.has_zp = l.has_zp || zero_points[i] != 8;
    }
  }
  l.panel_stride = l.zp_offset + (l.has_zp ? int4_round_up(l.groups * kInt4Panel, 64) : 0);
  const size_t bytes = l.panels * l.panel_stride;
  std::shared_ptr<void> storage = zeroed_aligned_storage(bytes);
  if (storage == nullptr) return "out of memory packing the weights";
  uint8_t* data = static_cast<uint8_t*>(storage.get());

  // ONNX nibble order makes 4 source bytes (8 values along K) exactly the layout's dword:
  // value k0 + t sits at bits 4t in both.
  const uint32_t flip32 = 0x11111111u * flip;
  const size_t row_bytes = int4_padded_k(k, group) / 2;
  const size_t chunks = group / kInt4ChunkK;
  for (size_t col = 0; col < n; ++col) {
    uint8_t* panel = data + (col / kInt4Panel) * l.panel_stride;
    const size_t j = col % kInt4Panel;
    for (size_t g = 0; g < l.groups; ++g) {
      uint8_t* block = panel + g * l.group_bytes;
      const uint32_t z = zero_points != nullptr ? zero_points[col * l.groups + g] : 8;
      for (size_t c = 0; c < chunks; ++c) {
        const size_t k0 = g * group + c * kInt4ChunkK;
        uint32_t dword;
        std::memcpy(&dword, codes + col * row_bytes + k0 / 2, 4);
        dword ^= flip32;
        // Past K (a partial last group): u = z, a weight of exactly 0, whatever the source held.
        for (size_t t = k0 < k ? k - k0 : 0; t < kInt4ChunkK; ++t) dword = (dword & ~(0xFu << (4 * t))) | (z << (4 * t));
        std::memcpy(block + c * kInt4ChunkBytes + 4 * j, &dword, 4);
      }
      std::memcpy(block + chunks * kInt4ChunkBytes + 4 * j, scales + col * l.groups + g, 4);
      if (l.has_zp) panel[l.zp_offset + g * kInt4Panel + j] = zero_points[col * l.groups + g];
    }
  }
  // Padding columns: zero scales, zero point 8 (their outputs are never stored).
  if (l.has_zp) {
    for (size_t col = n; col < l.panels * kInt4Panel; ++col) {
      uint8_t* panel = data + (col / kInt4Panel) * l.panel_stride;
      for (size_t g = 0; g < l.groups; ++g) panel[l.zp_offset + g * kInt4Panel + col % kInt4Panel] = 8;
    }
  }
  l.data = data;
  out->layout = l;
  out->storage = std::move(storage);
  return "";
}

std::string int4_gemm(const KernelTable& kt, const Int4Packed& w, const float* x, size_t m,
                      Int4Activations acts, const float* bias, float* y) {
  const Int4Layout& l = w.layout;
  if (l.data == nullptr) return "the packed weights are empty";
  if (m == 0) return "";
  // The kernels run over whole groups: a partial last group gets inputs of 0 (against weights
  // of 0), copied once per call, O(M * K) against the kernel's O(M * N * K).
  const size_t kp = l.groups * l.group;
  Scratch& s = scratch();
  if (kp != l.k) {
    if (s.padded.size() < m * kp) s.padded.resize(m * kp);
    for (size_t r = 0; r < m; ++r) {
      std::memcpy(s.padded.data() + r * kp, x + r * l.k, l.k * sizeof(float));
      std::fill(s.padded.data() + r * kp + l.k, s.padded.data() + (r + 1) * kp, 0.0f);
    }
    x = s.padded.data();
  }
  Int4GemmArgs base{};
  base.w = &l;
  base.m = m;
  base.x = x;
  base.ldx = kp;
  base.bias = bias;
  base.ldy = l.n;
  if (acts == Int4Activations::s8) {
    // O(M * K) against the kernel's O(M * N * K), done once per call into the calling thread's
    // scratch; rows in chunks of ~64 KiB of input across the pool. The zeros of a padded group
    // change neither its amax nor its code sum.
    if (s.q.size() < m * kp) s.q.resize(m * kp);
    if (s.d.size() < m * l.groups) s.d.resize(m * l.groups);
    if (s.sum.size() < m * l.groups) s.sum.resize(m * l.groups);
    int8_t* q = s.q.data();
    float* d = s.d.data();
    int32_t* sum = s.sum.data();
    const size_t row_grain = std::max<size_t>(1, 16384 / kp);
    parallel_for(m, row_grain, [&](size_t begin, size_t end) {
      for (size_t r = begin; r < end; ++r) {
        kt.int4_quantize_row(x + r * kp, kp, l.group, q + r * kp, d + r * l.groups, sum + r * l.groups);
      }
    });
    base.xq = s.q.data();
    base.ldq = kp;
    base.xd = s.d.data();
    base.xsum = s.sum.data();
    base.ldg = l.groups;
  }
  const Int4GemmFn kernel = acts == Int4Activations::s8 ? kt.int4_gemm_s8 : kt.int4_gemm_f32;
  const size_t per = panels_per_task(l.panels, m, num_threads());
  const size_t tasks = (l.panels + per - 1) / per;
  // Below ~1 M multiply-adds waking the pool costs more than it saves.
  const double macs = double(m) * double(l.n) * double(kp);
  const size_t grain = macs < 1e6 ? tasks : 1;
  parallel_for(tasks, grain, [&](size_t begin, size_t end) {
    Int4GemmArgs a = base;
    a.panel0 = begin * per;
    a.panel_count = std::min(l.panels, end * per) - a.panel0;
    a.y = y + a.panel0 * kInt4Panel;
    kernel(a);
  });
  return "";
}

}  // namespace quanta
