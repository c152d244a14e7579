#include "provincial/core/store_pool.h"

#include "common/base/status_macros.h"

namespace ntmis::provincial {

absl::StatusOr<std::unique_ptr<StorePool>> StorePool::Open(
    const std::string& path, int lanes, const IdKeys& keys,
    IdentityResolver* resolver, ConcurrencyLimit* hashing,
    const AccountPolicy& policy, const CareerSettings& careers) {
  std::unique_ptr<StorePool> pool(new StorePool());
  for (int i = 0; i < std::max(1, lanes); ++i) {
    StoreOptions options;
    options.cache_mib = 64;  // lanes share the memory-mapped file; a cache each
    ASSIGN_OR_RETURN(Store store, Store::Open(path, false, options));
    store.set_seal_key(keys.seal_key);
    if (i == 0)
      RETURN_IF_ERROR(store.SealStoredValues());  // once, after an upgrade
    auto lane = std::make_unique<Lane>(std::move(store), policy, hashing);
    ASSIGN_OR_RETURN(lane->workflow,
                     Workflow::Create(lane->store, keys, resolver));
    lane->careers =
        std::make_unique<Careers>(lane->store, keys, careers, resolver);
    if (i == 0) {
      ASSIGN_OR_RETURN(pool->province_, lane->store.Province());
    }
    pool->lanes_.push_back(std::move(lane));
  }
  pool->admission_ =
      std::make_unique<ConcurrencyLimit>(static_cast<int>(pool->lanes_.size()));
  absl::MutexLock lock(&pool->mu_);
  for (const auto& lane : pool->lanes_) pool->free_.push_back(lane.get());
  return pool;
}

StorePool::Lease StorePool::Acquire() {
  admission_->Enter();  // a lane is free for this caller now
  absl::MutexLock lock(&mu_);
  Lane* lane = free_.back();
  free_.pop_back();
  return Lease(this, lane);
}

void StorePool::Release(Lane* lane) {
  {
    absl::MutexLock lock(&mu_);
    free_.push_back(lane);
  }
  admission_->Exit();
}

}  // namespace ntmis::provincial
