// The AVX-512 binary x binary kernel with VPOPCNTQ: one instruction per 512-bit popcount instead
// of the nibble table's six. The x86_avx512vnni folder's flags do not include VPOPCNTDQ (the
// folder must run on Cascade Lake), so only this file's functions are compiled for it, by the
// pragma below; dispatch registers them only when the CPU reports AVX512_VPOPCNTDQ.
#include <immintrin.h>

#pragma GCC target("avx512vpopcntdq")

#include "kernels/x86_avx512vnni/binary_gemm_avx512.h"
#include "quanta/kernels.h"

namespace quanta {

namespace {

struct PopcountVpopcntq {
  static constexpr bool kAsm = true;  // the 4 x 4 tile's loop is written in assembly
  __m512i operator()(__m512i x) const { return _mm512_popcnt_epi64(x); }
};

void binary_gemm_b1b1_avx512vpopcntdq(const BinaryGemmBlock& g) { avx512_binary::block<PopcountVpopcntq>(g); }

}  // namespace

void register_avx512vpopcntdq_binary_kernels(KernelTable* t) {
  t->binary_gemm_b1b1 = binary_gemm_b1b1_avx512vpopcntdq;
  t->binary_b1b1_isa = Isa::avx512vnni;
}

}  // namespace quanta
