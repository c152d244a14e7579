#include "common/tables/xlsx_reader.h"

#include <expat.h>
#include <zip.h>

#include <cmath>
#include <functional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/base/status_macros.h"

namespace ntmis {
namespace {

constexpr char kNotWorkbook[] =
    "文件不是可读取的 Excel 工作簿（.xlsx）：请在 Excel 或 WPS "
    "中打开后重新“另存为”"
    "“Excel 工作簿(*.xlsx)”，或另存为 CSV 后导入";
constexpr char kRelationshipsNs[] =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

absl::Status Damaged(absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(kNotWorkbook, "（", what, "）"));
}

// The local part of an expat name "namespace|local".
absl::string_view Local(const XML_Char* name) {
  absl::string_view n(name);
  const size_t bar = n.rfind('|');
  return bar == absl::string_view::npos ? n : n.substr(bar + 1);
}

// An attribute by its full expat name ("r", or "namespace|id").
absl::string_view Attribute(const XML_Char** attributes,
                            absl::string_view name) {
  for (size_t i = 0; attributes[i] != nullptr; i += 2)
    if (name == attributes[i]) return attributes[i + 1];
  return {};
}

// An XML parser in namespace mode whose element callbacks are std::functions.
class XmlParser {
 public:
  using Start =
      std::function<void(absl::string_view local, const XML_Char** attributes)>;
  using End = std::function<void(absl::string_view local)>;
  using Text = std::function<void(absl::string_view text)>;

  XmlParser(Start start, End end, Text text)
      : parser_(XML_ParserCreateNS(nullptr, '|')),
        start_(std::move(start)),
        end_(std::move(end)),
        text_(std::move(text)) {
    XML_SetUserData(parser_, this);
    XML_SetElementHandler(
        parser_,
        [](void* self, const XML_Char* name, const XML_Char** attributes) {
          static_cast<XmlParser*>(self)->start_(Local(name), attributes);
        },
        [](void* self, const XML_Char* name) {
          static_cast<XmlParser*>(self)->end_(Local(name));
        });
    XML_SetCharacterDataHandler(
        parser_, [](void* self, const XML_Char* s, int len) {
          auto* p = static_cast<XmlParser*>(self);
          if (p->text_)
            p->text_(absl::string_view(s, static_cast<size_t>(len)));
        });
  }
  ~XmlParser() { XML_ParserFree(parser_); }
  XmlParser(const XmlParser&) = delete;
  XmlParser& operator=(const XmlParser&) = delete;

  absl::Status Parse(absl::string_view piece, bool last,
                     absl::string_view part) {
    if (XML_Parse(parser_, piece.data(), static_cast<int>(piece.size()),
                  last) == XML_STATUS_ERROR) {
      return Damaged(absl::StrCat(
          part, " 第 ", XML_GetCurrentLineNumber(parser_), " 行 XML 有误：",
          XML_ErrorString(XML_GetErrorCode(parser_))));
    }
    return absl::OkStatus();
  }

 private:
  XML_Parser parser_;
  Start start_;
  End end_;
  Text text_;
};

// A part of the archive being inflated, with the size cap.
class Part {
 public:
  Part(zip_t* archive, std::string name) : name_(std::move(name)) {
    file_ = zip_fopen(archive, name_.c_str(), 0);
  }
  ~Part() {
    if (file_ != nullptr) zip_fclose(file_);
  }
  Part(const Part&) = delete;
  Part& operator=(const Part&) = delete;

  bool exists() const { return file_ != nullptr; }
  const std::string& name() const { return name_; }

  // The next piece into *piece; empty at the end.
  absl::Status Read(std::string* piece) {
    piece->resize(64 << 10);
    const zip_int64_t got = zip_fread(file_, piece->data(), piece->size());
    if (got < 0) return Damaged(absl::StrCat(name_, " 无法解压"));
    piece->resize(static_cast<size_t>(got));
    total_ += static_cast<uint64_t>(got);
    if (total_ > XlsxReader::kMaxPartBytes)
      return absl::InvalidArgumentError(absl::StrCat(
          "工作簿的 ", name_, " 解压后超过 ", XlsxReader::kMaxPartBytes >> 20,
          " MB：请把数据分成几个文件导入"));
    return absl::OkStatus();
  }

