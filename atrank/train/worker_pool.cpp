#include "atrank/train/worker_pool.hpp"

#include <stdexcept>
#include <string>
#include <system_error>

namespace atrank::train {

WorkerPool::WorkerPool(int size) : errors_(std::size_t(size > 0 ? size : 1)) {
  if (size < 1) throw std::invalid_argument("worker pool: size must be at least 1");
  try {
    for (int k = 1; k < size; ++k) threads_.emplace_back([this, k] { work(k); });
  } catch (const std::system_error& e) {
    const std::size_t started = threads_.size() + 1;  // the caller's thread is the first
    // The threads already started must be joined, or their destructors terminate the process.
    stop();
    throw std::runtime_error("cannot start thread " + std::to_string(started + 1) + " of " + std::to_string(size) +
                             ": " + e.code().message());
  }
}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void WorkerPool::run_erased(ErasedJob call, void* job) {
  for (auto& e : errors_) e = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    call_ = call;
    job_ = job;
    pending_ = int(threads_.size());
    ++generation_;
  }
  wake_.notify_all();
  try {
    call(job, 0);
  } catch (...) {
    errors_[0] = std::current_exception();
  }
  {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    call_ = nullptr;
    job_ = nullptr;
  }
  for (auto& e : errors_)
    if (e) std::rethrow_exception(e);
}

void WorkerPool::work(int k) {
  std::uint64_t seen = 0;
  for (;;) {
    ErasedJob call = nullptr;
    void* job = nullptr;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      call = call_;
      job = job_;
    }
    try {
      call(job, k);
    } catch (...) {
      errors_[std::size_t(k)] = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (--pending_ == 0) done_.notify_one();
    }
  }
}

}  // namespace atrank::train
