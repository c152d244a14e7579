#include "national/ingest/view_warmer.h"

#include "common/base/thread_priority.h"
#include "national/ingest/province_db.h"

namespace ntmis::national {

ViewWarmer::ViewWarmer(std::function<ProvinceDb*(const std::string&)> province)
    : province_(std::move(province)), thread_([this] { Run(); }) {}

ViewWarmer::~ViewWarmer() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void ViewWarmer::Warm(const CubeQuery& shape,
                      const std::vector<std::string>& provinces) {
  if (provinces.empty()) return;
  const RollupCube::ViewName name = RollupCube::NameOf(shape);
  absl::MutexLock lock(&mu_);
  if (stop_ || queue_.size() >= kMaxWaiting || !waiting_.insert(name).second)
    return;
  queue_.push_back({name, shape, provinces});
}

void ViewWarmer::Drain() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](ViewWarmer* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu_) {
        return w->queue_.empty() && !w->busy_;
      },
      this));
}

void ViewWarmer::Run() {
  LowerThisThreadPriority();
  while (true) {
    Task task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](ViewWarmer* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu_) {
            return w->stop_ || !w->queue_.empty();
          },
          this));
      if (stop_) return;
      task = std::move(queue_.front());
      queue_.pop_front();
      waiting_.erase(task.name);
      busy_ = true;
    }
    for (const std::string& code : task.provinces) {
      {
        absl::MutexLock lock(&mu_);
        if (stop_) break;
      }
      if (ProvinceDb* db = province_(code)) db->PrepareView(task.shape);
    }
    absl::MutexLock lock(&mu_);
    busy_ = false;
  }
}

}  // namespace ntmis::national
