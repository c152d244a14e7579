// The driver every CSV import shares: encoding detection (UTF-8 with or
// without BOM, GB18030), header checks, per-row problems (row, column, value,
// rule), and commits in batches so that a killed process leaves the database
// as it was before or after a committed batch, never half a row.
#ifndef NTMIS_PROVINCIAL_CSV_IMPORT_H_
#define NTMIS_PROVINCIAL_CSV_IMPORT_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/csv.h"
#include "common/text_encoding.h"
#include "ntmis/v1/provincial.pb.h"
#include "provincial/store.h"

namespace ntmis::provincial {

// Column name -> field index in a row, from the header.
using ColumnIndex = absl::flat_hash_map<std::string, size_t>;

// Problems found in one row.
class RowProblems {
 public:
  explicit RowProblems(uint64_t row) : row_(row) {}
  void Add(std::string column, std::string value, std::string rule);
  bool empty() const { return problems_.empty(); }
  uint64_t row() const { return row_; }
  std::vector<v1::ImportProblem>& problems() { return problems_; }

 private:
  uint64_t row_;
  std::vector<v1::ImportProblem> problems_;
};

// What one kind of import does with rows. Stage() validates a row and keeps
// it; Flush() writes the kept rows inside the driver's transaction.
class RowHandler {
 public:
  virtual ~RowHandler() = default;
  virtual const std::vector<std::string>& columns() const = 0;
  // Validates `fields` (UTF-8, one per column, indexed by `index`); returns
  // true and keeps the row if valid, else adds to `problems`.
  virtual bool Stage(const std::vector<std::string>& fields, const ColumnIndex& index,
                     RowProblems& problems) = 0;
  // Writes every kept row; the driver commits or rolls back around it.
  virtual absl::Status Flush(Store& store) = 0;
  // Forgets kept rows (dry run).
  virtual void Discard() = 0;
};

struct ImportOptions {
  bool dry_run = false;
  size_t batch_rows = 20000;
  size_t max_reported_problems = 10000;
};

// Not thread-safe; one per import.
class CsvImport {
 public:
  CsvImport(Store& store, RowHandler& handler, ImportOptions options);

  // The next bytes of the file. A fatal problem (bad header, undecodable
  // bytes) is reported in the final report; a database error is returned.
  absl::Status Feed(absl::string_view data);
  // End of file: processes the rest and returns the report.
  absl::StatusOr<v1::ImportReport> Finish();

 private:
  absl::Status Decode(absl::string_view data, bool last);
  absl::Status Drain();
  absl::Status ProcessRecord(const CsvRecord& record);
  absl::Status FlushBatch();
  // Rows are staged and flushed inside one transaction per batch, so the
  // handlers' look-ups do not take and release locks row by row: a write
  // transaction for a real import, a read transaction for a dry run.
  absl::Status BeginBatch();
  void Report(v1::ImportProblem problem);

  Store& store_;
  RowHandler& handler_;
  ImportOptions options_;
  std::unique_ptr<Utf8Decoder> decoder_;
  std::string undetected_;  // bytes held until the encoding is known
  CsvReader reader_;
  ColumnIndex index_;
  bool header_seen_ = false;
  bool fatal_ = false;
  size_t staged_ = 0;
  std::optional<sql::Transaction> batch_txn_;
  v1::ImportReport report_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CSV_IMPORT_H_
