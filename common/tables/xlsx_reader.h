// Reads the cells of an Excel workbook (.xlsx, Office Open XML), row by row,
// as text: what TableReader needs to take a workbook like a CSV file
// (docs/architecture.md, "Imports").
//
// It reads the first visible worksheet in the workbook's order (the import
// templates put the data sheet first and hide their code list). Each cell
// becomes the text a person sees in it:
//  - shared and inline strings as written (phonetic guides left out);
//  - numbers in a date format (Excel keeps dates as day numbers) as
//    YYYY-MM-DD, with " HH:MM:SS" when the time is not midnight; the 1904
//    date system is honoured;
//  - other numbers in their shortest exact form ("12", "3.5"), never in
//    exponent form below 10^15;
//  - booleans as "1" / "0"; formula results as their cached value; error
//    values as Excel shows them ("#N/A"), so a rule refuses them.
// Rows with no cells are skipped; row numbers are the sheet's own.
//
// Limits: the workbook's parts are inflated with a cap (kMaxPartBytes), so a
// compressed "bomb" is refused, never expanded; expat refuses entity
// expansion attacks.
//
// Not thread-safe: one reader per file.
#ifndef NTMIS_COMMON_TABLES_XLSX_READER_H_
#define NTMIS_COMMON_TABLES_XLSX_READER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ntmis {

// One row of a worksheet: cells by column (A = 0), "" where there is none.
struct SheetRow {
  uint64_t row = 0;  // as the sheet numbers it, from 1
  std::vector<std::string> cells;
};

class XlsxReader {
 public:
  // Any inflated part larger than this is refused.
  static constexpr uint64_t kMaxPartBytes = 512ull << 20;
  // Columns beyond this are refused (a template has a few dozen).
  static constexpr size_t kMaxColumns = 1024;

  // Opens a workbook held in `bytes`. INVALID_ARGUMENT, in Chinese, when it
  // is not a workbook, is damaged, or has no worksheet.
  static absl::StatusOr<std::unique_ptr<XlsxReader>> Open(std::string bytes);
  ~XlsxReader();
  XlsxReader(const XlsxReader&) = delete;
  XlsxReader& operator=(const XlsxReader&) = delete;

  // The next row with at least one cell: true with *row, false at the end,
  // or an error (damaged sheet XML) that ends the reading.
  absl::StatusOr<bool> Next(SheetRow* row);

  const std::string& sheet_name() const { return sheet_name_; }

  struct State;  // what the XML callbacks build; defined in the .cc

 private:
  XlsxReader();
  absl::Status Pump();  // feeds the next piece of the sheet to the parser

  std::string bytes_;
  std::string sheet_name_;
  std::unique_ptr<State> state_;
};

}  // namespace ntmis

#endif  // NTMIS_COMMON_TABLES_XLSX_READER_H_
