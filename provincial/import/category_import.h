// Import of a category template (teacher_number, entry_no, then the
// category's fields; `ntmis-provincial template CATEGORY`): each row adds an
// entry, or replaces entry `entry_no` (single categories: the one entry).
// The importing account writes only teachers of its own subtree; rows about
// others, unknown teachers, or teachers no longer active are reported.
// Entries are written directly as a bulk load, each version kept.
#ifndef NTMIS_PROVINCIAL_IMPORT_CATEGORY_IMPORT_H_
#define NTMIS_PROVINCIAL_IMPORT_CATEGORY_IMPORT_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "provincial/core/accounts.h"
#include "provincial/core/categories.h"
#include "provincial/core/entries.h"
#include "provincial/import/csv_import.h"

namespace ntmis::provincial {

// Thread-compatible: one import (one thread) at a time.
class CategoryRowHandler final : public RowHandler {
 public:
  static absl::StatusOr<std::unique_ptr<CategoryRowHandler>> Create(
      Store& store, const User& user, const std::string& category);

  const std::vector<TableColumn>& columns() const override { return columns_; }
  bool Prepare(const std::vector<std::string>& fields, const ColumnIndex& index,
               RowProblems& problems) override;
  std::unique_ptr<PreparedRows> TakePrepared() override;
  absl::StatusOr<uint64_t> Write(
      Store& store, PreparedRows& rows,
      std::vector<v1::ImportProblem>* problems) override;

 private:
  struct Row {
    uint64_t row;
    std::string teacher_number;
    int64_t entry_no;
    v1::EntryValues values;
  };
  struct Rows;
  CategoryRowHandler() = default;

  std::string actor_;
  Catalog catalog_;
  const v1::CategoryDef* category_ = nullptr;
  std::vector<TableColumn> columns_;
  bool whole_province_ = false;
  absl::flat_hash_set<std::string>
      schools_;  // the actor's, unless whole_province_
  std::vector<Row> prepared_;
  std::optional<EntryWriter> writer_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_IMPORT_CATEGORY_IMPORT_H_