 private:
  std::string name_;
  zip_file_t* file_ = nullptr;
  uint64_t total_ = 0;
};

// Parses a whole part; NotFound when the archive lacks it.
absl::Status ParsePart(zip_t* archive, const std::string& name,
                       XmlParser& parser) {
  Part part(archive, name);
  if (!part.exists()) return absl::NotFoundError(name);
  std::string piece;
  while (true) {
    RETURN_IF_ERROR(part.Read(&piece));
    RETURN_IF_ERROR(parser.Parse(piece, piece.empty(), name));
    if (piece.empty()) return absl::OkStatus();
  }
}

// Excel's built-in date and time formats, the Chinese locale's included.
bool BuiltInDateFormat(int id) {
  return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) ||
         (id >= 45 && id <= 47) || (id >= 50 && id <= 58);
}

// A custom number format shows a date or time when, outside quoted text,
// escapes and [...] sections, it has a y, m, d, h or s.
bool CustomDateFormat(absl::string_view code) {
  bool quoted = false;
  int bracket = 0;
  for (size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (quoted) {
      quoted = c != '"';
    } else if (c == '"') {
      quoted = true;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;  // the next character is literal or padding
    } else if (c == '[') {
      ++bracket;
    } else if (c == ']') {
      bracket = bracket > 0 ? bracket - 1 : 0;
    } else if (bracket == 0) {
      switch (absl::ascii_tolower(static_cast<unsigned char>(c))) {
        case 'y':
        case 'm':
        case 'd':
        case 'h':
        case 's':
          return true;
        default:
          break;
      }
    }
  }
  return false;
}

// An Excel day number as a date (and time when not midnight).
std::string SerialDate(double serial, bool date1904) {
  double whole = std::floor(serial);
  long seconds = std::lround((serial - whole) * 86400.0);
  if (seconds >= 86400) {
    whole += 1;
    seconds -= 86400;
  }
  const auto days = static_cast<long>(whole);
  absl::CivilDay day;
  if (date1904) {
    day = absl::CivilDay(1904, 1, 1) + days;
  } else if (days < 60) {
    day = absl::CivilDay(1899, 12, 31) +
          days;  // before Excel's phantom 1900-02-29
  } else {
    day = absl::CivilDay(1899, 12, 30) + days;
  }
  std::string text =
      absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
  if (seconds != 0)
    absl::StrAppendFormat(&text, " %02d:%02d:%02d", seconds / 3600,
                          seconds / 60 % 60, seconds % 60);
  return text;
}

// A number as a person reads it: whole numbers without exponent or ".0".
std::string NumberText(absl::string_view raw) {
  double value = 0;
  if (!absl::SimpleAtod(raw, &value)) return std::string(raw);
  if (std::isfinite(value) && value == std::floor(value) &&
      std::fabs(value) < 1e15)
    return absl::StrFormat("%.0f", value);
  return std::string(raw);
}

// Column of a cell reference ("AB12" -> 27), or -1.
int ColumnOf(absl::string_view reference) {
  int column = 0;
  size_t i = 0;
  for (; i < reference.size() &&
         absl::ascii_isalpha(static_cast<unsigned char>(reference[i]));
       ++i) {
    column = column * 26 +
             (absl::ascii_toupper(static_cast<unsigned char>(reference[i])) -
              'A' + 1);
    if (column > 16384) return -1;
  }
  return i == 0 ? -1 : column - 1;
}

}  // namespace

// What the worksheet's XML callbacks build.
struct XlsxReader::State {
  std::vector<std::string> shared;  // shared strings
  std::vector<bool> date_style;     // by cell style index
  bool date1904 = false;

  zip_t* archive = nullptr;
  std::unique_ptr<Part> sheet;
  std::unique_ptr<XmlParser> parser;
  bool sheet_done = false;
  absl::Status error;

  // The row and cell being read.
  bool in_row = false;
  SheetRow row;
  uint64_t last_row = 0;
  int next_column = 0;
  bool in_cell = false;
  int cell_column = 0;
  std::string cell_type;
  int cell_style = 0;
  std::string value;        // <v>
  std::string inline_text;  // <is><t>…
  int capture = 0;          // 1: in <v>, 2: in <t> of <is>
  int phonetic = 0;         // depth of <rPh> (text left out)

  std::deque<SheetRow> ready;

  ~State() {
    parser.reset();
    sheet.reset();
    if (archive != nullptr) zip_discard(archive);
  }

