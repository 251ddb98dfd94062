// JS functions of the int8 GEMM engine behind lib/gemm.ts: packing weights into an opaque,
// type-tagged handle, and the GEMM with its int32 / float32 / requantizing outputs, synchronous or
// (last argument true) returning a Promise.
// Arguments are validated in TypeScript; here only what protects memory is re-checked.
#include <napi.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "binding/args.h"
#include "binding/handles.h"
#include "binding/async_call.h"
#include "binding/bindings.h"
#include "binding/tensor_args.h"
#include "dispatch/kernel_table.h"
#include "runtime/gemm.h"
#include "runtime/gemm_dynamic.h"
#include "runtime/gemm_serialize.h"

namespace quanta::binding {

namespace {

// Marks handles made by gemmPackWeights, so no other External can be passed off as one.
constexpr napi_type_tag kPackedTag = {0x7175616e74614745ull, 0x4d4d5061636b6564ull};

GemmPackedB* packed_arg(const Napi::CallbackInfo& info, size_t index) {
  return unwrap_handle<GemmPackedB>(info, index, &kPackedTag, "packWeights");
}

size_t packed_bytes(const GemmPackedB& p) { return p.panels * (p.panel_stride + 4 * 4 * kGemmPanel); }

Napi::Value make_handle(Napi::Env env, GemmPackedB&& packed) {
  auto* owned = new GemmPackedB(std::move(packed));
  return wrap_handle(env, owned, static_cast<int64_t>(packed_bytes(*owned)), &kPackedTag);
}

// gemmPackWeights(b, bSigned, layoutNK, n, k, zeroPoint, scale, bias | null) -> handle
Napi::Value GemmPackWeights(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto b = byte_view(info, 0, "b");
  const bool b_signed = bool_arg(info, 1, "bSigned");
  const bool nk = bool_arg(info, 2, "layoutNK");
  const size_t n = size_arg(info, 3, "n");
  const size_t k = size_arg(info, 4, "k");
  auto zp = typed_array<int32_t>(info, 5, "zeroPoint");
  auto scale = typed_array<float>(info, 6, "scale");
  View<float> bias;
  if (info.Length() > 7 && !info[7].IsNull() && !info[7].IsUndefined()) bias = typed_array<float>(info, 7, "bias");
  check_length(info, b.length, checked_product(env, n, k), "b");
  if (bias.data != nullptr) check_length(info, bias.length, n, "bias");
  if (zp.length != 1 && zp.length != n) throw_error(env, "ERR_QUANTA_INVALID_SHAPE", "zeroPoint must have 1 or N values");
  GemmPackedB packed;
  const std::string err = gemm_pack_b(b.data, b_signed, nk ? GemmLayoutB::nk : GemmLayoutB::kn, n, k, zp.data,
                                      zp.length, scale.data, scale.length, bias.data, &packed);
  if (!err.empty()) throw_error(env, "ERR_QUANTA_INVALID_ARGUMENT", err);
  return make_handle(env, std::move(packed));
}

// gemmSerialize(packed, bSigned, layoutNK, hasScale) -> Uint8Array (gemm_serialize.h's format)
Napi::Value GemmSerialize(const Napi::CallbackInfo& info) {
  const GemmPackedB& packed = *packed_arg(info, 0);
  GemmPackedInfo meta;
  meta.b_signed = bool_arg(info, 1, "bSigned");
  meta.layout_nk = bool_arg(info, 2, "layoutNK");
  meta.has_scale = bool_arg(info, 3, "hasScale");
  const std::vector<uint8_t> bytes = gemm_serialize(packed, meta);
  Napi::Uint8Array out = Napi::Uint8Array::New(info.Env(), bytes.size());
  std::memcpy(out.Data(), bytes.data(), bytes.size());
  return out;
}

// gemmDeserialize(bytes) -> { handle, n, k, bSigned, layoutNK, hasScale }
Napi::Value GemmDeserialize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto bytes = byte_view(info, 0, "bytes");
  GemmPackedB packed;
  GemmPackedInfo meta;
  const std::string err = gemm_deserialize(bytes.data, bytes.length, &packed, &meta);
  if (!err.empty()) throw_error(env, "ERR_QUANTA_INVALID_FILE", "packed weights: " + err);
  Napi::Object result = Napi::Object::New(env);
  result.Set("n", Napi::Number::New(env, static_cast<double>(packed.n)));
  result.Set("k", Napi::Number::New(env, static_cast<double>(packed.k)));
  result.Set("bSigned", Napi::Boolean::New(env, meta.b_signed));
  result.Set("layoutNK", Napi::Boolean::New(env, meta.layout_nk));
  result.Set("hasScale", Napi::Boolean::New(env, meta.has_scale));
  result.Set("handle", make_handle(env, std::move(packed)));
  return result;
}

// Activation of the float32 outputs: 0 none, 1 ReLU, 2 GELU.
int activation_arg(const Napi::CallbackInfo& info, size_t index) {
  const int64_t v = integer_arg(info, index, "activation");
  if (v < 0 || v > 2) throw_error(info.Env(), "ERR_QUANTA_INVALID_ARGUMENT", "activation must be 0, 1 or 2");
  return static_cast<int>(v);
}

// gemm(packed, a, aSigned, m, aZeroPoint, kind, y, scaleA, activation, outScale, outZeroPoint,
//      qmin, qmax, isa?, async?) -> void | Promise; kind: 0 int32, 1 float32, 2 uint8, 3 int8.
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const GemmPackedB packed = *packed_arg(info, 0);
  auto a = byte_view(info, 1, "a");
  const bool a_signed = bool_arg(info, 2, "aSigned");
  const size_t m = size_arg(info, 3, "m");
  auto a_zp = typed_array<int32_t>(info, 4, "aZeroPoint");
  const int64_t kind = integer_arg(info, 5, "kind");
  if (kind < 0 || kind > 3) throw_error(env, "ERR_QUANTA_INVALID_ARGUMENT", "kind must be 0 to 3");
  auto y = byte_view(info, 6, "y");
  auto scale_a = typed_array<float>(info, 7, "scaleA");
  const int activation = activation_arg(info, 8);
  const double out_scale = number_arg(info, 9, "outScale");
  const int64_t out_zp = integer_arg(info, 10, "outZeroPoint");
  const int64_t qmin = integer_arg(info, 11, "qmin");
  const int64_t qmax = integer_arg(info, 12, "qmax");
  const KernelTable& kt = table_arg(info, 13);

