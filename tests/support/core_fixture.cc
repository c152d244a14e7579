#include "tests/support/core_fixture.h"

#include <stdexcept>

#include "provincial/core/accounts.h"
#include "provincial/core/units.h"
#include "provincial/import/csv_import.h"
#include "provincial/import/unit_import.h"
#include "tests/support/import_support.h"
#include "tests/support/province_fixture.h"

namespace ntmis::testing {
namespace {

constexpr char kSeedPassword[] = "Seed-Passw0rd!";

}  // namespace

CoreProvince::CoreProvince(int lanes)
    : database_(dir_.File("province.db")), keys_(TestKeys()) {
  {
    provincial::Store store =
        ValueOrDie(provincial::Store::Open(database_, true));
    if (!store.SetProvince("44").ok() ||
        !provincial::EnsureProvinceUnit(store, "44").ok())
      throw std::runtime_error("province setup failed");
    auto handler = ValueOrDie(
        provincial::UnitRowHandler::Create(store, ProvinceAdmin(store)));
    provincial::CsvImport import(store, *handler, {});
    if (!import.Feed(kUnits).ok())
      throw std::runtime_error("units feed failed");
    if (ValueOrDie(import.Finish()).problems_total() != 0)
      throw std::runtime_error("the units of kUnits have problems");
    provincial::Accounts accounts(store);
    for (const char* unit :
         {"44", "4401", "440103", "4401030001", "4401030002", "440104",
          "4401040001", "4402", "440201", "4402010001"}) {
      const std::string u = unit;
      for (auto [suffix, role] :
           {std::pair{".admin", provincial::Role::kSysAdmin},
            std::pair{".manager", provincial::Role::kManager},
            std::pair{".querier1", provincial::Role::kQuerier},
            std::pair{".querier2", provincial::Role::kQuerier}})
        ValueOrDie(accounts.Create(u + suffix, u, role, kSeedPassword, false));
    }
  }
  pool_ = ValueOrDie(
      provincial::StorePool::Open(database_, lanes, keys_, nullptr, nullptr));
}

provincial::User CoreProvince::Load(const std::string& username) {
  provincial::StorePool::Lease lane = pool_->Acquire();
  return ValueOrDie(lane->accounts.Find(username));
}

provincial::User CoreProvince::Admin(const std::string& unit) {
  return Load(unit + ".admin");
}
provincial::User CoreProvince::Manager(const std::string& unit) {
  return Load(unit + ".manager");
}
provincial::User CoreProvince::Querier(const std::string& unit, int which) {
  return Load(unit + ".querier" + std::to_string(which));
}

}  // namespace ntmis::testing
