#pragma once
// The directories of a root waiting for a thread of cleanup(): bounded,
// since each holds descriptors.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

#include "core/cleaner.hpp"

namespace tmpctl::core {

class JobQueue {
public:
  explicit JobQueue(std::size_t capacity) : capacity_(capacity) {}

  // False, with `job` untouched, when the queue is full.
  bool try_push(Job& job) {
    {
      std::lock_guard lock(mutex_);
      if (jobs_.size() >= capacity_) return false;
      jobs_.push_back(std::move(job));
    }
    ready_.notify_one();
    return true;
  }

  // The next job; nullopt once the queue is closed and empty.
  std::optional<Job> pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !jobs_.empty() || closed_; });
    if (jobs_.empty()) return std::nullopt;
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    return job;
  }

  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    ready_.notify_all();
  }

private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Job> jobs_;
  bool closed_ = false;
};

}  // namespace tmpctl::core
