// Store-level import helpers for tests that need no network.
#ifndef NTMIS_TESTS_SUPPORT_IMPORT_SUPPORT_H_
#define NTMIS_TESTS_SUPPORT_IMPORT_SUPPORT_H_

#include <string>

#include "common/crypto/crypto.h"
#include "provincial/core/units.h"
#include "provincial/import/csv_import.h"
#include "provincial/import/teacher_import.h"
#include "provincial/import/unit_import.h"
#include "provincial/tools/generator.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {

inline provincial::IdKeys TestKeys() {
  return {std::string(32, 'h'), std::string(32, 's')};
}

// The province's own system administrator, who runs the unit and teacher
// imports (CheckProvinceStaff).
inline provincial::User ProvinceAdmin(provincial::Store& store) {
  provincial::User admin;
  admin.username = "admin";
  admin.unit_code = ValueOrDie(store.Province());
  admin.role = provincial::Role::kSysAdmin;
  return admin;
}

// A province database with the generator's unit tree for (province, count,
// seed), sealing personal details at rest with TestKeys() as a node does.
inline provincial::Store ProvinceWithUnits(const std::string& path,
                                           int province, uint64_t count,
                                           uint64_t seed) {
  provincial::Store store = ValueOrDie(provincial::Store::Open(path, true));
  store.set_seal_key(TestKeys().seal_key);  // as the node's lanes have it
  std::string code = std::to_string(province);
  if (!store.SetProvince(code).ok() ||
      !provincial::EnsureProvinceUnit(store, code).ok())
    throw std::runtime_error("province setup failed");
  provincial::SyntheticProvince gen(province, count, seed);
  auto handler = ValueOrDie(
      provincial::UnitRowHandler::Create(store, ProvinceAdmin(store)));
  provincial::CsvImport import(store, *handler, {});
  if (!import.Feed(gen.UnitsCsv()).ok())
    throw std::runtime_error("units feed failed");
  auto report = ValueOrDie(import.Finish());
  if (report.problems_total() != 0)
    throw std::runtime_error(report.problems(0).rule());
  return store;
}

inline v1::ImportReport ImportTeachers(provincial::Store& store,
                                       const std::string& csv, bool dry_run,
                                       size_t chunk = 1 << 16,
                                       size_t batch_rows = 0) {
  auto handler = ValueOrDie(provincial::TeacherRowHandler::Create(
      store, ProvinceAdmin(store), TestKeys(), nullptr));
  provincial::ImportOptions options;
  options.dry_run = dry_run;
  if (batch_rows > 0) options.batch_rows = batch_rows;  // else the default
  provincial::CsvImport import(store, *handler, options);
  for (size_t i = 0; i < csv.size(); i += chunk) {
    absl::Status s = import.Feed(absl::string_view(csv).substr(i, chunk));
    if (!s.ok()) throw std::runtime_error(s.ToString());
  }
  return ValueOrDie(import.Finish());
}

inline std::string SyntheticTeachers(int province, uint64_t count,
                                     uint64_t seed) {
  provincial::SyntheticProvince gen(province, count, seed);
  std::string csv;
  gen.WriteTeachersCsv([&csv](const std::string& chunk) { csv += chunk; });
  return csv;
}

}  // namespace ntmis::testing

#endif  // NTMIS_TESTS_SUPPORT_IMPORT_SUPPORT_H_
