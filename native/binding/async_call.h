// Promise forms of the compute calls. The arguments are parsed and checked on the JS thread
// exactly as for the synchronous call; the work itself (a closure over plain C++ views) then runs
// on a libuv worker thread, which hands the heavy loops to the addon's own pool. Every object
// argument is held by a persistent reference until the Promise settles, so the garbage collector
// cannot free a buffer the work still reads or writes. (A caller that transfers or detaches one
// of those ArrayBuffers while the call is in flight breaks that promise: documented in lib/.)
#pragma once

#include <napi.h>

#include <functional>
#include <string>

namespace quanta::binding {

// The work returns "" on success or the message of an Error whose `code` is error_code.
using AsyncWork = std::function<std::string()>;

// Queues `work` and returns a Promise of undefined. Object arguments of `info` are kept alive.
Napi::Value run_async(const Napi::CallbackInfo& info, const char* error_code, AsyncWork work);

// Runs `work` now on this thread (the Sync form), throwing its error as a coded JS Error.
void run_sync(Napi::Env env, const char* error_code, const AsyncWork& work);

// Whether argument `index` asks for the Promise form (a trailing `true`).
bool async_arg(const Napi::CallbackInfo& info, size_t index);

// run_sync and undefined, or run_async and its Promise.
Napi::Value finish(const Napi::CallbackInfo& info, bool async, const char* error_code, AsyncWork work);

}  // namespace quanta::binding
