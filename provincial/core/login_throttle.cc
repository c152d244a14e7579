#include "provincial/core/login_throttle.h"

#include <algorithm>

namespace ntmis::provincial {

int64_t LoginThrottle::WaitSeconds(const std::string& source, int64_t now) {
  absl::MutexLock lock(&mu_);
  auto it = sources_.find(source);
  if (it == sources_.end()) return 0;
  return std::max<int64_t>(0, it->second.next_allowed - now);
}

int LoginThrottle::RecordFailure(const std::string& source, int64_t now) {
  absl::MutexLock lock(&mu_);
  if (sources_.size() >= policy_.max_sources && !sources_.contains(source)) ForgetStale(now);
  Source& s = sources_[source];
  if (now - s.last_failure > policy_.window_seconds) s.failures = 0;
  ++s.failures;
  s.last_failure = now;
  const int over = s.failures - policy_.free_failures;
  if (over > 0) {
    const int64_t delay = over > 20 ? policy_.max_delay_seconds
                                    : std::min<int64_t>(int64_t{1} << (over - 1),
                                                        policy_.max_delay_seconds);
    s.next_allowed = now + delay;
  }
  return s.failures;
}

void LoginThrottle::ForgetStale(int64_t now) {
  for (auto it = sources_.begin(); it != sources_.end();) {
    auto next = std::next(it);
    if (now - it->second.last_failure > policy_.window_seconds &&
        it->second.next_allowed <= now) {
      sources_.erase(it);
    }
    it = next;
  }
  // Still full of sources failing right now: start afresh rather than grow.
  if (sources_.size() >= policy_.max_sources) sources_.clear();
}

}  // namespace ntmis::provincial
