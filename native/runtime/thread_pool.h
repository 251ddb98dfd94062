// The addon's own thread pool (not libuv's): a fixed set of workers that, together with the
// calling thread, share the chunks of one parallel loop at a time.
#pragma once

#include <cstddef>
#include <functional>

namespace quanta {

// Runs body(begin, end) over [0, count) split into chunks of at least `grain` items. Runs on the
// calling thread alone when the work is one chunk, the pool has one thread, or the pool is busy
// with another caller's loop (async calls run on libuv threads; nobody waits for the pool). Which thread runs
// which chunk never changes a result: chunks write disjoint outputs.
void parallel_for(size_t count, size_t grain, const std::function<void(size_t, size_t)>& body);

// Threads used by parallel_for, the calling thread included. Default: the logical cores.
int num_threads();
// 0 restores the default. Takes effect for the next parallel_for.
void set_num_threads(int n);

}  // namespace quanta