  check_length(info, a.length, checked_product(env, m, packed.k), "a");
  const size_t elem = kind <= 1 ? 4 : 1;
  check_length(info, y.length, checked_product(env, checked_product(env, m, packed.n), elem), "y");
  if (a_zp.length != 1 && a_zp.length != m) throw_error(env, "ERR_QUANTA_INVALID_SHAPE", "aZeroPoint must have 1 or M values");
  if (kind != 0 && scale_a.length != 1 && !(kind == 1 && scale_a.length == m)) {
    throw_error(env, "ERR_QUANTA_INVALID_SHAPE", "scaleA must have 1 (or, for float32 output, M) values");
  }
  const bool requant = kind >= 2;
  if (requant && (qmin < -128 || qmax > 255 || qmin > qmax || (kind == 2 && qmin < 0) || (kind == 3 && qmax > 127))) {
    throw_error(env, "ERR_QUANTA_INVALID_ARGUMENT", "qmin / qmax do not fit the output type");
  }

  GemmA ga;
  ga.data = a.data;
  ga.m = m;
  ga.lda = packed.k;
  ga.is_signed = a_signed;
  ga.zp = a_zp.data;
  ga.zp_count = a_zp.length;
  GemmOut out;
  out.kind = kind == 0 ? GemmEpilogueKind::s32 : kind == 1 ? GemmEpilogueKind::f32
           : kind == 2 ? GemmEpilogueKind::u8 : GemmEpilogueKind::s8;
  out.data = y.data;
  out.ldy = packed.n;
  out.scale_a = scale_a.length == 0 ? nullptr : scale_a.data;
  out.scale_a_count = scale_a.length;
  out.relu = activation == 1;
  out.gelu = activation == 2;
  out.out_scale = static_cast<float>(out_scale);
  out.out_zp = static_cast<int32_t>(out_zp);
  out.qmin = static_cast<int32_t>(qmin);
  out.qmax = static_cast<int32_t>(qmax);
  // The work holds its own copy of the packed weights' descriptor, which shares their storage.
  return finish(info, async_arg(info, 14), "ERR_QUANTA_INVALID_SHAPE",
                [&kt, ga, packed, out] { return gemm_u8s8(kt, ga, packed, out); });
}

// gemmDynamic(packed, x (Float32Array [m, k]), m, perRow, y (Float32Array [m, n]), activation,
//             isa?, async?) -> void | Promise
Napi::Value GemmDynamic(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const GemmPackedB packed = *packed_arg(info, 0);
  auto x = typed_array<float>(info, 1, "x");
  const size_t m = size_arg(info, 2, "m");
  const bool per_row = bool_arg(info, 3, "perRow");
  auto y = typed_array<float>(info, 4, "y");
  const int activation = activation_arg(info, 5);
  const KernelTable& kt = table_arg(info, 6);
  check_length(info, x.length, checked_product(env, m, packed.k), "x");
  check_length(info, y.length, checked_product(env, m, packed.n), "y");
  if (packed.k > gemm_dynamic_max_k(packed)) {
    throw_error(env, "ERR_QUANTA_INVALID_SHAPE", "K = " + std::to_string(packed.k) + " exceeds the int32 bound " +
                std::to_string(gemm_dynamic_max_k(packed)) + " for uint8 activations with these weights");
  }
  GemmDynamicArgs args;
  args.x = x.data;
  args.m = m;
  args.per_row = per_row;
  args.y = y.data;
  args.relu = activation == 1;
  args.gelu = activation == 2;
  return finish(info, async_arg(info, 7), "ERR_QUANTA_NON_FINITE",
                [&kt, args, packed] { return gemm_dynamic_f32(kt, args, packed); });
}

// gemmKernelIsa(isa?) -> the path the GEMM block kernel comes from.
Napi::Value GemmKernelIsa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), isa_name(table_arg(info, 0).gemm_isa));
}

}  // namespace

void register_gemm(Napi::Env env, Napi::Object exports) {
  exports.Set("gemmPackWeights", Napi::Function::New(env, GemmPackWeights, "gemmPackWeights"));
  exports.Set("gemm", Napi::Function::New(env, Gemm, "gemm"));
  exports.Set("gemmSerialize", Napi::Function::New(env, GemmSerialize, "gemmSerialize"));
  exports.Set("gemmDeserialize", Napi::Function::New(env, GemmDeserialize, "gemmDeserialize"));
  exports.Set("gemmDynamic", Napi::Function::New(env, GemmDynamic, "gemmDynamic"));
  exports.Set("gemmKernelIsa", Napi::Function::New(env, GemmKernelIsa, "gemmKernelIsa"));
}

}  // namespace quanta::binding
