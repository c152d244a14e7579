#include "common/concurrency_limit.h"

#include <algorithm>
#include <thread>

namespace ntmis {

void ConcurrencyLimit::Enter() {
  absl::MutexLock lock(&mu_);
  const uint64_t ticket = next_ticket_++;
  auto my_turn = [this, ticket]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return free_ > 0 && serving_ == ticket;
  };
  mu_.Await(absl::Condition(&my_turn));
  --free_;
  ++serving_;
}

void ConcurrencyLimit::Exit() {
  absl::MutexLock lock(&mu_);
  ++free_;
}

int ConcurrencyLimit::HalfTheCores() {
  return std::max(1u, std::thread::hardware_concurrency() / 2);
}

}  // namespace ntmis
