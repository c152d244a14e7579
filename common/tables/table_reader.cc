#include "common/tables/table_reader.h"

#include <iconv.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/tables/text_encoding.h"
#include "common/tables/xlsx_reader.h"

namespace ntmis {
namespace {

constexpr size_t kDetectBytes = 64 << 10;
constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr char kSaveAsCsv[] =
    "请在 Excel 或 WPS 中“另存为”“CSV UTF-8（逗号分隔）(*.csv)”后再导入";

const iconv_t kNoIconv = reinterpret_cast<iconv_t>(-1);

// Full-width ASCII (as spreadsheets and Chinese input methods type it) as
// ASCII, the ideographic space as a space.
int32_t FoldWidth(int32_t cp) {
  if (cp >= 0xFF01 && cp <= 0xFF5E) return cp - 0xFEE0;
  return cp == 0x3000 ? ' ' : cp;
}

// `text` (valid UTF-8) with FoldWidth applied: a header cell is folded like
// every field, so a label is compared folded too ("学校（单位）名称").
std::string Folded(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();)
    AppendUtf8(FoldWidth(NextUtf8CodePoint(text, &i)), &out);
  return out;
}

bool IsBidiControl(int32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
         cp == 0x061C || cp == 0x200E || cp == 0x200F;
}

// The rule for CsvReader's quoting errors, in the clerk's words.
std::string QuotingRule(const std::string& error) {
  if (error == "unterminated quoted field")
    return "引号没有闭合：以引号开始的值要以引号结束";
  if (error == "characters after a closing quote")
    return "闭合引号之后还有字符（如 "
           "\"某\"学校）：值中含有引号时，整个值要加引号，"
           "其中的引号写两遍（\"\"\"某\"\"学校\"）";
  if (error == "quote inside an unquoted field")
    return "未加引号的值中含有引号：值中含有引号时，整个值要加引号，其中的引号"
           "写两遍";
  return absl::StrCat("引号或分隔符有误：", error);
}

std::string ColumnList(const std::vector<TableColumn>& columns) {
  std::vector<std::string> names;
  for (const TableColumn& c : columns)
    names.push_back(
        c.label.empty() ? c.name : absl::StrCat(c.name, "（", c.label, "）"));
  return absl::StrJoin(names, "，");
}

bool IsControl(int32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

}  // namespace

bool IsSingleLineText(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const int32_t cp = NextUtf8CodePoint(text, &i);
    if (cp < 0 || IsControl(cp) || IsBidiControl(cp)) return false;
  }
  return true;
}

std::string ReportedValue(absl::string_view value) {
  std::string out;
  size_t chars = 0, i = 0;
  bool cut = false;
  while (i < value.size()) {
    const size_t at = i;
    const int32_t cp = NextUtf8CodePoint(value, &i);
    ++chars;
    if (chars > kReportedValueChars) {
      cut = true;
      continue;  // keep counting
    }
    if (cp < 0) {
      absl::StrAppendFormat(&out, "\\x%02X",
                            static_cast<unsigned char>(value[at]));
    } else if (cp < 0x20 || cp == 0x7F || IsBidiControl(cp)) {
      absl::StrAppendFormat(&out, "<U+%04X>", cp);  // shown, not obeyed
    } else {
      AppendUtf8(cp, &out);
    }
  }
  if (cut) absl::StrAppend(&out, "…（共 ", chars, " 字）");
  return out;
}

void RowProblems::Add(std::string column, std::string value, std::string rule) {
  v1::ImportProblem p;
  p.set_row(row_);
  p.set_column(std::move(column));
  p.set_value(std::move(value));
  p.set_rule(std::move(rule));
  problems_.push_back(std::move(p));
}

void LabelProblem(const std::vector<TableColumn>& columns,
                  v1::ImportProblem* problem) {
  if (problem->column_label().empty()) {
    for (const TableColumn& c : columns) {
      if (c.name == problem->column()) {
        problem->set_column_label(c.label);
        break;
      }
    }
  }
  problem->set_value(ReportedValue(problem->value()));
  // An unknown header cell names its own column: cut like any value.
  problem->set_column(ReportedValue(problem->column()));
  if (!IsValidUtf8(problem->rule()))
    problem->set_rule(ReportedValue(problem->rule()));
}

TableReader::TableReader(std::vector<TableColumn> columns)
    : columns_(std::move(columns)) {}

TableReader::~TableReader() {
  if (iconv_ != nullptr) iconv_close(static_cast<iconv_t>(iconv_));
}

