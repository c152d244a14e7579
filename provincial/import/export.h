// Export of a unit's teachers as CSV: the core record (the teacher template's
// columns without the ID-card number, which is never exported in bulk, plus
// teacher number, state, city and county), or one category's entries. Two
// forms (ExportRequest.codes):
//   for people (the default): a byte-order mark (Excel on Chinese Windows),
//     Chinese headers, labels for codes and states, school, county and city
//     by name, each entry with its teacher's name;
//   codes: column identifiers and codes, the import template's columns, so
//     that an edited export imports again.
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

// What an export is, as a file name without extension: the unit's name, the
// list (教师名单, or the category's label), the state when one was asked for,
// 代码版 for the form with codes, and today's date:
// "山永区第1学校_教师名单_2026-12-07". The same refusals as ExportCsv.
absl::StatusOr<std::string> ExportTitle(Store& store, const User& user,
                                        const v1::ExportRequest& request);

// The collection progress (Progress) as a table people read: a header, the
// unit's total, then each unit below, with the share made effective; and
// its title ("山永区_填报进度_2026-12-07"). The console's download writes it
// as CSV (with a byte-order mark) or .xlsx.
std::vector<std::vector<std::string>> ProgressTable(
    const v1::ProgressReport& report);
std::string ProgressTitle(const v1::ProgressReport& report);

// A table as a CSV file for Excel: the byte-order mark, then the lines.
std::string CsvForExcel(const std::vector<std::vector<std::string>>& rows);

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
  bool fed_ = false;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_IMPORT_EXPORT_H_
