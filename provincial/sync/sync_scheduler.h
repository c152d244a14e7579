// Runs a province's sync on a schedule inside `ntmis-provincial serve`: on
// an interval with jitter, retrying failures with capped exponential
// back-off, and never two syncs of one province at once — not in this
// process (RunNow waits its turn) and not across processes (an exclusive
// lock file beside the database, which `sync --once` takes too).
//
// Thread-safe.
#ifndef NTMIS_PROVINCIAL_SYNC_SYNC_SCHEDULER_H_
#define NTMIS_PROVINCIAL_SYNC_SYNC_SCHEDULER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "provincial/sync/push.h"

namespace ntmis::provincial {

struct SyncSchedule {
  std::chrono::seconds interval{900};
  double jitter = 0.1;  // fraction of the interval, +/-
  std::chrono::seconds first_backoff{5};
  // Back-off doubles from first_backoff up to the interval.
};

struct SyncHealth {
  int64_t last_attempt_unix = 0;
  int64_t last_success_unix = 0;
  int64_t next_run_unix = 0;
  std::string last_error;  // empty after a success
  int consecutive_failures = 0;
  uint64_t last_sent = 0;
};

class SyncScheduler {
 public:
  // `run` performs one sync (taking the lock itself).
  using RunFn = std::function<absl::StatusOr<SyncReport>()>;

  SyncScheduler(RunFn run, SyncSchedule schedule, uint64_t seed);
  ~SyncScheduler();  // stops and joins

  void Start() ABSL_LOCKS_EXCLUDED(mu_);
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // Runs one sync now (after any that is running) and reschedules.
  absl::StatusOr<SyncReport> RunNow() ABSL_LOCKS_EXCLUDED(run_mu_, mu_);

  SyncHealth Health() ABSL_LOCKS_EXCLUDED(mu_);
  // True between Start() and Stop().
  bool running() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Loop() ABSL_LOCKS_EXCLUDED(mu_);
  // The delay before the next run after a success (jittered) or failure.
  std::chrono::milliseconds NextDelay(bool failed)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const RunFn run_;
  const SyncSchedule schedule_;
  absl::Mutex run_mu_;  // one run at a time in this process
  absl::Mutex mu_;
  SyncHealth health_ ABSL_GUARDED_BY(mu_);
  std::chrono::system_clock::time_point next_run_ ABSL_GUARDED_BY(mu_);
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_SYNC_SYNC_SCHEDULER_H_
