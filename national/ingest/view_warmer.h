// Builds, on a thread of its own, the views a query built in some provinces
// in all the others: a query filtered by a city or county reads only its
// provinces, and a dashboard asks the same panel of other places next,
// which would otherwise each build the view (a scan of the province's whole
// rollup) while the operator waits.
//
// Thread-safe. Its thread runs at nice 10; the warmer must be destroyed
// before the province files it reaches.
#ifndef NTMIS_NATIONAL_INGEST_VIEW_WARMER_H_
#define NTMIS_NATIONAL_INGEST_VIEW_WARMER_H_

#include <deque>
#include <functional>
#include <set>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "national/rollup/rollup_cube.h"

namespace ntmis::national {

class ProvinceDb;

class ViewWarmer {
 public:
  // `province(code)`: the province file, or null if it does not exist.
  explicit ViewWarmer(std::function<ProvinceDb*(const std::string&)> province);
  ~ViewWarmer();
  ViewWarmer(const ViewWarmer&) = delete;
  ViewWarmer& operator=(const ViewWarmer&) = delete;

  // Builds the view `shape` needs (its grouped and filtered fields; filter
  // values do not matter) in each of `provinces` that lacks it. A shape
  // already waiting is not queued again; beyond kMaxWaiting shapes new ones
  // are dropped (queries build what they need themselves).
  void Warm(const CubeQuery& shape, const std::vector<std::string>& provinces)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Waits until nothing is queued (tests).
  void Drain() ABSL_LOCKS_EXCLUDED(mu_);

  static constexpr size_t kMaxWaiting = 64;

 private:
  struct Task {
    RollupCube::ViewName name;
    CubeQuery shape;
    std::vector<std::string> provinces;
  };
  void Run();

  const std::function<ProvinceDb*(const std::string&)> province_;
  absl::Mutex mu_;
  std::deque<Task> queue_ ABSL_GUARDED_BY(mu_);
  std::set<RollupCube::ViewName> waiting_
      ABSL_GUARDED_BY(mu_);  // queued shapes
  bool busy_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_INGEST_VIEW_WARMER_H_
