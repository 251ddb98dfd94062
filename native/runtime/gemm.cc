#include "runtime/gemm.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "runtime/aligned_storage.h"
#include "runtime/thread_pool.h"

namespace quanta {

namespace {

inline int32_t wrap32(int64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v))); }

// max |x - z| for x over [lo, hi].
inline int64_t max_dev(int64_t lo, int64_t hi, int64_t z) { return std::max(std::llabs(lo - z), std::llabs(hi - z)); }

// Per-thread scratch that only grows: no allocation (and no first-touch page faults) per call.
struct Scratch {
  std::vector<uint8_t> a;
  std::vector<int32_t> ra, rb;
  std::vector<int32_t> acc;  // requantizing calls with several K slices: the running sums
  std::vector<float> multiplier;
  std::vector<int32_t> col_add;
};
Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// Copies one row's slice of A as A' (xor flip) and returns its byte sum when wanted (klen is at
// most a slice, 2048: the sum fits 32 bits). Eight bytes at a time; the byte sums go through
// 16-bit lanes, flushed before they can overflow.
uint32_t pack_row(const uint8_t* src, size_t klen, uint8_t flip, bool want_sum, uint8_t* dst) {
  const uint64_t flip8 = 0x0101010101010101ull * flip, low = 0x00FF00FF00FF00FFull;
  uint64_t lanes = 0, total = 0;
  size_t i = 0;
  for (size_t n = 0; i + 8 <= klen; i += 8) {
    uint64_t w;
    std::memcpy(&w, src + i, 8);
    w ^= flip8;
    std::memcpy(dst + i, &w, 8);
    if (want_sum) {
      lanes += (w & low) + ((w >> 8) & low);
      if (++n == 128) {  // 128 * 510 < 65536
        total += (lanes & 0xFFFF) + ((lanes >> 16) & 0xFFFF) + ((lanes >> 32) & 0xFFFF) + (lanes >> 48);
        lanes = 0;
        n = 0;
      }
    }
  }
  total += (lanes & 0xFFFF) + ((lanes >> 16) & 0xFFFF) + ((lanes >> 32) & 0xFFFF) + (lanes >> 48);
  for (; i < klen; ++i) {
    dst[i] = src[i] ^ flip;
    total += dst[i];
  }
  return static_cast<uint32_t>(total);
}

}  // namespace

bool gemm_allocate_packed(size_t n, size_t k, GemmPackedB* out) {
  GemmPackedB p;
  p.n = n;
  p.k = k;
  p.panels = gemm_panels(n);
  p.panel_stride = gemm_panel_stride(k);
  const size_t cols = p.panels * kGemmPanel;
  const size_t header = gemm_round_up(4 * cols * sizeof(int32_t), 64);
  const size_t bytes = header + p.panels * p.panel_stride;
  p.storage = zeroed_aligned_storage(bytes);
  if (p.storage == nullptr) return false;
  p.colsum = static_cast<int32_t*>(p.storage.get());
  p.nzb = p.colsum + cols;
  p.scale = reinterpret_cast<float*>(p.nzb + cols);
  p.bias = p.scale + cols;
  p.data = reinterpret_cast<int8_t*>(static_cast<uint8_t*>(p.storage.get()) + header);
  *out = std::move(p);
  return true;
}

int64_t gemm_max_dev(int32_t zb) { return max_dev(-128, 127, zb); }

