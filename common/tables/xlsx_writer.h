// Writes Excel workbooks (.xlsx) with libxlsxwriter. That library writes
// only to a file, so a workbook is built in a private temporary directory
// (mode 700) and handed back as bytes; the directory is removed either way.
//
// Thread-compatible: one writer per workbook; many may work at once.
#ifndef NTMIS_COMMON_TABLES_XLSX_WRITER_H_
#define NTMIS_COMMON_TABLES_XLSX_WRITER_H_

#include <xlsxwriter.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ntmis {

class XlsxWriter {
 public:
  // Excel's last row (1,048,576) less the header.
  static constexpr uint32_t kMaxDataRows = 1048575;

  // `constant_memory`: rows are written out as they come (they must come in
  // order), for long tables.
  static absl::StatusOr<std::unique_ptr<XlsxWriter>> Create(
      bool constant_memory);
  ~XlsxWriter();
  XlsxWriter(const XlsxWriter&) = delete;
  XlsxWriter& operator=(const XlsxWriter&) = delete;

  lxw_workbook* workbook() { return workbook_; }
  // Shared formats: a header cell (bold, shaded, bordered, wrapped), a text
  // cell ("@": what is typed stays text, so leading zeros survive), a
  // wrapped text cell for explanations.
  lxw_format* header() const { return header_; }
  lxw_format* text() const { return text_; }
  lxw_format* wrapped() const { return wrapped_; }

  // Closes the workbook and returns its bytes.
  absl::StatusOr<std::string> Finish();

 private:
  XlsxWriter() = default;

  std::string directory_;
  std::string path_;
  lxw_workbook* workbook_ = nullptr;
  lxw_format* header_ = nullptr;
  lxw_format* text_ = nullptr;
  lxw_format* wrapped_ = nullptr;
};

// A table as a one-sheet workbook: the first row is the header (frozen, with
// a filter), every cell is text so numbers such as teacher numbers keep their
// leading zeros. Rows past Excel's limit are refused.
class TableWorkbook {
 public:
  static absl::StatusOr<std::unique_ptr<TableWorkbook>> Create(
      const std::string& sheet_name);
  absl::Status AddRow(const std::vector<std::string>& cells);
  absl::StatusOr<std::string> Finish();

 private:
  std::unique_ptr<XlsxWriter> writer_;
  lxw_worksheet* sheet_ = nullptr;
  uint32_t rows_ = 0;
  std::vector<size_t> widths_;  // characters, for the column widths
};

}  // namespace ntmis

#endif  // NTMIS_COMMON_TABLES_XLSX_WRITER_H_
