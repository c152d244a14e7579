#include "common/tables/xlsx_writer.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/tables/text_encoding.h"

namespace ntmis {

absl::StatusOr<std::unique_ptr<XlsxWriter>> XlsxWriter::Create(
    bool constant_memory) {
  std::unique_ptr<XlsxWriter> writer(new XlsxWriter());
  const char* tmp = getenv("TMPDIR");
  std::string pattern = absl::StrCat(
      tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/ntmis-xlsx-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr)
    return absl::InternalError(
        absl::StrCat("cannot make a directory for a workbook (", pattern,
                     "): ", strerror(errno)));
  writer->directory_ = pattern;
  writer->path_ = pattern + "/book.xlsx";
  lxw_workbook_options options = {};
  options.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE;
  options.tmpdir = writer->directory_.data();
  writer->workbook_ = workbook_new_opt(writer->path_.c_str(), &options);
  if (writer->workbook_ == nullptr)
    return absl::InternalError("cannot start a workbook");

  writer->header_ = workbook_add_format(writer->workbook_);
  format_set_bold(writer->header_);
  format_set_bg_color(writer->header_, 0xDDE7F3);
  format_set_border(writer->header_, LXW_BORDER_THIN);
  format_set_text_wrap(writer->header_);
  format_set_align(writer->header_, LXW_ALIGN_VERTICAL_CENTER);
  writer->text_ = workbook_add_format(writer->workbook_);
  format_set_num_format(writer->text_, "@");
  writer->wrapped_ = workbook_add_format(writer->workbook_);
  format_set_text_wrap(writer->wrapped_);
  format_set_align(writer->wrapped_, LXW_ALIGN_VERTICAL_TOP);
  return writer;
}

XlsxWriter::~XlsxWriter() {
  if (workbook_ != nullptr) workbook_close(workbook_);  // frees it
  std::error_code ignored;
  if (!directory_.empty()) std::filesystem::remove_all(directory_, ignored);
}

absl::StatusOr<std::string> XlsxWriter::Finish() {
  const lxw_error closed = workbook_close(workbook_);
  workbook_ = nullptr;
  if (closed != LXW_NO_ERROR)
    return absl::InternalError(
        absl::StrCat("cannot write the workbook: ", lxw_strerror(closed)));
  std::ifstream in(path_, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in) return absl::InternalError("cannot read back the workbook");
  return bytes.str();
}

absl::StatusOr<std::unique_ptr<TableWorkbook>> TableWorkbook::Create(
    const std::string& sheet_name) {
  auto table = std::make_unique<TableWorkbook>();
  absl::StatusOr<std::unique_ptr<XlsxWriter>> writer = XlsxWriter::Create(true);
  if (!writer.ok()) return writer.status();
  table->writer_ = *std::move(writer);
  table->sheet_ =
      workbook_add_worksheet(table->writer_->workbook(), sheet_name.c_str());
  if (table->sheet_ == nullptr)
    return absl::InternalError("cannot add a worksheet");
  return table;
}

absl::Status TableWorkbook::AddRow(const std::vector<std::string>& cells) {
  if (rows_ > XlsxWriter::kMaxDataRows)
    return absl::ResourceExhaustedError(
        absl::StrCat("超过 Excel 一个工作表的上限（", XlsxWriter::kMaxDataRows,
                     " 行数据）：请按单位分开导出，或导出为 CSV"));
  if (rows_ == 0) {
    // The header: its widths set the columns' (set before any row in
    // constant-memory mode).
    widths_.assign(cells.size(), 0);
    for (size_t c = 0; c < cells.size(); ++c) {
      const double width =
          std::clamp<double>(Utf8Length(cells[c]) * 2.2 + 2, 10, 40);
      worksheet_set_column(sheet_, c, c, width, writer_->text());
    }
    worksheet_freeze_panes(sheet_, 1, 0);
    if (!cells.empty()) worksheet_autofilter(sheet_, 0, 0, 0, cells.size() - 1);
  }
  lxw_format* format = rows_ == 0 ? writer_->header() : writer_->text();
  for (size_t c = 0; c < cells.size(); ++c) {
    if (cells[c].empty()) continue;
    const lxw_error e =
        worksheet_write_string(sheet_, rows_, c, cells[c].c_str(), format);
    if (e != LXW_NO_ERROR)
      return absl::InternalError(
          absl::StrCat("cannot write a cell: ", lxw_strerror(e)));
  }
  ++rows_;
  return absl::OkStatus();
}

absl::StatusOr<std::string> TableWorkbook::Finish() {
  return writer_->Finish();
}

}  // namespace ntmis