  void StartElement(absl::string_view local, const XML_Char** attributes) {
    if (local == "row") {
      in_row = true;
      row = SheetRow();
      uint64_t number = 0;
      absl::string_view r = Attribute(attributes, "r");
      row.row =
          !r.empty() && absl::SimpleAtoi(r, &number) ? number : last_row + 1;
      next_column = 0;
    } else if (local == "c" && in_row) {
      in_cell = true;
      const int column = ColumnOf(Attribute(attributes, "r"));
      cell_column = column >= 0 ? column : next_column;
      cell_type = std::string(Attribute(attributes, "t"));
      int style = 0;
      cell_style =
          absl::SimpleAtoi(Attribute(attributes, "s"), &style) ? style : 0;
      value.clear();
      inline_text.clear();
    } else if (in_cell && local == "v") {
      capture = 1;
    } else if (in_cell && local == "rPh") {
      ++phonetic;
    } else if (in_cell && local == "t" && phonetic == 0) {
      capture = 2;
    }
  }

  void EndElement(absl::string_view local) {
    if (local == "v" || local == "t") {
      capture = 0;
    } else if (local == "rPh") {
      --phonetic;
    } else if (local == "c" && in_cell) {
      in_cell = false;
      next_column = cell_column + 1;
      if (static_cast<size_t>(cell_column) >= kMaxColumns) {
        if (error.ok())
          error = absl::InvalidArgumentError(
              absl::StrCat("工作表第 ", row.row, " 行超过 ", kMaxColumns,
                           " 列：导入模板没有这么多列"));
        return;
      }
      std::string text = CellText();
      if (text.empty()) return;
      if (row.cells.size() <= static_cast<size_t>(cell_column))
        row.cells.resize(cell_column + 1);
      row.cells[cell_column] = std::move(text);
    } else if (local == "row" && in_row) {
      in_row = false;
      last_row = row.row;
      if (!row.cells.empty()) ready.push_back(std::move(row));
    }
  }

  void Characters(absl::string_view text) {
    if (capture == 1) value.append(text.data(), text.size());
    if (capture == 2) inline_text.append(text.data(), text.size());
  }

  std::string CellText() const {
    if (cell_type == "s") {
      size_t index = 0;
      if (absl::SimpleAtoi(value, &index) && index < shared.size())
        return shared[index];
      return std::string();
    }
    if (cell_type == "inlineStr") return inline_text;
    if (cell_type == "str" || cell_type == "e" || cell_type == "b")
      return value;
    if (cell_type == "d") {  // ISO 8601
      return absl::EndsWith(value, "T00:00:00")
                 ? value.substr(0, value.size() - 9)
                 : value;
    }
    if (value.empty()) return std::string();
    double serial = 0;
    if (static_cast<size_t>(cell_style) < date_style.size() &&
        date_style[cell_style] && absl::SimpleAtod(value, &serial) &&
        serial >= 0 && serial < 2958466) {
      return SerialDate(serial, date1904);
    }
    return NumberText(value);
  }
};

XlsxReader::XlsxReader() : state_(std::make_unique<State>()) {}
XlsxReader::~XlsxReader() = default;

