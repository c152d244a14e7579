#include "common/base/periodic.h"

#include <utility>

namespace ntmis {

Periodic::Periodic(std::function<void()> task, absl::Duration interval)
    : task_(std::move(task)), interval_(interval) {}

Periodic::~Periodic() { Stop(); }

void Periodic::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Loop(); });
}

void Periodic::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

int Periodic::runs() const {
  absl::MutexLock lock(&mu_);
  return runs_;
}

void Periodic::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
    }
    task_();
    absl::MutexLock lock(&mu_);
    ++runs_;
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), interval_);
    if (stopping_) return;
  }
}

}  // namespace ntmis
