// JS functions of the int4 weight-only engine behind lib/int4-linear.ts: packing weights into an
// opaque, type-tagged handle, and the linear layer with float32 or int8 activations. Each call is
// first parsed into a plain struct (views and sizes, lengths re-checked: they protect memory),
// then run by one function that touches no JS value, so an asynchronous form can reuse both.
#include <napi.h>

#include <cmath>
#include <string>

#include "binding/args.h"
#include "binding/handles.h"
#include "binding/async_call.h"
#include "binding/bindings.h"
#include "binding/tensor_args.h"
#include "dispatch/kernel_table.h"
#include "runtime/int4_gemm.h"

namespace quanta::binding {

namespace {

// Marks handles made by int4PackWeights, so no other External can be passed off as one.
constexpr napi_type_tag kInt4Tag = {0x7175616e74613434ull, 0x496e74345061636bull};

Int4Packed* packed_arg(const Napi::CallbackInfo& info, size_t index) {
  return unwrap_handle<Int4Packed>(info, index, &kInt4Tag, "packInt4Weights");
}

size_t packed_bytes(const Int4Packed& p) { return p.layout.panels * p.layout.panel_stride; }

// ---- pack ----
struct PackCall {
  View<uint8_t> codes;
  uint8_t flip = 0;
  View<float> scales;
  View<uint8_t> zero_points;  // data null: 8 everywhere
  size_t n = 0, k = 0, group = 0;
};

// int4PackWeights(codes, flip, scales, zeroPoints | null, n, k, group)
PackCall parse_pack(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PackCall c;
  c.codes = typed_array<uint8_t>(info, 0, "codes");
  const int64_t flip = integer_arg(info, 1, "flip");
  if (flip != 0 && flip != 8) throw_error(env, "ERR_QUANTA_INVALID_ARGUMENT", "flip must be 0 or 8");
  c.flip = static_cast<uint8_t>(flip);
  c.scales = typed_array<float>(info, 2, "scales");
  if (info.Length() > 3 && !info[3].IsNull() && !info[3].IsUndefined()) c.zero_points = typed_array<uint8_t>(info, 3, "zeroPoints");
  c.n = size_arg(info, 4, "n");
  c.k = size_arg(info, 5, "k");
  c.group = size_arg(info, 6, "group");
  if (!int4_group_supported(c.group)) throw_error(env, "ERR_QUANTA_INVALID_ARGUMENT", "group must be 32, 64 or 128");
  if (c.n == 0 || c.k == 0) throw_error(env, "ERR_QUANTA_INVALID_SHAPE", "n and k must be > 0");
  // Rows padded to whole groups (quanta/int4_gemm.h).
  check_length(info, c.codes.length, checked_product(env, c.n, int4_padded_k(c.k, c.group)) / 2, "codes");
  const size_t groups = checked_product(env, c.n, int4_padded_k(c.k, c.group) / c.group);
  check_length(info, c.scales.length, groups, "scales");
  if (c.zero_points.data != nullptr) check_length(info, c.zero_points.length, groups, "zeroPoints");
  return c;
}

std::string run_pack(const PackCall& c, Int4Packed* out) {
  return int4_pack(c.codes.data, c.flip, c.scales.data, c.zero_points.data, c.n, c.k, c.group, out);
}

Napi::Value Int4PackWeights(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const PackCall call = parse_pack(info);
  auto* packed = new Int4Packed();
  const std::string err = run_pack(call, packed);
  if (!err.empty()) {
    delete packed;
    throw_error(env, "ERR_QUANTA_INVALID_ARGUMENT", err);
  }
  return wrap_handle(env, packed, static_cast<int64_t>(packed_bytes(*packed)), &kInt4Tag);
}

// ---- linear ----
struct LinearCall {
  const Int4Packed* packed = nullptr;
  View<float> x;
  size_t m = 0;
  Int4Activations acts = Int4Activations::f32;
  View<float> bias;  // data null: none
  View<float> y;
  const KernelTable* kernels = nullptr;
};

// int4Linear(packed, x, m, int8Activations, bias | null, y, isa?, async?) -> void | Promise
LinearCall parse_linear(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LinearCall c;
  c.packed = packed_arg(info, 0);
  c.x = typed_array<float>(info, 1, "x");
  c.m = size_arg(info, 2, "m");
  c.acts = bool_arg(info, 3, "int8Activations") ? Int4Activations::s8 : Int4Activations::f32;
  if (info.Length() > 4 && !info[4].IsNull() && !info[4].IsUndefined()) c.bias = typed_array<float>(info, 4, "bias");
  c.y = typed_array<float>(info, 5, "y");
  c.kernels = &table_arg(info, 6);
  const Int4Layout& l = c.packed->layout;
  check_length(info, c.x.length, checked_product(env, c.m, l.k), "x");
  check_length(info, c.y.length, checked_product(env, c.m, l.n), "y");
  if (c.bias.data != nullptr) check_length(info, c.bias.length, l.n, "bias");
  return c;
}

std::string run_linear(const LinearCall& c) {
  return int4_gemm(*c.kernels, *c.packed, c.x.data, c.m, c.acts, c.bias.data, c.y.data);
}

Napi::Value Int4Linear(const Napi::CallbackInfo& info) {
  const LinearCall call = parse_linear(info);
  if (call.acts == Int4Activations::s8) {
    // Checked here rather than in TypeScript: one vectorized pass instead of a JS loop.
    const size_t count = call.x.length, bad = int4_first_non_finite(call.x.data, count);
    if (bad != count) {
      throw_error(info.Env(), "ERR_QUANTA_NON_FINITE",
                  "x[" + std::to_string(bad) + "] must be finite for int8 activations, received " +
                      (std::isnan(call.x.data[bad]) ? "NaN" : call.x.data[bad] > 0 ? "Infinity" : "-Infinity"));
    }
  }
  // The call holds views and the packed pointer; the Promise form keeps their JS owners alive.
  return finish(info, async_arg(info, 7), "ERR_QUANTA_INVALID_ARGUMENT", [call] { return run_linear(call); });
}

// int4PackedInfo(packed) -> { n, k, group, hasZeroPoints, bytes }
Napi::Value Int4PackedInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Int4Packed& p = *packed_arg(info, 0);
  Napi::Object o = Napi::Object::New(env);
  o.Set("n", Napi::Number::New(env, double(p.layout.n)));
  o.Set("k", Napi::Number::New(env, double(p.layout.k)));
  o.Set("group", Napi::Number::New(env, double(p.layout.group)));
  o.Set("hasZeroPoints", Napi::Boolean::New(env, p.layout.has_zp));
  o.Set("bytes", Napi::Number::New(env, double(packed_bytes(p))));
  return o;
}

// int4PackedBytes(packed) -> a copy of the packed layout (tests compare packings with it).
Napi::Value Int4PackedBytes(const Napi::CallbackInfo& info) {
  const Int4Packed& p = *packed_arg(info, 0);
  return Napi::Buffer<uint8_t>::Copy(info.Env(), p.layout.data, packed_bytes(p));
}

// int4KernelIsa(isa?) -> the path the int4 kernels come from.
Napi::Value Int4KernelIsa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), isa_name(table_arg(info, 0).int4_isa));
}

}  // namespace

void register_int4(Napi::Env env, Napi::Object exports) {
  exports.Set("int4PackWeights", Napi::Function::New(env, Int4PackWeights, "int4PackWeights"));
  exports.Set("int4Linear", Napi::Function::New(env, Int4Linear, "int4Linear"));
  exports.Set("int4PackedInfo", Napi::Function::New(env, Int4PackedInfo, "int4PackedInfo"));
  exports.Set("int4PackedBytes", Napi::Function::New(env, Int4PackedBytes, "int4PackedBytes"));
  exports.Set("int4KernelIsa", Napi::Function::New(env, Int4KernelIsa, "int4KernelIsa"));
}

}  // namespace quanta::binding
