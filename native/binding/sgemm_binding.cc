// JS functions of the float32 GEMM engine behind lib/sgemm.ts: packing weights into an opaque,
// type-tagged handle, and the synchronous GEMM. Arguments are validated in TypeScript; here only
// what protects memory is re-checked.
#include <napi.h>

#include <string>

#include "binding/args.h"
#include "binding/handles.h"
#include "binding/async_call.h"
#include "binding/bindings.h"
#include "binding/tensor_args.h"
#include "dispatch/kernel_table.h"
#include "runtime/sgemm.h"

namespace quanta::binding {

namespace {

// Marks handles made by sgemmPackWeights, so no other External (an int8 handle included) can be
// passed off as one.
constexpr napi_type_tag kPackedF32Tag = {0x7175616e74615346ull, 0x33325061636b6564ull};

SgemmPackedB* packed_arg(const Napi::CallbackInfo& info, size_t index) {
  return unwrap_handle<SgemmPackedB>(info, index, &kPackedF32Tag, "packWeightsF32");
}

size_t packed_bytes(const SgemmPackedB& p) {
  return (p.panels * p.panel_stride + (p.bias != nullptr ? p.panels * kSgemmPanel : 0)) * sizeof(float);
}

// sgemmPackWeights(b, layoutNK, n, k, bias | null) -> handle
Napi::Value SgemmPackWeights(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto b = typed_array<float>(info, 0, "b");
  const bool nk = bool_arg(info, 1, "layoutNK");
  const size_t n = size_arg(info, 2, "n");
  const size_t k = size_arg(info, 3, "k");
  View<float> bias;
  if (info.Length() > 4 && !info[4].IsNull() && !info[4].IsUndefined()) bias = typed_array<float>(info, 4, "bias");
  check_length(info, b.length, checked_product(env, n, k), "b");
  if (bias.data != nullptr) check_length(info, bias.length, n, "bias");
  auto* packed = new SgemmPackedB();
  const std::string err = sgemm_pack_b(b.data, nk ? GemmLayoutB::nk : GemmLayoutB::kn, n, k, bias.data, packed);
  if (!err.empty()) {
    delete packed;
    throw_error(env, "ERR_QUANTA_INVALID_ARGUMENT", err);
  }
  return wrap_handle(env, packed, static_cast<int64_t>(packed_bytes(*packed)), &kPackedF32Tag);
}

// sgemm(packed, a, m, y, relu, isa?, async?) -> void | Promise; a holds M * K floats, y M * N.
Napi::Value Sgemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const SgemmPackedB packed = *packed_arg(info, 0);  // a copy that shares the packed storage
  auto a = typed_array<float>(info, 1, "a");
  const size_t m = size_arg(info, 2, "m");
  auto y = typed_array<float>(info, 3, "y");
  const bool relu = bool_arg(info, 4, "relu");
  const KernelTable& kt = table_arg(info, 5);
  check_length(info, a.length, checked_product(env, m, packed.k), "a");
  check_length(info, y.length, checked_product(env, m, packed.n), "y");
  SgemmA sa;
  sa.data = a.data;
  sa.m = m;
  sa.lda = packed.k;
  SgemmOut out;
  out.data = y.data;
  out.ldy = packed.n;
  out.relu = relu;
  return finish(info, async_arg(info, 6), "ERR_QUANTA_INVALID_SHAPE",
                [&kt, sa, packed, out] { return sgemm_f32(kt, sa, packed, out); });
}

// sgemmKernelIsa(isa?) -> the path the float32 GEMM block kernel comes from.
Napi::Value SgemmKernelIsa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), isa_name(table_arg(info, 0).sgemm_isa));
}

}  // namespace

void register_sgemm(Napi::Env env, Napi::Object exports) {
  exports.Set("sgemmPackWeights", Napi::Function::New(env, SgemmPackWeights, "sgemmPackWeights"));
  exports.Set("sgemm", Napi::Function::New(env, Sgemm, "sgemm"));
  exports.Set("sgemmKernelIsa", Napi::Function::New(env, SgemmKernelIsa, "sgemmKernelIsa"));
}

}  // namespace quanta::binding
