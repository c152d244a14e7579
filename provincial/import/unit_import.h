// The unit-template CSV import: one row per city, county or school, checked
// by the unit rules of the core (provincial/core/units.h).
#ifndef NTMIS_PROVINCIAL_IMPORT_UNIT_IMPORT_H_
#define NTMIS_PROVINCIAL_IMPORT_UNIT_IMPORT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "provincial/core/store.h"
#include "provincial/core/units.h"
#include "provincial/core/user.h"
#include "provincial/import/csv_import.h"

namespace ntmis::provincial {

// Import of the unit template (UnitTemplateColumns()). Rows may come in any
// order as long as each parent is already stored or appears earlier in the
// file. Thread-compatible: one import (one thread) at a time.
class UnitRowHandler final : public RowHandler {
 public:
  // An import by `actor`, one of the province-level staff
  // (CheckProvinceStaff); PERMISSION_DENIED otherwise.
  static absl::StatusOr<std::unique_ptr<UnitRowHandler>> Create(
      Store& store, const User& actor);

  const std::vector<TableColumn>& columns() const override;
  bool Prepare(const std::vector<std::string>& fields, const ColumnIndex& index,
               RowProblems& problems) override;
  std::unique_ptr<PreparedRows> TakePrepared() override;
  absl::StatusOr<uint64_t> Write(
      Store& store, PreparedRows& rows,
      std::vector<v1::ImportProblem>* problems) override;

 private:
  UnitRowHandler() = default;
  std::string province_;
  absl::flat_hash_map<std::string, UnitLevel> known_;  // stored and prepared
  absl::flat_hash_set<std::string> closed_;            // stored, closed
  absl::flat_hash_map<std::string, uint64_t>
      row_of_code_;  // file row of each prepared unit
  std::vector<Unit> prepared_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_IMPORT_UNIT_IMPORT_H_
