// Runs a task on a thread of its own: once at Start, then every `interval`
// until Stop (or destruction). For a node's housekeeping that must happen
// whether or not anyone calls in, such as the career cases that come into
// effect on their date (provincial/core/careers.h, ApplyDue).
//
// Thread-safe.
#ifndef NTMIS_COMMON_BASE_PERIODIC_H_
#define NTMIS_COMMON_BASE_PERIODIC_H_

#include <functional>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace ntmis {

class Periodic {
 public:
  Periodic(std::function<void()> task, absl::Duration interval);
  ~Periodic();  // stops and joins
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

  void Start() ABSL_LOCKS_EXCLUDED(mu_);
  // Waits for a run in progress to finish; no run starts afterwards.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);
  // Completed runs (for tests).
  int runs() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Loop() ABSL_LOCKS_EXCLUDED(mu_);

  const std::function<void()> task_;
  const absl::Duration interval_;
  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int runs_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace ntmis

#endif  // NTMIS_COMMON_BASE_PERIODIC_H_
