// Export of a unit's teachers as CSV: the core record (the teacher template's
// columns without the ID-card number, which is never exported in bulk, plus
// teacher number, state, city and county), or one category's entries as its
// import template, so that an edited export imports again.
#ifndef NTMIS_PROVINCIAL_IMPORT_EXPORT_H_
#define NTMIS_PROVINCIAL_IMPORT_EXPORT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/tables/csv.h"
#include "common/tables/xlsx_writer.h"
#include "ntmis/v1/provincial.pb.h"
#include "provincial/core/accounts.h"
#include "provincial/core/store.h"

namespace ntmis::provincial {

// Streams the CSV to `sink` in pieces of about 256 KiB, school by school;
// `rows` counts the data rows. The unit must be within the user's scope;
// teacher accounts export nothing.
absl::Status ExportCsv(
    Store& store, const User& user, const v1::ExportRequest& request,
    const std::function<absl::Status(const std::string&)>& sink,
    uint64_t* rows);

// The export's CSV, fed as it streams, as an Excel workbook whose header
// shows each column's label (the importers read labels back like column
// identifiers). For the clients of ExportCsv that want .xlsx: the CLI and
// the console's download.
class ExportWorkbook {
 public:
  // `category` as in the ExportRequest ("" for the teachers' core records);
  // `catalog` the province's, for its labels.
  static absl::StatusOr<std::unique_ptr<ExportWorkbook>> Create(
      const v1::CategoryCatalog& catalog, const std::string& category);
  absl::Status Feed(absl::string_view csv);
  absl::StatusOr<std::string> Finish();

 private:
  absl::Status Drain();

  std::vector<std::pair<std::string, std::string>>
      labels_;  // identifier -> label
  CsvReader csv_;
  std::unique_ptr<TableWorkbook> table_;
  bool header_done_ = false;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_IMPORT_EXPORT_H_
