#include "binding/async_call.h"

#include <exception>
#include <utility>
#include <vector>

#include "binding/args.h"

namespace quanta::binding {

namespace {

class AsyncCall final : public Napi::AsyncWorker {
 public:
  AsyncCall(const Napi::CallbackInfo& info, const char* error_code, AsyncWork work)
      : Napi::AsyncWorker(info.Env(), "quanta"),
        deferred_(Napi::Promise::Deferred::New(info.Env())),
        error_code_(error_code),
        work_(std::move(work)) {
    for (size_t i = 0; i < info.Length(); ++i) {
      if (info[i].IsObject()) kept_.push_back(Napi::Persistent(info[i].As<Napi::Object>()));
    }
  }

  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      const std::string err = work_();
      if (!err.empty()) SetError(err);
    } catch (const std::bad_alloc&) {
      error_code_ = "ERR_QUANTA_OUT_OF_MEMORY";
      SetError("out of memory");
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }

  void OnOK() override {
    Napi::HandleScope scope(Env());
    deferred_.Resolve(Env().Undefined());
  }

  void OnError(const Napi::Error& error) override {
    Napi::HandleScope scope(Env());
    error.Set("code", Napi::String::New(Env(), error_code_));
    deferred_.Reject(error.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  const char* error_code_;
  AsyncWork work_;
  std::vector<Napi::ObjectReference> kept_;  // released with the worker, after settling
};

}  // namespace

Napi::Value run_async(const Napi::CallbackInfo& info, const char* error_code, AsyncWork work) {
  auto* call = new AsyncCall(info, error_code, std::move(work));  // deletes itself when done
  Napi::Promise promise = call->promise();
  call->Queue();
  return promise;
}

void run_sync(Napi::Env env, const char* error_code, const AsyncWork& work) {
  std::string err;
  try {
    err = work();
  } catch (const std::bad_alloc&) {
    throw_error(env, "ERR_QUANTA_OUT_OF_MEMORY", "out of memory");
  }
  if (!err.empty()) throw_error(env, error_code, err);
}

bool async_arg(const Napi::CallbackInfo& info, size_t index) {
  return index < info.Length() && info[index].IsBoolean() && info[index].As<Napi::Boolean>().Value();
}

Napi::Value finish(const Napi::CallbackInfo& info, bool async, const char* error_code, AsyncWork work) {
  if (async) return run_async(info, error_code, std::move(work));
  run_sync(info.Env(), error_code, work);
  return info.Env().Undefined();
}

}  // namespace quanta::binding
