#include "common/base/concurrency_limit.h"

#include <algorithm>
#include <thread>

namespace ntmis {

bool ConcurrencyLimit::Wait(Waiter& waiter, absl::Time deadline) {
  if (free_ > 0 && waiters_.empty()) {
    --free_;
    return true;
  }
  waiters_.push_back(&waiter);
  while (!waiter.granted) {
    if (waiter.granted_cv.WaitWithDeadline(&mu_, deadline) && !waiter.granted) {
      // Timed out and not handed a slot meanwhile: leave the queue.
      waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &waiter));
      return false;
    }
  }
  return true;
}

void ConcurrencyLimit::Enter() {
  absl::MutexLock lock(&mu_);
  Waiter waiter;
  Wait(waiter, absl::InfiniteFuture());
}

bool ConcurrencyLimit::EnterWithin(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  Waiter waiter;
  return Wait(waiter, absl::Now() + timeout);
}

void ConcurrencyLimit::Exit() {
  absl::MutexLock lock(&mu_);
  if (waiters_.empty()) {
    ++free_;
    return;
  }
  Waiter* next = waiters_.front();
  waiters_.pop_front();
  next->granted = true;  // the slot passes to it directly
  next->granted_cv.Signal();
}

int ConcurrencyLimit::HalfTheCores() {
  return std::max(1u, std::thread::hardware_concurrency() / 2);
}

}  // namespace ntmis