std::string gemm_pack_b(const uint8_t* b, bool b_signed, GemmLayoutB layout, size_t n, size_t k,
                        const int32_t* zp, size_t zp_count, const float* scale, size_t scale_count,
                        const float* bias, GemmPackedB* out) {
  if (zp_count != 1 && zp_count != n) return "zero points: expected 1 or N values";
  if (scale_count != 0 && scale_count != 1 && scale_count != n) return "scales: expected 0, 1 or N values";
  GemmPackedB p;
  if (!gemm_allocate_packed(n, k, &p)) return "out of memory packing the weights";
  p.b_signed = b_signed;

  const uint8_t flip = b_signed ? 0 : 0x80;  // unsigned B -> B - 128 as int8
  const int64_t shift = b_signed ? 0 : -128;
  std::vector<int64_t> sums(n, 0);
  auto put = [&](size_t row_n, size_t col_k, uint8_t raw) {
    const int8_t v = static_cast<int8_t>(raw ^ flip);
    p.data[(row_n / kGemmPanel) * p.panel_stride + (col_k / kGemmK4) * kGemmStepBytes +
           (row_n % kGemmPanel) * kGemmK4 + col_k % kGemmK4] = v;
    sums[row_n] += v;
  };
  if (layout == GemmLayoutB::nk) {
    for (size_t j = 0; j < n; ++j)
      for (size_t kk = 0; kk < k; ++kk) put(j, kk, b[j * k + kk]);
  } else {
    for (size_t kk = 0; kk < k; ++kk)
      for (size_t j = 0; j < n; ++j) put(j, kk, b[kk * n + j]);
  }
  for (size_t j = 0; j < n; ++j) {
    const int64_t z = int64_t{zp[zp_count == 1 ? 0 : j]} + shift;
    p.colsum[j] = wrap32(sums[j]);
    p.nzb[j] = wrap32(-z);
    if (z != 0) p.zb_zero = false;
    p.max_dev = std::max(p.max_dev, gemm_max_dev(static_cast<int32_t>(z)));
    p.scale[j] = scale_count == 0 ? 1.0f : scale[scale_count == 1 ? 0 : j];
    p.bias[j] = bias == nullptr ? 0.0f : bias[j];
  }
  *out = std::move(p);
  return "";
}

size_t gemm_max_k(const GemmA& a, const GemmPackedB& b) {
  const int64_t shift = a.is_signed ? 128 : 0;
  int64_t dev = 0;
  for (size_t i = 0; i < a.zp_count; ++i) dev = std::max(dev, max_dev(0, 255, int64_t{a.zp[i]} + shift));
  const int64_t per_k = dev * b.max_dev;
  return per_k == 0 ? SIZE_MAX : static_cast<size_t>(int64_t{INT32_MAX} / per_k);
}

