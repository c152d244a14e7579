// Slows guessing without locking out everyone behind one address
// (docs/operators.md, "Logins behind a shared address"). Schools and
// county offices sit behind shared NAT addresses, so a flood of wrong
// passwords from one address must not keep that address's other users out.
// Two kinds of delay, each refused at once before any password is checked
// (a flood costs the node almost nothing and reveals nothing about
// accounts):
//
// * per address and typed user name: after `pair_free_failures` failures
//   (the account lockout's five), each further failure for that name from
//   that address makes it wait 1 s, 2 s, 4 s, … up to max_delay. A guesser
//   hammering one name waits; the others at its address, typing their own
//   names, do not.
// * per address, the ceiling it always had: after `free_failures` failures
//   within the last `window_seconds` (a sliding window), whatever names
//   they tried, the whole address waits the same way. A flood on one name
//   stays under it (5 failures, then one per doubling wait: at most 15 in
//   15 minutes), so the address's other users are not held back; a flood
//   spread over many names is held as before, so no flood has more
//   passwords checked than under the per-address rule alone.
//
// Kept in memory (a restart forgets it); the per-account lockout that
// survives restarts is in common/login/login_gate.h.
//
// Thread-safe.
#ifndef NTMIS_COMMON_LOGIN_LOGIN_THROTTLE_H_
#define NTMIS_COMMON_LOGIN_LOGIN_THROTTLE_H_

#include <cstdint>
#include <deque>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace ntmis {

struct ThrottlePolicy {
  int pair_free_failures =
      5;                   // per address and name: the account lockout's count
  int free_failures = 20;  // per address, in a sliding window: a school's typos
  int64_t window_seconds = 15 * 60;  // failures older than this are forgotten
  int64_t max_delay_seconds = 15 * 60;
  size_t max_sources = 100000;  // memory bound per kind; stale entries go first
};

// Which delay holds an attempt back.
enum class ThrottleScope { kNone, kName, kAddress };

struct ThrottleWait {
  int64_t seconds = 0;  // 0: it may try now
  ThrottleScope scope = ThrottleScope::kNone;
};

class LoginThrottle {
 public:
  explicit LoginThrottle(ThrottlePolicy policy = {}) : policy_(policy) {}

  // How long an attempt for `name` from `source` must still wait.
  ThrottleWait Wait(const std::string& source, const std::string& name,
                    int64_t now) ABSL_LOCKS_EXCLUDED(mu_);
  // A failed attempt for `name` from `source`; returns the failures counted
  // from `source` in the window (all names).
  int RecordFailure(const std::string& source, const std::string& name,
                    int64_t now) ABSL_LOCKS_EXCLUDED(mu_);
  // Forgets the delays of `name` at every address (its administrator
  // unlocked the account or reset its password).
  void ForgetName(const std::string& name) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Counter {
    int failures = 0;
    int64_t last_failure = 0;
    int64_t next_allowed = 0;
    // The address's failures in the sliding window (oldest first; at most
    // free_failures + 21 kept: past that the wait is already the longest).
    std::deque<int64_t> times;
  };
  using Counters = absl::flat_hash_map<std::string, Counter>;
  // Sets `c`'s wait for `over` failures past the free ones.
  void Delay(Counter& c, int over, int64_t now) const;
  void ForgetStale(Counters& counters, int64_t now) const;

  const ThrottlePolicy policy_;
  absl::Mutex mu_;
  Counters sources_ ABSL_GUARDED_BY(mu_);
  Counters pairs_ ABSL_GUARDED_BY(mu_);  // key: source '\n' name
};

}  // namespace ntmis

#endif  // NTMIS_COMMON_LOGIN_LOGIN_THROTTLE_H_
