// At most N callers at once in a section of code (a counting semaphore),
// admitted first come, first served: e.g. password hashing, which costs
// 50 ms of a core and 16 MiB each, so that a burst of logins occupies a
// bounded share of the machine and delays only other logins; or the lanes
// of the store pool; or, with one slot, a database file's writers.
//
// Each waiter sleeps on a condition variable of its own and a leaving caller
// hands its slot to the oldest waiter directly, so a release wakes exactly
// one thread however many wait.
//
// Thread-safe.
#ifndef NTMIS_COMMON_BASE_CONCURRENCY_LIMIT_H_
#define NTMIS_COMMON_BASE_CONCURRENCY_LIMIT_H_

#include <cstdint>
#include <deque>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace ntmis {

class ConcurrencyLimit {
 public:
  explicit ConcurrencyLimit(int slots) : free_(slots < 1 ? 1 : slots) {}
  ConcurrencyLimit(const ConcurrencyLimit&) = delete;
  ConcurrencyLimit& operator=(const ConcurrencyLimit&) = delete;

  // Runs fn() once a slot is free, in the order callers arrived.
  template <typename Fn>
  auto Run(Fn&& fn) ABSL_LOCKS_EXCLUDED(mu_) {
    Enter();
    struct Leave {
      ConcurrencyLimit* limit;
      ~Leave() { limit->Exit(); }
    } leave{this};
    return std::forward<Fn>(fn)();
  }

  // Waits for a slot (first come, first served) and takes it; every Enter
  // is matched by one Exit.
  void Enter() ABSL_LOCKS_EXCLUDED(mu_);
  // The same, giving up after `timeout`: false (and no slot) then.
  bool EnterWithin(absl::Duration timeout) ABSL_LOCKS_EXCLUDED(mu_);
  void Exit() ABSL_LOCKS_EXCLUDED(mu_);

  // One slot per two cores, at least one: what password hashing may take.
  static int HalfTheCores();

 private:
  struct Waiter {
    absl::CondVar granted_cv;
    bool granted = false;
  };
  // Waits until `waiter` is handed a slot or `deadline` passes.
  bool Wait(Waiter& waiter, absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  int free_ ABSL_GUARDED_BY(mu_);
  std::deque<Waiter*> waiters_ ABSL_GUARDED_BY(mu_);  // oldest first
};

}  // namespace ntmis

#endif  // NTMIS_COMMON_BASE_CONCURRENCY_LIMIT_H_
