// Arguments shared by the tensor operations' bindings: sizes, the [outer, axis, inner] view with
// its scale layout, length checks, and the optional path name that tests and benchmarks pass.
#pragma once

#include <napi.h>

#include <cstddef>

#include "quanta/kernels.h"
#include "runtime/linear_ops.h"

namespace quanta::binding {

// The active kernels, or those of the path named by the optional string at `index`.
const KernelTable& table_arg(const Napi::CallbackInfo& info, size_t index);

size_t size_arg(const Napi::CallbackInfo& info, size_t index, const char* name);
size_t checked_product(Napi::Env env, size_t a, size_t b);

// Arguments (outer, axis, inner, layout, block) starting at `index`.
AxisView axis_view_arg(const Napi::CallbackInfo& info, size_t index);

void check_length(const Napi::CallbackInfo& info, size_t have, size_t want, const char* name);

}  // namespace quanta::binding
