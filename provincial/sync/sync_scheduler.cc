#include "provincial/sync/sync_scheduler.h"

#include <algorithm>
#include <cerrno>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace ntmis::provincial {
namespace {

int64_t ToUnix(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}

}  // namespace

SyncScheduler::SyncScheduler(RunFn run, SyncSchedule schedule, uint64_t seed)
    : run_(std::move(run)), schedule_(schedule), rng_(seed) {
  absl::MutexLock lock(&mu_);
  next_run_ = std::chrono::system_clock::now() + NextDelay(false);
  health_.next_run_unix = ToUnix(next_run_);
}

SyncScheduler::~SyncScheduler() { Stop(); }

void SyncScheduler::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Loop(); });
}

void SyncScheduler::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

std::chrono::milliseconds SyncScheduler::NextDelay(bool failed) {
  using std::chrono::milliseconds;
  auto interval = std::chrono::duration_cast<milliseconds>(schedule_.interval);
  if (failed) {
    int shift = std::min(health_.consecutive_failures - 1, 20);
    milliseconds backoff =
        std::chrono::duration_cast<milliseconds>(schedule_.first_backoff) *
        (int64_t{1} << shift);
    return std::min<milliseconds>(backoff, interval);
  }
  std::uniform_real_distribution<double> jitter(-schedule_.jitter,
                                                schedule_.jitter);
  return milliseconds(
      static_cast<int64_t>(interval.count() * (1.0 + jitter(rng_))));
}

absl::StatusOr<SyncReport> SyncScheduler::RunNow() {
  absl::MutexLock run_lock(&run_mu_);
  auto started = std::chrono::system_clock::now();
  {
    absl::MutexLock lock(&mu_);
    health_.last_attempt_unix = ToUnix(started);
  }
  absl::StatusOr<SyncReport> report = run_();
  absl::MutexLock lock(&mu_);
  if (report.ok()) {
    health_.last_success_unix = ToUnix(std::chrono::system_clock::now());
    health_.last_error.clear();
    health_.consecutive_failures = 0;
    health_.last_sent = report->sent;
    if (!report->audit_problem.empty())
      std::cerr << "sync: the national node says of this province's audit log: "
                << report->audit_problem << "\n";
  } else {
    health_.last_error = report.status().ToString();
    ++health_.consecutive_failures;
  }
  next_run_ = std::chrono::system_clock::now() + NextDelay(!report.ok());
  health_.next_run_unix = ToUnix(next_run_);
  return report;
}

bool SyncScheduler::running() {
  absl::MutexLock lock(&mu_);
  return thread_.joinable() && !stopping_;
}

SyncHealth SyncScheduler::Health() {
  absl::MutexLock lock(&mu_);
  return health_;
}

void SyncScheduler::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      // Wake when stopping or when the next run is due (it may move when
      // RunNow runs in between).
      while (!stopping_ && std::chrono::system_clock::now() < next_run_) {
        mu_.AwaitWithDeadline(absl::Condition(&stopping_),
                              absl::FromChrono(next_run_));
      }
      if (stopping_) return;
    }
    (void)RunNow();
  }
}

}  // namespace ntmis::provincial