const char* TableReader::encoding() const {
  if (workbook_ != nullptr) return "xlsx";
  return encoding_ ? EncodingName(*encoding_) : "";
}

void TableReader::Feed(absl::string_view bytes) {
  if (encoding_) {
    csv_.Feed(bytes);
  } else {
    undetected_.append(bytes.data(), bytes.size());
  }
}

void TableReader::Finish() {
  finished_ = true;
  if (encoding_) csv_.Finish();
}

bool TableReader::Sniff(bool complete, RowProblems* problems) {
  absl::string_view sample = undetected_;
  std::string refusal;
  if (absl::StartsWith(sample, "\xFF\xFE") ||
      absl::StartsWith(sample, "\xFE\xFF")) {
    refusal = absl::StrCat(
        "文件是 UTF-16 编码的文本（Excel 的“Unicode 文本”），不是 CSV：",
        kSaveAsCsv);
  } else if (absl::StartsWith(sample, "PK\x03\x04")) {
    // A workbook: read once whole (its directory is at the end).
    absl::StatusOr<std::unique_ptr<XlsxReader>> workbook =
        XlsxReader::Open(std::move(undetected_));
    undetected_.clear();
    if (!workbook.ok()) {
      refusal = std::string(workbook.status().message());
    } else {
      workbook_ = *std::move(workbook);
      encoding_ = Encoding::kUtf8;  // XML text is UTF-8 once parsed
      return true;
    }
  } else if (absl::StartsWith(sample, "\xD0\xCF\x11\xE0")) {
    refusal =
        absl::StrCat("文件是旧版 Excel 工作簿（.xls），不是 CSV：", kSaveAsCsv);
  } else {
    // Text with a stray NUL is read (that row is refused); a file of many
    // NULs is UTF-16 without a byte-order mark, or not text at all.
    const absl::string_view head = sample.substr(0, 4096);
    const size_t nuls = std::count(head.begin(), head.end(), '\0');
    if (!head.empty() && nuls * 8 >= head.size()) {
      size_t odd = 0;
      for (size_t i = 1; i < head.size(); i += 2) odd += head[i] == '\0';
      size_t even = nuls - odd;
      refusal =
          std::max(odd, even) * 10 >= nuls * 9
              ? absl::StrCat(
                    "文件像是没有字节顺序标记的 UTF-16 文本（字符之间夹着 NUL "
                    "字节），不是 CSV：",
                    kSaveAsCsv)
              : "文件含有大量 NUL 字节，是二进制数据而不是文本：请导出为 "
                "CSV（UTF-8 "
                "或 GB18030 编码）";
    }
  }
  if (!refusal.empty()) {
    problems->Add("", "", std::move(refusal));
    refused_ = true;
    undetected_.clear();
    return false;
  }
  encoding_ = DetectEncoding(sample, complete);
  absl::string_view rest = undetected_;
  absl::ConsumePrefix(&rest, kUtf8Bom);
  csv_.Feed(rest);
  if (finished_) csv_.Finish();
  undetected_.clear();
  return true;
}

bool TableReader::Decode(absl::string_view raw, std::string* out,
                         std::string* why) {
  if (IsAscii(raw)) {
    out->assign(raw.data(), raw.size());
    return true;
  }
  if (*encoding_ == Encoding::kUtf8) {
    if (IsValidUtf8(raw)) {
      out->assign(raw.data(), raw.size());
      return true;
    }
  } else {
    if (iconv_ == nullptr) iconv_ = iconv_open("UTF-8", "GB18030");
    if (static_cast<iconv_t>(iconv_) != kNoIconv) {
      iconv(static_cast<iconv_t>(iconv_), nullptr, nullptr, nullptr,
            nullptr);  // reset
      out->assign(raw.size() * 2 + 8, '\0');
      char* in = const_cast<char*>(raw.data());
      size_t in_left = raw.size();
      char* o = out->data();
      size_t out_left = out->size();
      const size_t rc =
          iconv(static_cast<iconv_t>(iconv_), &in, &in_left, &o, &out_left);
      if (rc != static_cast<size_t>(-1) && in_left == 0) {
        out->resize(o - out->data());
        return true;
      }
    }
  }
  // Say which encoding the bytes are in, when they are valid in the other.
  if (*encoding_ == Encoding::kUtf8) {
    *why =
        "不是有效的 UTF-8 文本（像是 GB18030 编码，而文件其余部分是 "
        "UTF-8）：请整个文件使用同一种编码";
  } else if (IsValidUtf8(raw)) {
    *why = "是 UTF-8 编码，而文件其余部分是 GB18030：请整个文件使用同一种编码";
  } else {
    *why =
        "含有既不是 GB18030 也不是 UTF-8 "
        "的字节：文件可能已损坏，或混入了其他编码的内容";
  }
  return false;
}