absl::StatusOr<std::unique_ptr<XlsxReader>> XlsxReader::Open(
    std::string bytes) {
  std::unique_ptr<XlsxReader> reader(new XlsxReader());
  reader->bytes_ = std::move(bytes);
  State& s = *reader->state_;

  zip_error_t zerror;
  zip_error_init(&zerror);
  zip_source_t* source = zip_source_buffer_create(
      reader->bytes_.data(), reader->bytes_.size(), 0, &zerror);
  if (source != nullptr) {
    s.archive =
        zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &zerror);
    if (s.archive == nullptr) zip_source_free(source);
  }
  if (s.archive == nullptr) {
    std::string why = zip_error_strerror(&zerror);
    zip_error_fini(&zerror);
    return Damaged(absl::StrCat("ZIP 结构损坏：", why));
  }
  zip_error_fini(&zerror);

  // The workbook: its sheets in order, and the date system.
  struct Sheet {
    std::string name, relation;
    bool visible = true;
  };
  std::vector<Sheet> sheets;
  {
    XmlParser parser(
        [&](absl::string_view local, const XML_Char** a) {
          if (local == "sheet") {
            Sheet sheet;
            sheet.name = std::string(Attribute(a, "name"));
            sheet.relation = std::string(
                Attribute(a, absl::StrCat(kRelationshipsNs, "|id")));
            sheet.visible = Attribute(a, "state").empty() ||
                            Attribute(a, "state") == "visible";
            sheets.push_back(std::move(sheet));
          } else if (local == "workbookPr") {
            const absl::string_view d = Attribute(a, "date1904");
            s.date1904 = d == "1" || d == "true";
          }
        },
        [](absl::string_view) {}, nullptr);
    absl::Status st = ParsePart(s.archive, "xl/workbook.xml", parser);
    if (absl::IsNotFound(st)) return Damaged("没有 xl/workbook.xml");
    RETURN_IF_ERROR(st);
  }
  absl::flat_hash_map<std::string, std::string> targets;
  {
    XmlParser parser(
        [&](absl::string_view local, const XML_Char** a) {
          if (local != "Relationship") return;
          std::string target(Attribute(a, "Target"));
          if (absl::StartsWith(target, "/")) {
            target.erase(0, 1);
          } else {
            target = "xl/" + target;
          }
          targets[std::string(Attribute(a, "Id"))] = std::move(target);
        },
        [](absl::string_view) {}, nullptr);
    absl::Status st =
        ParsePart(s.archive, "xl/_rels/workbook.xml.rels", parser);
    if (absl::IsNotFound(st)) return Damaged("没有 xl/_rels/workbook.xml.rels");
    RETURN_IF_ERROR(st);
  }
  std::string sheet_part;
  for (const Sheet& sheet : sheets) {
    auto it = targets.find(sheet.relation);
    if (!sheet.visible || it == targets.end()) continue;
    reader->sheet_name_ = sheet.name;
    sheet_part = it->second;
    break;
  }
  if (sheet_part.empty())
    return absl::InvalidArgumentError(
        "工作簿中没有可见的工作表：请把数据放在第一个工作表中");

  // Shared strings, their phonetic guides left out.
  {
    std::string current;
    int depth_si = 0, phonetic = 0;
    bool in_t = false;
    XmlParser parser(
        [&](absl::string_view local, const XML_Char**) {
          if (local == "si") {
            depth_si = 1;
            current.clear();
          } else if (local == "rPh") {
            ++phonetic;
          } else if (local == "t" && depth_si && phonetic == 0) {
            in_t = true;
          }
        },
        [&](absl::string_view local) {
          if (local == "si") {
            depth_si = 0;
            s.shared.push_back(std::move(current));
            current.clear();
          } else if (local == "rPh") {
            --phonetic;
          } else if (local == "t") {
            in_t = false;
          }
        },
        [&](absl::string_view text) {
          if (in_t) current.append(text.data(), text.size());
        });
    absl::Status st = ParsePart(s.archive, "xl/sharedStrings.xml", parser);
    if (!st.ok() && !absl::IsNotFound(st)) return st;
  }
  // Which cell styles show a date.
  {
    absl::flat_hash_map<int, bool> custom;  // numFmtId -> shows a date
    bool in_xfs = false;
    XmlParser parser(
        [&](absl::string_view local, const XML_Char** a) {
          int id = 0;
          if (local == "numFmt" &&
              absl::SimpleAtoi(Attribute(a, "numFmtId"), &id)) {
            custom[id] = CustomDateFormat(Attribute(a, "formatCode"));
          } else if (local == "cellXfs") {
            in_xfs = true;
          } else if (local == "xf" && in_xfs) {
            if (!absl::SimpleAtoi(Attribute(a, "numFmtId"), &id)) id = 0;
            auto it = custom.find(id);
            s.date_style.push_back(it != custom.end() ? it->second
                                                      : BuiltInDateFormat(id));
          }
        },
        [&](absl::string_view local) {
          if (local == "cellXfs") in_xfs = false;
        },
        nullptr);
    absl::Status st = ParsePart(s.archive, "xl/styles.xml", parser);
    if (!st.ok() && !absl::IsNotFound(st)) return st;
  }

  s.sheet = std::make_unique<Part>(s.archive, sheet_part);
  if (!s.sheet->exists())
    return Damaged(absl::StrCat("没有工作表 ", sheet_part));
  State* state = reader->state_.get();
  s.parser = std::make_unique<XmlParser>(
      [state](absl::string_view local, const XML_Char** a) {
        state->StartElement(local, a);
      },
      [state](absl::string_view local) { state->EndElement(local); },
      [state](absl::string_view text) { state->Characters(text); });
  return reader;
}

absl::Status XlsxReader::Pump() {
  State& s = *state_;
  std::string piece;
  RETURN_IF_ERROR(s.sheet->Read(&piece));
  RETURN_IF_ERROR(s.parser->Parse(piece, piece.empty(), s.sheet->name()));
  if (piece.empty()) s.sheet_done = true;
  return s.error;
}

absl::StatusOr<bool> XlsxReader::Next(SheetRow* row) {
  State& s = *state_;
  while (s.ready.empty() && !s.sheet_done) {
    absl::Status st = Pump();
    if (!st.ok()) {
      s.sheet_done = true;
      s.ready.clear();
      return st;
    }
  }
  if (s.ready.empty()) return false;
  *row = std::move(s.ready.front());
  s.ready.pop_front();
  return true;
}

}  // namespace ntmis
