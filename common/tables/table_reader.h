// The one reader of every imported table file (units, teachers, every
// information category, the national school registry, and any template
// added later): it turns the bytes people send into rows of checked text, so
// a template declares its columns and checks only its own rules.
//
// What it does, in order (docs/architecture.md, "Imports"):
//  - reads an Excel workbook (.xlsx) through XlsxReader: its first visible
//    worksheet's cells become the fields, rows numbered as the sheet numbers
//    them, and every check below applies to them as to a CSV file's;
//  - refuses what is neither a workbook nor a CSV text file, saying what it
//    is and what to do (UTF-16 "Unicode text", an old .xls, binary data);
//  - detects the encoding (UTF-8 with or without BOM, or GB18030) from the
//    start and decodes each row on its own, so a row in another encoding or
//    with broken bytes is a problem of that row, never of its neighbours;
//  - splits rows and fields (RFC 4180 quoting, strictly: a stray quote is a
//    problem); rows are numbered by the line they start on, as an editor or
//    spreadsheet shows them, blank lines included;
//  - reads the header by column name or by its Chinese label, in any order,
//    and says so when the file is separated by ';' or TAB, not ',';
//  - folds full-width ASCII (０-９, Ａ-Ｚ, ａ-ｚ, ，, …) and ideographic spaces
//    as spreadsheets produce them, trims spaces around a value;
//  - refuses in any field: NUL and other control characters, bidirectional
//    overrides (U+202A-U+202E, U+2066-U+2069), and, unless the column is
//    multi-line, line breaks and TABs; values longer than the column's limit
//    in characters;
//  - checks that every row has as many fields as the header.
// Every problem names its row, column (identifier and label), value (cut to
// kReportedValueChars characters) and rule, in Chinese.
//
// Not thread-safe: one reader per file.
#ifndef NTMIS_COMMON_TABLES_TABLE_READER_H_
#define NTMIS_COMMON_TABLES_TABLE_READER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/tables/csv.h"
#include "common/tables/text_encoding.h"
#include "ntmis/v1/provincial.pb.h"

namespace ntmis {

class XlsxReader;

// One column of a template.
struct TableColumn {
  std::string
      name;  // identifier, as the template's header has it: "id_card_number"
  std::string label;     // what people call it: "身份证件号码"
  bool required = true;  // must be in the header (its value may still be blank)
  size_t max_chars = 200;  // longer values are refused
  bool multiline = false;  // may hold line breaks and TABs
};

// Text the reader would take in a single-line column: valid UTF-8 without
// control characters (C0, DEL, C1, line breaks, TAB) or bidirectional
// controls. For values that reach a store without passing the reader.
bool IsSingleLineText(absl::string_view text);

// Values in reports are cut to this many characters.
inline constexpr size_t kReportedValueChars = 60;
// `value` cut for a report: at most kReportedValueChars characters, then
// "…（共 N 字）".
std::string ReportedValue(absl::string_view value);

// The problems of one row, each naming row, column, value and rule (as
// given: LabelProblem adds the label and cuts the value once, for the report).
// Thread-compatible.
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

// Fills `problem`'s column label from `columns` and cuts its value.
void LabelProblem(const std::vector<TableColumn>& columns,
                  v1::ImportProblem* problem);

// One data row, its fields in the template's column order ("" for an
// optional column the header left out).
struct TableRow {
  uint64_t row = 0;  // the line it starts on; the header is usually line 1
  std::vector<std::string> fields;
};

class TableReader {
 public:
  explicit TableReader(std::vector<TableColumn> columns);
  ~TableReader();
  TableReader(const TableReader&) = delete;
  TableReader& operator=(const TableReader&) = delete;

  // The next bytes of the file.
  void Feed(absl::string_view bytes);
  // No more bytes will come.
  void Finish();

  enum class Result {
    kRow,       // *row is a data row whose fields passed the reader's checks
    kProblems,  // the row at problems->row() has problems; it is refused
    kNeedMore,  // feed more bytes
    kEnd,       // the file is read
    kRefused,   // the file as a whole cannot be read (problems hold why); stop
  };
  // The next row. On kProblems and kRefused, `problems` holds them; the
  // caller reports each through LabelProblem, like its own template's.
  // Rows after a kRefused are never read.
  Result Next(TableRow* row, RowProblems* problems);

  // Known once the first bytes are in ("UTF-8", "GB18030" or "xlsx");
  // empty until then.
  const char* encoding() const;
  const std::vector<TableColumn>& columns() const { return columns_; }
  // Data rows seen (every row after the header, refused or not).
  uint64_t rows_read() const { return rows_read_; }

 private:
  bool Sniff(bool complete, RowProblems* problems);
  bool ReadHeader(const CsvRecord& record, RowProblems* problems);
  // Decodes, folds and checks one field; false with a problem added.
  bool CheckField(absl::string_view raw, size_t template_column,
                  std::string* out, RowProblems* problems);
  bool Decode(absl::string_view raw, std::string* out, std::string* why);
  // The next row of a workbook as a record; a damaged sheet refuses the file.
  CsvReader::Result NextSheetRow(CsvRecord* record, RowProblems* problems);

  std::vector<TableColumn> columns_;
  std::string undetected_;  // bytes held until the encoding is known
  std::optional<Encoding> encoding_;
  void* iconv_ = nullptr;  // GB18030 -> UTF-8 (iconv_t), opened on demand
  CsvReader csv_;
  std::unique_ptr<XlsxReader> workbook_;  // set when the file is a workbook
  bool finished_ = false;
  bool refused_ = false;
  bool header_seen_ = false;
  std::vector<size_t>
      position_;  // header position of each template column, or SIZE_MAX
  size_t header_fields_ = 0;
  uint64_t rows_read_ = 0;
};

}  // namespace ntmis

#endif  // NTMIS_COMMON_TABLES_TABLE_READER_H_
