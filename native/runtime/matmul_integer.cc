#include "runtime/matmul_integer.h"

#include <vector>

#include "runtime/thread_pool.h"

namespace quanta {

// The one hardware primitive is u8 x s8. Signed A is shifted to unsigned (a + 128, so its zero
// point grows by 128) and unsigned B to signed (b - 128, zero point shrinks by 128); then
//   sum (a - za)(b - zb) = sum a*b - zb * sum a - za * sum b + K * za * zb
// with the sums of the shifted values. All corrections are formed in 64 bits and wrapped once.
void matmul_integer(const KernelTable& k, const MatmulIntegerShape& s, bool a_signed,
                    const uint8_t* a, const int32_t* a_zp, size_t a_zp_count, bool b_signed,
                    const uint8_t* b, const int32_t* b_zp, size_t b_zp_count, int32_t* y) {
  const size_t M = s.m, K = s.k, N = s.n;
  if (M == 0 || N == 0) return;
  // B transposed to [N, K] and made signed; A rows made unsigned.
  std::vector<int8_t> bt(N * K);
  std::vector<int64_t> col_sum(N, 0);
  for (size_t kk = 0; kk < K; ++kk) {
    for (size_t n = 0; n < N; ++n) {
      const uint8_t raw = b[kk * N + n];
      const int8_t v = static_cast<int8_t>(b_signed ? raw : raw ^ 0x80);
      bt[n * K + kk] = v;
      col_sum[n] += v;
    }
  }
  std::vector<uint8_t> au(M * K);
  std::vector<int64_t> row_sum(M, 0);
  for (size_t i = 0; i < M * K; ++i) {
    au[i] = a_signed ? static_cast<uint8_t>(a[i] ^ 0x80) : a[i];
    row_sum[i / K] += au[i];
  }
  const int64_t a_shift = a_signed ? 128 : 0;
  const int64_t b_shift = b_signed ? 0 : -128;
  parallel_for(M, (size_t{1} << 16) / (N * K + 1) + 1, [&](size_t begin, size_t end) {
    for (size_t m = begin; m < end; ++m) {
      const int64_t za = int64_t{a_zp[a_zp_count == 1 ? 0 : m]} + a_shift;
      for (size_t n = 0; n < N; ++n) {
        const int64_t zb = int64_t{b_zp[b_zp_count == 1 ? 0 : n]} + b_shift;
        const uint32_t dot = static_cast<uint32_t>(k.dot_u8s8(&au[m * K], &bt[n * K], K));
        const int64_t correction = -zb * row_sum[m] - za * col_sum[n] + static_cast<int64_t>(K) * za * zb;
        y[m * N + n] = static_cast<int32_t>(dot + static_cast<uint32_t>(static_cast<uint64_t>(correction)));
      }
    }
  });
}

}  // namespace quanta