bool TableReader::CheckField(absl::string_view raw, size_t template_column,
                             std::string* out, RowProblems* problems) {
  const TableColumn* column =
      template_column < columns_.size() ? &columns_[template_column] : nullptr;
  // Most cells are codes, dates and numbers: printable ASCII with nothing
  // to trim, fold or refuse, taken as they are (the rest of this function
  // would leave them unchanged, at a quarter of a bulk import's parsing).
  if (!raw.empty() && raw.front() != ' ' && raw.front() != '\'' &&
      raw.back() != ' ' &&
      (column == nullptr || raw.size() <= column->max_chars) &&
      std::all_of(raw.begin(), raw.end(),
                  [](char c) { return c >= 0x20 && c < 0x7F; })) {
    out->assign(raw.data(), raw.size());
    return true;
  }
  static const std::string kNoName;
  const std::string& name = column ? column->name : kNoName;
  std::string text, why;
  if (!Decode(raw, &text, &why)) {
    problems->Add(name, std::string(raw), absl::StrCat("值", why));
    return false;
  }
  // What clerks put in front of a long number so that Excel keeps it as
  // text (1.10229E+17 otherwise): a TAB, spaces, or an apostrophe. Not part
  // of the value.
  {
    absl::string_view bare = absl::StripAsciiWhitespace(text);
    if (bare.size() > 1 && bare[0] == '\'' && absl::ascii_isdigit(bare[1]))
      bare.remove_prefix(1);
    if (bare.size() != text.size()) text = std::string(bare);
  }
  out->clear();
  out->reserve(text.size());
  bool ok = true;
  int32_t refused = -1;
  size_t i = 0, chars = 0;
  while (i < text.size()) {
    int32_t cp = NextUtf8CodePoint(text, &i);
    cp = FoldWidth(cp);
    const bool line_break = cp == '\n' || cp == '\r' || cp == '\t';
    const bool control = IsControl(cp) && !line_break;
    if (control || IsBidiControl(cp) ||
        (line_break && !(column && column->multiline))) {
      if (refused < 0) refused = cp;
    }
    AppendUtf8(cp, out);
    ++chars;
  }
  if (refused >= 0) {
    ok = false;
    std::string rule;
    if (refused == 0) {
      rule = "含有 NUL 字符（U+0000）：文件可能已损坏，或从其他系统导出时出错";
    } else if (refused == '\n' || refused == '\r' || refused == '\t') {
      rule = "含有换行符或制表符：本列只能是一行文字";
    } else if (IsBidiControl(refused)) {
      rule = absl::StrFormat(
          "含有双向文字控制字符 "
          "U+%04X（会使显示出来的文字与实际内容不同）：请删除",
          refused);
    } else {
      rule = absl::StrFormat("含有控制字符 U+%04X：请删除", refused);
    }
    problems->Add(name, text, std::move(rule));
  }
  // Spaces around a value are not part of it.
  absl::string_view trimmed = absl::StripAsciiWhitespace(*out);
  if (trimmed.size() != out->size()) {
    chars -= out->size() - trimmed.size();
    *out = std::string(trimmed);
  }
  if (column != nullptr && chars > column->max_chars) {
    ok = false;
    problems->Add(name, *out,
                  absl::StrCat("长度 ", chars, " 字，超过本列上限 ",
                               column->max_chars, " 字"));
  }
  return ok;
}

