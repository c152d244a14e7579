// Slows a source address that keeps failing to log in, whatever accounts it
// tries: after `free_failures` failures within the window, each further
// failure makes the source wait before its next attempt, 1 s, 2 s, 4 s, …
// up to max_delay. Attempts inside the wait are refused at once, before any
// password is checked, so a flood costs the node almost nothing and reveals
// nothing about accounts. Kept in memory (a restart forgets it); the
// per-account lockout that survives restarts is in provincial/core/logins.h.
//
// Thread-safe.
#ifndef NTMIS_PROVINCIAL_CORE_LOGIN_THROTTLE_H_
#define NTMIS_PROVINCIAL_CORE_LOGIN_THROTTLE_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace ntmis::provincial {

struct ThrottlePolicy {
  int free_failures = 20;  // a school behind one NAT address makes typos too
  int64_t window_seconds = 15 * 60;  // failures older than this are forgotten
  int64_t max_delay_seconds = 15 * 60;
  size_t max_sources = 100000;       // memory bound; stale sources go first
};

class LoginThrottle {
 public:
  explicit LoginThrottle(ThrottlePolicy policy = {}) : policy_(policy) {}

  // Seconds `source` must still wait before it may try (0: it may now).
  int64_t WaitSeconds(const std::string& source, int64_t now) ABSL_LOCKS_EXCLUDED(mu_);
  // A failed attempt from `source`; returns the failures counted in the window.
  int RecordFailure(const std::string& source, int64_t now) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Source {
    int failures = 0;
    int64_t last_failure = 0;
    int64_t next_allowed = 0;
  };
  void ForgetStale(int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ThrottlePolicy policy_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Source> sources_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_LOGIN_THROTTLE_H_
