#include "runtime/gemm_serialize.h"

#include <cmath>
#include <cstring>

namespace quanta {

namespace {

constexpr char kMagic[8] = {'Q', 'N', 'T', 'A', 'G', 'E', 'M', 'M'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderBytes = 40;
// Far beyond any real layer, and small enough that sizes computed from them cannot overflow.
constexpr uint64_t kMaxDim = uint64_t{1} << 31;

uint64_t fnv1a64(const uint8_t* p, size_t n, uint64_t h = 0xcbf29ce484222325ull) {
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

// The checksum covers the whole file but its own 8 bytes.
uint64_t file_checksum(const uint8_t* file, size_t size) {
  return fnv1a64(file + kHeaderBytes, size - kHeaderBytes, fnv1a64(file, 32));
}

template <typename T>
void put(std::vector<uint8_t>* out, size_t at, T v) {
  std::memcpy(out->data() + at, &v, sizeof(T));
}

template <typename T>
T get(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

size_t column_bytes(const GemmPackedB& b) { return 4 * b.panels * kGemmPanel * 4; }

}  // namespace

std::vector<uint8_t> gemm_serialize(const GemmPackedB& b, const GemmPackedInfo& info) {
  const size_t cols = column_bytes(b), data = b.panels * b.panel_stride;
  std::vector<uint8_t> out(kHeaderBytes + cols + data);
  std::memcpy(out.data(), kMagic, 8);
  put<uint32_t>(&out, 8, kVersion);
  put<uint32_t>(&out, 12, (info.b_signed ? 1u : 0u) | (info.layout_nk ? 2u : 0u) | (info.has_scale ? 4u : 0u));
  put<uint64_t>(&out, 16, b.n);
  put<uint64_t>(&out, 24, b.k);
  // colsum, nzb, scale and bias are contiguous in the packed storage (gemm_allocate_packed).
  std::memcpy(out.data() + kHeaderBytes, b.colsum, cols);
  std::memcpy(out.data() + kHeaderBytes + cols, b.data, data);
  put<uint64_t>(&out, 32, file_checksum(out.data(), out.size()));
  return out;
}

std::string gemm_deserialize(const uint8_t* bytes, size_t size, GemmPackedB* out, GemmPackedInfo* info) {
  if (size < kHeaderBytes || std::memcmp(bytes, kMagic, 8) != 0) return "not a quanta packed-weights file (bad magic)";
  if (get<uint32_t>(bytes + 8) != kVersion) return "unsupported packed-weights version " + std::to_string(get<uint32_t>(bytes + 8));
  const uint32_t flags = get<uint32_t>(bytes + 12);
  if (flags > 7) return "unknown flags";
  const uint64_t n = get<uint64_t>(bytes + 16), k = get<uint64_t>(bytes + 24);
  if (n > kMaxDim || k > kMaxDim) return "dimensions out of range";
  const size_t panels = gemm_panels(n), stride = gemm_panel_stride(k), cols = panels * kGemmPanel;
  const uint64_t want = kHeaderBytes + uint64_t{16} * cols + uint64_t{panels} * stride;
  if (size != want) return "size " + std::to_string(size) + " does not match N and K (expected " + std::to_string(want) + ")";
  if (get<uint64_t>(bytes + 32) != file_checksum(bytes, size)) return "checksum mismatch";

  GemmPackedB p;
  if (!gemm_allocate_packed(n, k, &p)) return "out of memory loading the weights";
  std::memcpy(p.colsum, bytes + kHeaderBytes, 16 * cols);
  std::memcpy(p.data, bytes + kHeaderBytes + 16 * cols, panels * stride);
  p.b_signed = (flags & 1) != 0;
  // Everything the kernels rely on is re-derived or checked, never trusted.
  for (size_t j = 0; j < cols; ++j) {
    int64_t sum = 0;
    const int8_t* panel = p.data + (j / kGemmPanel) * stride;
    for (size_t t = 0; t < stride / kGemmStepBytes; ++t) {
      for (size_t i = 0; i < kGemmK4; ++i) {
        const int8_t v = panel[t * kGemmStepBytes + (j % kGemmPanel) * kGemmK4 + i];
        if (v != 0 && (j >= n || t * kGemmK4 + i >= k)) return "nonzero padding in the packed weights";
        sum += v;
      }
    }
    if (static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(sum))) != p.colsum[j]) return "column sums do not match the weights";
    const int64_t zb = -int64_t{p.nzb[j]};
    if (zb < -128 || zb > 127) return "zero point out of range";
    if (j >= n && (zb != 0 || p.scale[j] != 0.0f || p.bias[j] != 0.0f)) return "nonzero padding columns";
    if (!std::isfinite(p.scale[j]) || !std::isfinite(p.bias[j])) return "non-finite scale or bias";
    if (j < n) {
      if (zb != 0) p.zb_zero = false;
      p.max_dev = std::max(p.max_dev, gemm_max_dev(static_cast<int32_t>(zb)));
    }
  }
  info->b_signed = p.b_signed;
  info->layout_nk = (flags & 2) != 0;
  info->has_scale = (flags & 4) != 0;
  *out = std::move(p);
  return "";
}

}  // namespace quanta
