// A province's core on a real SQLite file, without a server, for testing
// the core's rules directly (tests/provincial/): province 44 with the unit
// tree of kUnits (province_fixture.h) and, at every unit, the seeds'
// default accounts — 1 system administrator, 1 information manager and 2
// queriers — named "<unit>.admin", "<unit>.manager", "<unit>.querier1" and
// "<unit>.querier2". Lanes come from a real StorePool, so several threads
// can work at once as the API's calls do.
#ifndef NTMIS_TESTS_SUPPORT_CORE_FIXTURE_H_
#define NTMIS_TESTS_SUPPORT_CORE_FIXTURE_H_

#include <memory>
#include <string>

#include "provincial/core/store_pool.h"
#include "provincial/core/user.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {

class CoreProvince {
 public:
  explicit CoreProvince(int lanes = 4);

  // The default accounts of `unit` ("44", "4401", "440103", "4401030001", …).
  provincial::User Admin(const std::string& unit);
  provincial::User Manager(const std::string& unit);
  provincial::User Querier(const std::string& unit, int which = 1);

  provincial::StorePool::Lease Lane() { return pool_->Acquire(); }
  const std::string& database() const { return database_; }
  const provincial::IdKeys& keys() const { return keys_; }

 private:
  provincial::User Load(const std::string& username);

  TempDir dir_;
  std::string database_;
  provincial::IdKeys keys_;
  std::unique_ptr<provincial::StorePool> pool_;
};

}  // namespace ntmis::testing

#endif  // NTMIS_TESTS_SUPPORT_CORE_FIXTURE_H_