std::string gemm_u8s8(const KernelTable& kt, const GemmA& a, const GemmPackedB& b,
                      const GemmOut& out) {
  const size_t M = a.m, N = b.n, K = b.k;
  if (a.zp_count != 1 && a.zp_count != M) return "A zero points: expected 1 or M values";
  if (out.kind == GemmEpilogueKind::f32 && out.scale_a_count != 1 && out.scale_a_count != M) {
    return "A scales: expected 1 or M values";
  }
  const bool requant = out.kind == GemmEpilogueKind::u8 || out.kind == GemmEpilogueKind::s8;
  if (out.kind != GemmEpilogueKind::s32 && out.scale_a == nullptr) return "A scales: missing";
  if (requant && out.scale_a_count != 1) return "A scales: requantization takes 1 value";
  if (K > gemm_max_k(a, b)) {
    return "K = " + std::to_string(K) + " exceeds the int32 bound " + std::to_string(gemm_max_k(a, b)) +
           " for these zero points";
  }
  if (M == 0 || N == 0) return "";

  // Per-row zero-point terms: ra = -za' here; rb = rowsum(A') - K * za' (only when some
  // zb' != 0) while the slices of A are packed.
  Scratch& own = scratch();
  const int64_t a_shift = a.is_signed ? 128 : 0;
  const uint8_t a_flip = a.is_signed ? 0x80 : 0;
  bool za_zero = true;
  for (size_t i = 0; i < a.zp_count; ++i) za_zero = za_zero && int64_t{a.zp[i]} + a_shift == 0;
  const int32_t* ra = nullptr;
  if (!za_zero) {
    own.ra.resize(std::max(own.ra.size(), M));
    for (size_t m = 0; m < M; ++m) own.ra[m] = wrap32(-(int64_t{a.zp[a.zp_count == 1 ? 0 : m]} + a_shift));
    ra = own.ra.data();
  }
  const bool need_rb = !b.zb_zero;
  if (requant) {
    own.multiplier.resize(std::max(own.multiplier.size(), b.panels * kGemmPanel));
    for (size_t j = 0; j < b.panels * kGemmPanel; ++j) {
      own.multiplier[j] = out.scale_a[0] * b.scale[j] / out.out_scale;
    }
  }
  const float* multiplier = own.multiplier.data();
  const int32_t* col_add = nullptr;
  if (requant) {
    bool any_bias = false;
    for (size_t j = 0; j < N; ++j) any_bias = any_bias || b.bias[j] != 0.0f;
    if (any_bias) {
      own.col_add.assign(b.panels * kGemmPanel, 0);
      for (size_t j = 0; j < N; ++j) {
        const double q = std::nearbyint(double{b.bias[j]} / double{out.scale_a[0] * b.scale[j]});
        own.col_add[j] = static_cast<int32_t>(std::clamp(q, double{INT32_MIN}, double{INT32_MAX}));
      }
      col_add = own.col_add.data();
    }
  }

  // K slices of at most kGemmKcSteps k4 steps, balanced. A few rows (GEMV, token generation)
  // take all of K at once: B is then read once, panel after panel, in long sequential runs,
  // and the sums never leave the registers.
  const size_t k4 = gemm_k4_steps(K);
  const size_t slice_limit = M <= kGemmSmallM ? std::max<size_t>(k4, 1) : kGemmKcSteps;
  const size_t slices = std::max<size_t>(1, (k4 + slice_limit - 1) / slice_limit);
  const size_t slice_steps = (k4 + slices - 1) / slices;

  // Tasks: row blocks x column chunks (chunks a multiple of 3 panels, the kernel's 48 columns).
  const int threads = num_threads();
  const size_t row_blocks = (M + kGemmMc - 1) / kGemmMc;
  const size_t groups = (b.panels + 2) / 3;
  size_t col_chunks = 1;
  size_t chunk_panels = 3 * groups;
  if (threads > 1) {
    // At least 4 tasks a thread, and a whole number of them per thread where the columns allow:
    // 2048 rows are 11 row blocks, and 11 tasks on two threads left one 20% more work
    // (2048^3 on two threads: 9.2-9.3 -> 8.9 ms with 22).
    const size_t want = 4 * static_cast<size_t>(threads);
    const size_t fewest = std::min(groups, std::max<size_t>(1, (want + row_blocks - 1) / row_blocks));
    for (size_t c = fewest;; ++c) {
      chunk_panels = 3 * ((groups + c - 1) / c);
      col_chunks = (b.panels + chunk_panels - 1) / chunk_panels;
      if ((row_blocks * col_chunks) % static_cast<size_t>(threads) == 0 || c >= groups) break;
    }
  }
  const size_t tasks = row_blocks * col_chunks;
  // Unsigned A in one K slice, K a multiple of 4 and no row sums wanted: A is already A' in the
  // layout the kernels read (rows of k4 * 4 bytes), so they use it in place: no copy per row block
  // and column chunk (dynamic quantization's uint8 activations against symmetric weights).
  const bool a_in_place = !a.is_signed && slices == 1 && K % kGemmK4 == 0 && !need_rb;
  // Below ~4 M multiply-adds waking the pool costs more than it saves.
  const double macs = double(M) * double(N) * double(K);
  const size_t grain = macs < 4e6 ? tasks : 1;

  parallel_for(tasks, grain, [&](size_t begin, size_t end) {
    Scratch& s = scratch();
    const size_t a_stride = slice_steps * kGemmK4 + 64;  // +64: rows off the same L1 sets
    if (s.a.size() < kGemmMc * a_stride) s.a.resize(kGemmMc * a_stride);
    if (s.rb.size() < kGemmMc) s.rb.resize(kGemmMc);
    for (size_t task = begin; task < end; ++task) {
      const size_t r0 = (task / col_chunks) * kGemmMc;
      const size_t rows = std::min(kGemmMc, M - r0);
      const size_t p0 = (task % col_chunks) * chunk_panels;
      const size_t col0 = p0 * kGemmPanel;
      const size_t cols = std::min(N, (p0 + chunk_panels) * kGemmPanel) - col0;
      for (size_t sl = 0; sl < slices; ++sl) {
        const size_t t0 = sl * slice_steps;
        const size_t steps = std::min(slice_steps, k4 - std::min(k4, t0));
        const size_t k0 = t0 * kGemmK4;
        const size_t klen = std::min(K, k0 + steps * kGemmK4) - std::min(K, k0);
        for (size_t r = 0; r < rows && !a_in_place; ++r) {
          uint8_t* dst = s.a.data() + r * a_stride;
          const uint32_t sum = pack_row(a.data + (r0 + r) * a.lda + k0, klen, a_flip, need_rb, dst);
          std::memset(dst + klen, 0, steps * kGemmK4 - klen);
          if (need_rb) {
            // rb = rowsum(A') - K * za', accumulated modulo 2^32 slice by slice.
            const int64_t za = int64_t{a.zp[a.zp_count == 1 ? 0 : r0 + r]} + a_shift;
            const uint32_t start = sl == 0 ? static_cast<uint32_t>(wrap32(-static_cast<int64_t>(K) * za))
                                           : static_cast<uint32_t>(s.rb[r]);
            s.rb[r] = static_cast<int32_t>(start + sum);
          }
        }
        GemmBlock g{};
        g.a = a_in_place ? a.data + r0 * a.lda : s.a.data();
        g.a_stride = a_in_place ? a.lda : a_stride;
        g.m = rows;
        g.b = b.data + p0 * b.panel_stride + t0 * kGemmStepBytes;
        g.b_panel_stride = b.panel_stride;
        g.k4 = steps;
        g.n = cols;
        g.first = sl == 0;
        g.last = sl + 1 == slices;
        g.colsum = b.colsum + col0;
        g.nzb = need_rb ? b.nzb + col0 : nullptr;
        g.ra = ra != nullptr ? ra + r0 : nullptr;
        g.rb = need_rb ? s.rb.data() : nullptr;
        if (!requant) {
          g.acc = static_cast<uint8_t*>(out.data) + (r0 * out.ldy + col0) * 4;
          g.ldc = out.ldy;
        } else if (slices > 1) {
          if (s.acc.size() < rows * cols) s.acc.resize(rows * cols);
          g.acc = s.acc.data();
          g.ldc = cols;
        }
        g.multiplier = multiplier + col0;
        g.col_add = col_add == nullptr ? nullptr : col_add + col0;
        g.out_zp = out.out_zp;
        g.qmin = out.qmin;
        g.qmax = out.qmax;
        g.out = static_cast<uint8_t*>(out.data) + r0 * out.ldy + col0;
        g.ldo = out.ldy;
        g.kind = out.kind;
        g.relu = out.relu;
        const bool per_row = out.scale_a_count != 1;
        g.scale_a = out.scale_a == nullptr ? nullptr : out.scale_a + (per_row ? r0 : 0);
        g.scale_a_per_row = per_row;
        g.scale_b = b.scale + col0;
        g.bias = b.bias + col0;
        kt.gemm_u8s8(g);
        if (g.last && out.gelu && out.kind == GemmEpilogueKind::f32) {
          // While the block's outputs are still in cache.
          float* y = static_cast<float*>(out.data) + r0 * out.ldy + col0;
          for (size_t r = 0; r < rows; ++r) kt.gelu_f32(y + r * out.ldy, cols);
        }
      }
    }
  });
  return "";
}

}  // namespace quanta
