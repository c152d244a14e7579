// The sync schedule: interval, back-off after failures, one sync at a time.
#include "provincial/sync/sync_scheduler.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "provincial/sync/sync_lock.h"
#include "tests/support/test_support.h"

namespace ntmis::provincial {
namespace {

using testing::TempDir;

TEST_CASE("Only one sync of a province holds the lock", "[schedule]") {
  TempDir dir;
  std::string path = SyncLockPath(dir.File("province.db"));
  {
    auto first = AcquireSyncLock(path);
    REQUIRE(first.ok());
    auto second = AcquireSyncLock(path);
    CHECK(absl::IsAborted(second.status()));
    CHECK_THAT(std::string(second.status().message()),
               Catch::Contains("another sync"));
  }
  CHECK(AcquireSyncLock(path).ok());  // released with its holder
}

TEST_CASE("Scheduled syncs run on the interval and back off after failures",
          "[schedule]") {
  std::atomic<int> calls{0}, running{0}, overlaps{0};
  auto run = [&]() -> absl::StatusOr<SyncReport> {
    if (running.fetch_add(1) > 0) ++overlaps;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    int n = ++calls;
    running.fetch_sub(1);
    if (n <= 2) return absl::UnavailableError("national node unreachable");
    return SyncReport{};
  };
  SyncSchedule schedule;
  schedule.interval =
      std::chrono::seconds(30);  // never reached within the test
  schedule.first_backoff =
      std::chrono::seconds(0);  // retry at once in the test
  SyncScheduler scheduler(run, schedule, /*seed=*/7);

  SyncHealth before = scheduler.Health();
  CHECK(before.last_attempt_unix == 0);
  CHECK(before.next_run_unix > 0);

  // Two failures, then success: failures are retried without waiting the
  // interval, and the health shows each step.
  CHECK_FALSE(scheduler.RunNow().ok());
  CHECK(scheduler.Health().consecutive_failures == 1);
  CHECK_THAT(scheduler.Health().last_error, Catch::Contains("unreachable"));
  scheduler.Start();
  for (int i = 0; i < 300 && scheduler.Health().last_success_unix == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  SyncHealth health = scheduler.Health();
  CHECK(health.last_success_unix > 0);
  CHECK(health.consecutive_failures == 0);
  CHECK(health.last_error.empty());
  CHECK(calls.load() == 3);

  // A manual run while the schedule is live never overlaps another.
  std::thread manual([&] { (void)scheduler.RunNow(); });
  (void)scheduler.RunNow();
  manual.join();
  scheduler.Stop();
  CHECK(overlaps.load() == 0);
  CHECK(calls.load() == 5);
}

}  // namespace
}  // namespace ntmis::provincial
