// Packed int8 weights as bytes: save a packWeights result once, load it in another process
// without the original weights. The packed layout (N16K4, quanta/gemm.h) is the same for every
// kernel path, so a file written on one machine loads on any other (little-endian hosts).
//
// Format, version 1, little-endian:
//   0   8  magic "QNTAGEMM"
//   8   4  version (1)
//   12  4  flags: bit 0 weights were int8 (else uint8), bit 1 given as [N, K] (else [K, N]),
//           bit 2 scales were given
//   16  8  N
//   24  8  K
//   32  8  FNV-1a 64 of bytes 0-31, then of every byte from offset 40 to the end
//   40     colsum, -zb, scale, bias: 4 arrays of panels * 16 four-byte values
//          then panels * panel_stride bytes of packed B
// Loading checks everything a kernel relies on instead of trusting the file: the exact size,
// the checksum, zero padding (K beyond K, columns beyond N), column sums recomputed from the
// bytes, zero points within the type's range, finite scales and bias.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/gemm.h"

namespace quanta {

struct GemmPackedInfo {
  bool b_signed = true;
  bool layout_nk = true;
  bool has_scale = false;
};

std::vector<uint8_t> gemm_serialize(const GemmPackedB& b, const GemmPackedInfo& info);

// Returns "" and fills *out / *info, or says what is wrong with the bytes.
std::string gemm_deserialize(const uint8_t* bytes, size_t size, GemmPackedB* out, GemmPackedInfo* info);

}  // namespace quanta
