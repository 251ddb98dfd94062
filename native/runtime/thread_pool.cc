#include "runtime/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace quanta {

namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

// Spins until pred() or `micros` pass; returns pred().
template <typename Pred>
bool spin_for(Pred pred, long micros) {
  if (micros <= 0) return pred();
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(micros);
  for (int i = 0;; ++i) {
    if (pred()) return true;
    cpu_relax();
    if ((i & 63) == 63 && std::chrono::steady_clock::now() > until) return pred();
  }
}

// How long a worker that ran out of chunks, and a caller waiting for its workers, spin before
// they sleep on the condition variable. Waking a sleeping thread costs tens of microseconds on
// these VMs (a futex wake, and a vCPU that the host may have parked): paid up to 3 times per
// dynamic-quantization call (range, quantize, GEMM), it held a 0.4 ms BERT layer on two threads
// at 1.45-1.57x one thread (0.436-0.448 ms); spinning 100 us gives 0.344 ms (1.84x), 20 us
// 0.374. A worker burns at most this long after the last loop of a burst, as onnxruntime's and
// OpenMP's pools do (theirs spin longer). Not when there are more threads than cores: a spinning
// thread would then take a core from one that still has chunks to run.
constexpr long kSpinMicros = 100;

int default_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

class Pool {
 public:
  ~Pool() { resize(0); }

  int size() const { return wanted_; }

  void set_size(int n) { wanted_ = n <= 0 ? default_threads() : n; }

  void run(size_t count, size_t grain, const std::function<void(size_t, size_t)>& body) {
    const size_t chunk = std::max(grain, size_t{1});
    const size_t chunks = (count + chunk - 1) / chunk;
    if (chunks <= 1) {
      body(0, count);
      return;
    }
    // One loop at a time. A caller that finds the pool busy (an async call's loop on a libuv
    // thread) runs its loop alone instead of waiting: the JS thread never blocks behind async
    // work, and results do not depend on which threads ran the chunks.
    std::unique_lock<std::mutex> serial(run_mutex_, std::try_to_lock);
    if (!serial.owns_lock()) {
      body(0, count);
      return;
    }
    resize(wanted_ - 1);
    static const int cores = default_threads();
    spin_micros_ = wanted_ <= cores ? kSpinMicros : 0;
    if (workers_.empty()) {
      body(0, count);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = {&body, count, chunk, chunks};
      next_.store(0);
      pending_ = chunks;
      ++generation_;
    }
    wake_.notify_all();
    work();
    spin_for([&] { return pending_.load() == 0; }, spin_micros_.load());
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return pending_ == 0; });
    job_.body = nullptr;
  }

 private:
  struct Job {
    const std::function<void(size_t, size_t)>* body = nullptr;
    size_t count = 0, chunk = 0, chunks = 0;
  };

  // Takes chunks until none are left; called by workers and by the caller.
  void work() {
    size_t finished = 0;
    for (size_t c; (c = next_.fetch_add(1)) < job_.chunks;) {
      const size_t begin = c * job_.chunk;
      (*job_.body)(begin, std::min(job_.count, begin + job_.chunk));
      ++finished;
    }
    if (finished == 0) return;
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ -= finished;
    if (pending_ == 0) done_.notify_all();
  }

  void worker_loop() {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        if (job_.body == nullptr) continue;
      }
      work();
      spin_for([&] { return stop_.load() || generation_.load() != seen; }, spin_micros_.load());
    }
  }

  // Only called under run_mutex_ (or at exit), so no loop is running.
  void resize(int workers) {
    workers = std::max(workers, 0);
    if (static_cast<int>(workers_.size()) == workers) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
    stop_ = false;
    for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { worker_loop(); });
  }

  std::mutex run_mutex_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  Job job_;
  std::atomic<size_t> next_{0};
  // Changed under mutex_; atomic because the spinning caller and workers read them without it.
  std::atomic<size_t> pending_{0};
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stop_{false};
  std::atomic<long> spin_micros_{0};
  std::atomic<int> wanted_{default_threads()};
};

Pool& pool() {
  // Never destroyed: joining threads during static destruction at process exit can deadlock.
  static Pool* p = new Pool();
  return *p;
}

}  // namespace

void parallel_for(size_t count, size_t grain, const std::function<void(size_t, size_t)>& body) {
  if (count == 0) return;
  pool().run(count, grain, body);
}

int num_threads() { return pool().size(); }

void set_num_threads(int n) { pool().set_size(n); }

}  // namespace quanta
