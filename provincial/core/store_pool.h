// The connections through which the node's API works on province.db: a
// fixed set of lanes, each an SQLite connection with the core objects bound
// to it (Store, Accounts, Workflow), leased to one request at a time. Reads
// on different lanes run in parallel (WAL: readers never wait for each other
// nor for the writer); writes begin with BEGIN IMMEDIATE and are serialized
// by SQLite with a busy timeout, not by a lock around the API. When every
// lane is busy a request waits for one, first come first served.
//
// Thread-safe: any thread may Acquire; a Lease and its Lane belong to the
// thread holding the lease until it is destroyed.
#ifndef NTMIS_PROVINCIAL_CORE_STORE_POOL_H_
#define NTMIS_PROVINCIAL_CORE_STORE_POOL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/base/concurrency_limit.h"
#include "provincial/core/accounts.h"
#include "provincial/core/careers.h"
#include "provincial/core/identity_resolver.h"
#include "provincial/core/store.h"
#include "provincial/core/teacher_fields.h"
#include "provincial/core/workflow.h"

namespace ntmis::provincial {

// One connection and the core objects that work on it.
struct Lane {
  Lane(Store s, const AccountPolicy& policy, ConcurrencyLimit* hashing)
      : store(std::move(s)), accounts(store, policy, hashing) {}
  Lane(const Lane&) = delete;
  Lane& operator=(const Lane&) = delete;

  Store store;
  Accounts accounts;
  std::unique_ptr<Workflow> workflow;
  std::unique_ptr<Careers> careers;
};

class StorePool {
 public:
  // Opens `lanes` connections to the initialised database at `path`.
  // `resolver` (may be null) must outlive the pool; `hashing` bounds the
  // password hashes the lanes' Accounts run at once.
  static absl::StatusOr<std::unique_ptr<StorePool>> Open(
      const std::string& path, int lanes, const IdKeys& keys,
      IdentityResolver* resolver, ConcurrencyLimit* hashing,
      const AccountPolicy& policy = {}, const CareerSettings& careers = {});

  // A lane until destruction. Move-only.
  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(other.pool_), lane_(other.lane_) {
      other.pool_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->Release(lane_);
    }
    Lane& operator*() const { return *lane_; }
    Lane* operator->() const { return lane_; }

   private:
    friend class StorePool;
    Lease(StorePool* pool, Lane* lane) : pool_(pool), lane_(lane) {}
    StorePool* pool_;
    Lane* lane_;
  };

  // Waits for a free lane, in the order callers arrived.
  Lease Acquire() ABSL_LOCKS_EXCLUDED(mu_);

  size_t size() const { return lanes_.size(); }
  // The province this database belongs to (read once at Open).
  const std::string& province() const { return province_; }

 private:
  StorePool() = default;
  void Release(Lane* lane) ABSL_LOCKS_EXCLUDED(mu_);

  std::vector<std::unique_ptr<Lane>> lanes_;  // fixed after Open
  std::string province_;
  // Admits as many holders as there are lanes, in arrival order.
  std::unique_ptr<ConcurrencyLimit> admission_;
  absl::Mutex mu_;
  std::vector<Lane*> free_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CORE_STORE_POOL_H_
