// A fixed set of threads that run one job over k = 0..size()-1 at a time:
// the caller runs k = 0 itself, the pool's threads the rest. Threads sleep
// between jobs (never spin: on 2 cores a spinning thread steals the core the
// other shard needs).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace atrank::train {

class WorkerPool {
 public:
  explicit WorkerPool(int size);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int size() const { return int(threads_.size()) + 1; }

  // Runs job(k) for every k in [0, size()) and returns when all are done.
  // If jobs throw, rethrows the exception of the lowest k. The job is called
  // through a plain function pointer: nothing is allocated per run.
  template <class Job>
  void run(Job&& job) {
    using J = std::remove_reference_t<Job>;
    run_erased([](void* j, int k) { (*static_cast<J*>(j))(k); },
               const_cast<void*>(static_cast<const void*>(&job)));
  }

 private:
  using ErasedJob = void (*)(void* job, int k);
  void run_erased(ErasedJob call, void* job);
  void stop();  // ends and joins the threads
  void work(int k);

  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  ErasedJob call_ = nullptr;
  void* job_ = nullptr;
  std::uint64_t generation_ = 0;  // counts jobs handed out
  int pending_ = 0;               // pool threads still in the current job
  bool stopping_ = false;
  std::vector<std::exception_ptr> errors_;
};

}  // namespace atrank::train
