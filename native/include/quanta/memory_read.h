// The memory-read kernel: the bandwidth probe. It reads every byte of a buffer once with the
// path's widest loads (optimized paths: four streams, one per quarter of the buffer) and folds
// them into a checksum, so that nothing can be skipped; the time it takes is the read bandwidth
// of the memory level the buffer lives in (L1 .. DRAM), which the matrix-vector kernels are
// measured against.
//
// Result: the sum mod 2^64 of the little-endian 64-bit words of p[0, n), the last one padded
// with zero bytes. Integer addition mod 2^64 is exact in any order, so every path returns the
// same value for any alignment of p.
#pragma once

#include <cstddef>
#include <cstdint>

namespace quanta {

using ReadSumFn = uint64_t (*)(const uint8_t* p, size_t n);

struct KernelTable;
void register_ref_memory_read_kernels(KernelTable* t);
#if defined(__x86_64__) || defined(_M_X64)
void register_avx2_memory_read_kernels(KernelTable* t);
void register_avx512_memory_read_kernels(KernelTable* t);
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
void register_neon_memory_read_kernels(KernelTable* t);
#endif

namespace ref {
uint64_t read_sum(const uint8_t* p, size_t n);
}  // namespace ref

}  // namespace quanta
