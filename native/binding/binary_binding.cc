// JS functions of the binary GEMM engine behind lib/binary-gemm.ts: packing sign bits into an
// opaque, type-tagged handle, binarizing activation rows, and the synchronous GEMM. Arguments are
// validated in TypeScript; here each call is parsed into a plain struct (so a later asynchronous
// form can run the same struct off the main thread) and only what protects memory is re-checked.
#include <napi.h>

#include <string>
#include <vector>

#include "binding/args.h"
#include "binding/handles.h"
#include "binding/async_call.h"
#include "binding/bindings.h"
#include "binding/tensor_args.h"
#include "dispatch/kernel_table.h"
#include "runtime/binary_gemm.h"

namespace quanta::binding {

namespace {

// Marks handles made by binaryPackWeights, so no other External can be passed off as one.
constexpr napi_type_tag kBinaryPackedTag = {0x7175616e74614249ull, 0x4e5061636b656442ull};

const BinaryPackedB& packed_arg(const Napi::CallbackInfo& info, size_t index) {
  return *unwrap_handle<BinaryPackedB>(info, index, &kBinaryPackedTag, "packBinaryWeights");
}

bool present(const Napi::CallbackInfo& info, size_t index) {
  return index < info.Length() && !info[index].IsNull() && !info[index].IsUndefined();
}

size_t packed_bytes(const BinaryPackedB& p) {
  return p.panels * p.panel_stride * 8 + p.mask_panels * p.mask_panel_stride * 2 + 4 * (p.groups + 1) * p.scale_stride;
}

// binaryPackWeights(bits, layoutNK, n, k, scale, bias | null, groupSize) -> handle; with
// groupSize > 0, scale holds N * ceil(K / groupSize) values, column n's groups together.
Napi::Value BinaryPackWeights(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto bits = typed_array<uint8_t>(info, 0, "bits");
  const bool nk = bool_arg(info, 1, "layoutNK");
  const size_t n = size_arg(info, 2, "n");
  const size_t k = size_arg(info, 3, "k");
  auto scale = typed_array<float>(info, 4, "scale");
  View<float> bias;
  if (present(info, 5)) bias = typed_array<float>(info, 5, "bias");
  const size_t group_size = present(info, 6) ? size_arg(info, 6, "groupSize") : 0;
  check_length(info, bits.length, (checked_product(env, n, k) + 7) / 8, "bits");
  if (group_size != 0) {
    check_length(info, scale.length, checked_product(env, n, (k + group_size - 1) / group_size), "scale");
  } else if (scale.length != 1 && scale.length != n) {
    throw_error(env, "ERR_QUANTA_INVALID_SHAPE", "scale must have 1 or N values");
  }
  if (bias.data != nullptr) check_length(info, bias.length, n, "bias");
  auto* packed = new BinaryPackedB();
  const std::string err = binary_pack_b(bits.data, nk ? BinaryLayoutB::nk : BinaryLayoutB::kn, n, k, scale.data,
                                        scale.length, bias.data, packed, group_size);
  if (!err.empty()) {
    delete packed;
    throw_error(env, "ERR_QUANTA_INVALID_ARGUMENT", err);
  }
  return wrap_handle(env, packed, static_cast<int64_t>(packed_bytes(*packed)), &kBinaryPackedTag);
}

// binaryBinarize(x, m, k, words, scale) -> void: words holds m * ceil(k / 64) BigUint64 values,
// scale m floats.
Napi::Value BinaryBinarize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto x = typed_array<float>(info, 0, "x");
  const size_t m = size_arg(info, 1, "m");
  const size_t k = size_arg(info, 2, "k");
  auto words = typed_array<uint64_t>(info, 3, "words");
  auto scale = typed_array<float>(info, 4, "scale");
  check_length(info, x.length, checked_product(env, m, k), "x");
  check_length(info, words.length, checked_product(env, m, binary_words(k)), "words");
  check_length(info, scale.length, m, "scale");
  binary_binarize_rows(x.data, m, k, k, words.data, binary_words(k), scale.data);
  return env.Undefined();
}

// One binary GEMM call, parsed.
struct BinaryGemmCall {
  enum class Mode { binary_words, binarize_float, float_activations } mode;
  const KernelTable* kernels;
  const BinaryPackedB* packed;
  size_t m;
  const uint64_t* words;  // binary_words: m rows of ceil(K / 64) words
  const float* scale_a;   // binary_words: m values or null
  const float* x;         // binarize_float / float_activations: [m, K]
  BinaryOutKind kind;
  void* y;  // [m, N]
};

std::string run(const BinaryGemmCall& c) {
  const BinaryPackedB& b = *c.packed;
  const size_t kw = binary_words(b.k);
  if (c.mode == BinaryGemmCall::Mode::float_activations) {
    return binary_gemm_b1f32(*c.kernels, c.x, c.m, b.k, b, static_cast<float*>(c.y), b.n);
  }
  BinaryA a;
  a.m = c.m;
  a.stride = kw;
  a.words = c.words;
  a.scale = c.scale_a;
  // Scratch that only grows: fresh pages cost ~12 us each on first touch on these VMs, as much
  // as the product itself for small M.
  thread_local std::vector<uint64_t> words;
  thread_local std::vector<float> scale;
  if (c.mode == BinaryGemmCall::Mode::binarize_float) {
    if (words.size() < c.m * kw) words.resize(c.m * kw);
    if (scale.size() < c.m) scale.resize(c.m);
    binary_binarize_rows(c.x, c.m, b.k, b.k, words.data(), kw, scale.data());
    a.words = words.data();
    a.scale = scale.data();
  }
  return binary_gemm_b1b1(*c.kernels, a, b, c.kind, c.y, b.n);
}

// binaryGemm(packed, mode, m, words | null, scaleA | null, x | null, kind, y, isa?, async?)
//   -> void | Promise.
// mode: 0 binary words, 1 float32 binarized here, 2 float32 activations; kind: 0 int32, 1 float32.
Napi::Value BinaryGemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  BinaryGemmCall c{};
  c.packed = &packed_arg(info, 0);
  const int64_t mode = integer_arg(info, 1, "mode");
  if (mode < 0 || mode > 2) throw_error(env, "ERR_QUANTA_INVALID_ARGUMENT", "mode must be 0, 1 or 2");
  c.mode = static_cast<BinaryGemmCall::Mode>(mode);
  c.m = size_arg(info, 2, "m");
  const size_t K = c.packed->k, N = c.packed->n;
  if (c.mode == BinaryGemmCall::Mode::binary_words) {
    auto words = typed_array<uint64_t>(info, 3, "words");
    check_length(info, words.length, checked_product(env, c.m, binary_words(K)), "words");
    c.words = words.data;
    if (present(info, 4)) {
      auto scale = typed_array<float>(info, 4, "scaleA");
      check_length(info, scale.length, c.m, "scaleA");
      c.scale_a = scale.data;
    }
  } else {
    auto x = typed_array<float>(info, 5, "x");
    check_length(info, x.length, checked_product(env, c.m, K), "x");
    c.x = x.data;
  }
  const int64_t kind = integer_arg(info, 6, "kind");
  if (kind < 0 || kind > 1) throw_error(env, "ERR_QUANTA_INVALID_ARGUMENT", "kind must be 0 or 1");
  if (c.mode == BinaryGemmCall::Mode::float_activations && kind != 1) {
    throw_error(env, "ERR_QUANTA_INVALID_ARGUMENT", "float32 activations give float32 output");
  }
  c.kind = kind == 0 ? BinaryOutKind::s32 : BinaryOutKind::f32;
  View<uint8_t> y;
  if (kind == 0) {
    auto v = typed_array<int32_t>(info, 7, "y");
    y = {reinterpret_cast<uint8_t*>(v.data), v.length};
  } else {
    auto v = typed_array<float>(info, 7, "y");
    y = {reinterpret_cast<uint8_t*>(v.data), v.length};
  }
  check_length(info, y.length, checked_product(env, c.m, N), "y");
  c.y = y.data;
  c.kernels = &table_arg(info, 8);
  // The call holds views and the packed pointer; the Promise form keeps their JS owners alive,
  // and the binarization scratch is per thread.
  return finish(info, async_arg(info, 9), "ERR_QUANTA_INVALID_SHAPE", [c] { return run(c); });
}

// binaryKernelIsa(isa?) -> [binary x binary path, binary x float32 path].
Napi::Value BinaryKernelIsa(const Napi::CallbackInfo& info) {
  const KernelTable& t = table_arg(info, 0);
  Napi::Array out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, Napi::String::New(info.Env(), isa_name(t.binary_b1b1_isa)));
  out.Set(1u, Napi::String::New(info.Env(), isa_name(t.binary_b1f32_isa)));
  return out;
}

}  // namespace

void register_binary(Napi::Env env, Napi::Object exports) {
  exports.Set("binaryPackWeights", Napi::Function::New(env, BinaryPackWeights, "binaryPackWeights"));
  exports.Set("binaryBinarize", Napi::Function::New(env, BinaryBinarize, "binaryBinarize"));
  exports.Set("binaryGemm", Napi::Function::New(env, BinaryGemm, "binaryGemm"));
  exports.Set("binaryKernelIsa", Napi::Function::New(env, BinaryKernelIsa, "binaryKernelIsa"));
}

}  // namespace quanta::binding
