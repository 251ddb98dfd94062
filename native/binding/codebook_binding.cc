// JS functions of codebook (k-means) quantization. Arguments are validated in TypeScript; here
// only what protects memory is re-checked: lengths, levels, codes below levels, and finite input
// (sorting NaN is undefined behaviour).
#include <napi.h>

#include <cmath>

#include "binding/args.h"
#include "binding/bindings.h"
#include "binding/tensor_args.h"
#include "dispatch/kernel_table.h"
#include "runtime/codebook_ops.h"

namespace quanta::binding {

namespace {

size_t levels_arg(const Napi::CallbackInfo& info, size_t index) {
  const int64_t levels = integer_arg(info, index, "levels");
  if (levels < 1 || levels > 256) throw_error(info.Env(), "ERR_QUANTA_INVALID_ARGUMENT", "levels must be in [1, 256]");
  return static_cast<size_t>(levels);
}

// codebookFit(x, codebooks, codes, outer, axis, inner, layout, block, levels, iterations, isa?)
Napi::Value CodebookFit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto x = typed_array<float>(info, 0, "x");
  auto codebooks = typed_array<float>(info, 1, "codebooks");
  auto codes = typed_array<uint8_t>(info, 2, "codes");
  const AxisView v = axis_view_arg(info, 3);
  KmeansOptions o;
  o.levels = levels_arg(info, 8);
  o.iterations = size_arg(info, 9, "iterations");
  const KernelTable& k = table_arg(info, 10);
  check_length(info, x.length, v.size(), "x");
  check_length(info, codes.length, v.size(), "codes");
  check_length(info, codebooks.length, checked_product(env, v.scale_count(), o.levels), "codebooks");
  for (size_t i = 0; i < x.length; ++i) {
    if (!std::isfinite(x.data[i])) {
      throw_error(env, "ERR_QUANTA_NON_FINITE", "x[" + std::to_string(i) + "] is not finite");
    }
  }
  codebook_fit(k, v, x.data, o, codebooks.data, codes.data);
  return env.Undefined();
}

// codebookLookup(codes, codebooks, y, outer, axis, inner, layout, block, levels)
Napi::Value CodebookLookup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto codes = typed_array<uint8_t>(info, 0, "codes");
  auto codebooks = typed_array<float>(info, 1, "codebooks");
  auto y = typed_array<float>(info, 2, "y");
  const AxisView v = axis_view_arg(info, 3);
  const size_t levels = levels_arg(info, 8);
  check_length(info, codes.length, v.size(), "codes");
  check_length(info, y.length, v.size(), "y");
  check_length(info, codebooks.length, checked_product(env, v.scale_count(), levels), "codebooks");
  for (size_t i = 0; i < codes.length; ++i) {
    if (codes.data[i] >= levels) {
      throw_error(env, "ERR_QUANTA_INVALID_ARGUMENT",
                  "codes[" + std::to_string(i) + "] is " + std::to_string(codes.data[i]) + ", not below levels " +
                      std::to_string(levels));
    }
  }
  codebook_lookup(v, codes.data, codebooks.data, levels, y.data);
  return env.Undefined();
}

// The path the kmeans kernels of a table come from (the active one, or `isa`'s).
Napi::Value CodebookKernelIsa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), isa_name(table_arg(info, 0).kmeans_isa));
}

}  // namespace

void register_codebook(Napi::Env env, Napi::Object exports) {
  exports.Set("codebookFit", Napi::Function::New(env, CodebookFit, "codebookFit"));
  exports.Set("codebookLookup", Napi::Function::New(env, CodebookLookup, "codebookLookup"));
  exports.Set("codebookKernelIsa", Napi::Function::New(env, CodebookKernelIsa, "codebookKernelIsa"));
}

}  // namespace quanta::binding