bool TableReader::ReadHeader(const CsvRecord& record, RowProblems* problems) {
  header_seen_ = true;
  header_fields_ = record.fields.size();
  position_.assign(columns_.size(), SIZE_MAX);
  if (record.fields.size() == 1 && columns_.size() > 1) {
    const std::string& only = record.fields[0];
    const char* separator = only.find('\t') != std::string::npos
                                ? "制表符（TAB）"
                            : only.find(';') != std::string::npos ? "分号（;）"
                                                                  : nullptr;
    if (separator != nullptr) {
      problems->Add("", "",
                    absl::StrCat("文件的各列用", separator,
                                 "分隔，而不是逗号：", kSaveAsCsv));
      return false;
    }
  }
  if (!record.error.empty())
    problems->Add("", "", absl::StrCat("表头", QuotingRule(record.error)));
  for (size_t i = 0; i < record.fields.size(); ++i) {
    std::string cell;
    if (!CheckField(record.fields[i], SIZE_MAX, &cell, problems)) continue;
    auto it = std::find_if(
        columns_.begin(), columns_.end(), [&](const TableColumn& c) {
          return absl::EqualsIgnoreCase(c.name, cell) ||
                 (!c.label.empty() && Folded(c.label) == cell);
        });
    if (it == columns_.end()) {
      problems->Add(cell, cell,
                    absl::StrCat("表头中有模板没有的列；模板的列是：",
                                 ColumnList(columns_)));
    } else if (size_t& pos = position_[it - columns_.begin()];
               pos != SIZE_MAX) {
      problems->Add(it->name, cell, "这一列在表头中出现了两次");
    } else {
      pos = i;
    }
  }
  for (size_t c = 0; c < columns_.size(); ++c) {
    if (position_[c] == SIZE_MAX && columns_[c].required)
      problems->Add(columns_[c].name, "", "表头缺少这一必需的列");
  }
  return problems->empty();
}

CsvReader::Result TableReader::NextSheetRow(CsvRecord* record,
                                            RowProblems* problems) {
  SheetRow row;
  absl::StatusOr<bool> got = workbook_->Next(&row);
  if (!got.ok()) {
    *problems = RowProblems(1);
    problems->Add("", "", std::string(got.status().message()));
    refused_ = true;
    return CsvReader::Result::kEnd;
  }
  if (!*got) return CsvReader::Result::kEnd;
  record->row = row.row;
  record->fields = std::move(row.cells);
  record->error.clear();
  // A sheet leaves out empty cells at the end of a row; the header's width
  // is what a row must fill.
  if (header_seen_ && record->fields.size() < header_fields_)
    record->fields.resize(header_fields_);
  return CsvReader::Result::kRecord;
}

TableReader::Result TableReader::Next(TableRow* row, RowProblems* problems) {
  while (true) {
    if (refused_) return Result::kEnd;
    if (!encoding_) {
      if (undetected_.size() < kDetectBytes && !finished_)
        return Result::kNeedMore;
      if (absl::StartsWith(undetected_, "PK\x03\x04") && !finished_)
        return Result::kNeedMore;
      *problems = RowProblems(1);
      if (!Sniff(finished_, problems)) {
        return Result::kRefused;
      }
    }
    CsvRecord record;
    const CsvReader::Result got = workbook_ != nullptr
                                      ? NextSheetRow(&record, problems)
                                      : csv_.Next(&record);
    if (refused_) return Result::kRefused;
    if (got == CsvReader::Result::kNeedMore) return Result::kNeedMore;
    if (got == CsvReader::Result::kEnd) {
      if (header_seen_) return Result::kEnd;
      *problems = RowProblems(1);
      problems->Add("", "",
                    absl::StrCat("文件是空的：第一行应是模板的表头：",
                                 ColumnList(columns_)));
      refused_ = true;
      return Result::kRefused;
    }
    *problems = RowProblems(record.row);
    if (!header_seen_) {
      if (ReadHeader(record, problems)) continue;
      refused_ = true;
      return Result::kRefused;
    }
    ++rows_read_;
    if (!record.error.empty()) {
      problems->Add("", "", QuotingRule(record.error));
    } else if (workbook_ != nullptr && record.fields.size() > header_fields_) {
      problems->Add("", record.fields.back(),
                    absl::StrCat("本行第 ", record.fields.size(),
                                 " 列有内容，但表头只有 ", header_fields_,
                                 " 列：请删除表头以外的内容或补上表头"));
    } else if (record.fields.size() != header_fields_) {
      problems->Add(
          "", absl::StrCat(record.fields.size(), " 个字段"),
          absl::StrCat("本行有 ", record.fields.size(), " 个字段，表头有 ",
                       header_fields_, " 个：检查是否多了或少了逗号"));
    } else {
      row->row = record.row;
      row->fields.assign(columns_.size(), std::string());
      for (size_t c = 0; c < columns_.size(); ++c) {
        if (position_[c] == SIZE_MAX) continue;
        CheckField(record.fields[position_[c]], c, &row->fields[c], problems);
      }
    }
    return problems->empty() ? Result::kRow : Result::kProblems;
  }
}

}  // namespace ntmis
