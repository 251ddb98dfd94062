#include "binding/tensor_args.h"

#include <limits>
#include <string>

#include "binding/args.h"
#include "dispatch/kernel_table.h"

namespace quanta::binding {

const KernelTable& table_arg(const Napi::CallbackInfo& info, size_t index) {
  if (index >= info.Length() || info[index].IsUndefined()) return kernels();
  const std::string name = string_arg(info, index, "isa");
  Isa isa;
  if (!isa_from_name(name.c_str(), &isa)) {
    throw_error(info.Env(), "ERR_QUANTA_INVALID_ARGUMENT", "unknown isa '" + name + "'");
  }
  const std::string why = isa_unavailable_reason(isa);
  if (!why.empty()) throw_error(info.Env(), "ERR_QUANTA_UNSUPPORTED_ISA", why);
  return kernels_for(isa);
}

size_t size_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  const int64_t v = integer_arg(info, index, name);
  if (v < 0) throw_error(info.Env(), "ERR_QUANTA_INVALID_SHAPE", std::string(name) + " must be >= 0");
  return static_cast<size_t>(v);
}

size_t checked_product(Napi::Env env, size_t a, size_t b) {
  if (b != 0 && a > std::numeric_limits<size_t>::max() / b) {
    throw_error(env, "ERR_QUANTA_INVALID_SHAPE", "tensor size overflows");
  }
  return a * b;
}

AxisView axis_view_arg(const Napi::CallbackInfo& info, size_t index) {
  Napi::Env env = info.Env();
  AxisView v;
  v.outer = size_arg(info, index, "outer");
  v.axis = size_arg(info, index + 1, "axis");
  v.inner = size_arg(info, index + 2, "inner");
  const int64_t layout = integer_arg(info, index + 3, "layout");
  if (layout < 0 || layout > 2) throw_error(env, "ERR_QUANTA_INVALID_ARGUMENT", "layout must be 0, 1 or 2");
  v.layout = static_cast<ScaleLayout>(layout);
  v.block = size_arg(info, index + 4, "block");
  if (v.layout == ScaleLayout::blocked && v.block == 0) {
    throw_error(env, "ERR_QUANTA_INVALID_ARGUMENT", "block must be > 0");
  }
  checked_product(env, checked_product(env, v.outer, v.axis), v.inner);
  return v;
}

void check_length(const Napi::CallbackInfo& info, size_t have, size_t want, const char* name) {
  if (have != want) {
    throw_error(info.Env(), "ERR_QUANTA_INVALID_SHAPE",
                std::string(name) + " has " + std::to_string(have) + " elements, expected " + std::to_string(want));
  }
}

}  // namespace quanta::binding
