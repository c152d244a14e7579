#include "provincial/import/export.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "common/base/dates.h"
#include "common/base/status_macros.h"
#include "common/tables/csv.h"
#include "common/teacher/code_tables.h"
#include "google/protobuf/descriptor.h"
#include "provincial/core/access.h"
#include "provincial/core/categories.h"
#include "provincial/core/teacher_fields.h"
#include "provincial/core/teacher_queries.h"
#include "provincial/core/teacher_state.h"
#include "provincial/core/units.h"

namespace ntmis::provincial {
namespace {

constexpr size_t kChunkBytes = 256 << 10;

// UTF-8's byte-order mark: Excel on Chinese Windows reads a CSV without it
// as GBK and garbles every name.
constexpr char kBom[] = "\xEF\xBB\xBF";

// The unit an export covers, or why `user` may not export it.
absl::StatusOr<std::string> ExportedUnit(Store& store, const User& user,
                                         const v1::ExportRequest& request) {
  if (user.role == Role::kTeacher)
    return absl::PermissionDeniedError(
        "导出只对单位账号开放，教师账号不能导出");
  const std::string unit =
      request.unit_code().empty() ? user.unit_code : request.unit_code();
  RETURN_IF_ERROR(CheckWithin(store, user, unit));
  return unit;
}

}  // namespace

absl::Status ExportCsv(
    Store& store, const User& user, const v1::ExportRequest& request,
    const std::function<absl::Status(const std::string&)>& sink,
    uint64_t* rows) {
  ASSIGN_OR_RETURN(const std::string unit, ExportedUnit(store, user, request));
  ASSIGN_OR_RETURN(std::vector<std::string> schools, SchoolsUnder(store, unit));
  std::sort(schools.begin(), schools.end());
  ASSIGN_OR_RETURN(Catalog catalog, Catalog::Load(store));
  const v1::CategoryDef* category = nullptr;
  if (!request.category().empty()) {
    ASSIGN_OR_RETURN(category, catalog.Get(request.category()));
  }

  // A read transaction: one consistent picture of the unit.
  ASSIGN_OR_RETURN(sql::Transaction read,
                   sql::Transaction::BeginRead(store.db()));
  std::string out;
  auto flush = [&](bool force) -> absl::Status {
    if (out.empty() || (!force && out.size() < kChunkBytes))
      return absl::OkStatus();
    RETURN_IF_ERROR(sink(out));
    out.clear();
    return absl::OkStatus();
  };
  *rows = 0;
  const bool codes = request.codes();
  // For people: unit names beside the school code, the county and city by
  // name.
  absl::flat_hash_map<std::string, std::string> names;
  if (!codes) {
    out = kBom;
    ASSIGN_OR_RETURN(sql::Statement q,
                     store.db().Prepare("SELECT code, name FROM units"));
    RETURN_IF_ERROR(
        q.ForEachRow([&] { names[q.ColumnText(0)] = q.ColumnText(1); }));
  }
  auto name_of = [&](const std::string& code) {
    auto it = names.find(code);
    return it == names.end() ? code : it->second;
  };
  if (category == nullptr) {
    std::vector<std::string> header;
    if (codes) {
      header = {"teacher_number", "state"};
      for (size_t c = 0; c < TeacherTemplateColumns().size(); ++c)
        if (c != kIdCardNumber) header.push_back(TeacherTemplateColumns()[c]);
      header.push_back("city_code");
      header.push_back("county_code");
    } else {
      header = {"教师编号", "状态"};
      for (size_t c = 0; c < TeacherTemplate().size(); ++c) {
        if (c == kIdCardNumber) continue;
        header.push_back(TeacherTemplate()[c].label);
        if (c == kSchoolCode) header.push_back("学校名称");
      }
      header.push_back("所在区县");
      header.push_back("所在地市");
    }
    AppendCsvLine(&out, header);
    std::optional<TeacherState> state;
    if (!request.state().empty()) {
      state = ParseTeacherState(request.state());
      if (!state)
        return absl::InvalidArgumentError(absl::StrCat(
            "没有“", request.state(), "”这种状态；可选：", AllStateNames()));
    }
    std::vector<std::string> line;
    for (const std::string& school : schools) {
      RETURN_IF_ERROR(ForEachTeacherOfSchool(
          store, school, state,
          [&](const std::string& number, TeacherState s,
              const v1::TeacherRecord& record) {
            line.assign({number, codes ? std::string(StateName(s))
                                       : std::string(StateLabel(s))});
            for (size_t c = 0; c < TeacherTemplateColumns().size(); ++c) {
              if (c == kIdCardNumber) continue;
              const auto column = static_cast<TeacherColumn>(c);
              std::string label =
                  codes ? "" : TeacherFieldLabel(record, column);
              line.push_back(label.empty() ? TeacherFieldText(record, column)
                                           : label);
              if (!codes && c == kSchoolCode)
                line.push_back(name_of(record.school_code()));
            }
            line.push_back(codes ? record.city_code()
                                 : name_of(record.county_code()));
            line.push_back(codes ? record.county_code()
                                 : name_of(record.city_code()));
            AppendCsvLine(&out, line);
            ++*rows;
            return flush(false);
          }));
    }
    return flush(true);
  }
  if (codes) {
    AppendCsvLine(&out, CategoryTemplateColumns(*category));
  } else {
    std::vector<std::string> header{"教师编号", "姓名", "学校名称", "条目序号"};
    for (const v1::FieldDef& f : category->fields())
      header.push_back(f.label());
    AppendCsvLine(&out, header);
  }
  std::vector<std::string> line;
  absl::flat_hash_map<std::string, std::string> teacher_names;
  for (const std::string& school : schools) {
    if (!codes) {
      teacher_names.clear();
      RETURN_IF_ERROR(
          ForEachTeacherOfSchool(store, school, std::nullopt,
                                 [&](const std::string& number, TeacherState,
                                     const v1::TeacherRecord& record) {
                                   teacher_names[number] = record.name();
                                   return absl::OkStatus();
                                 }));
    }
    RETURN_IF_ERROR(ForEachEntryOfSchool(
        store, school, category->code(),
        [&](const std::string& number, int64_t entry_no,
            const v1::EntryValues& values) {
          if (codes) {
            line.assign({number, absl::StrCat(entry_no)});
          } else {
            line.assign({number, teacher_names[number], name_of(school),
                         absl::StrCat(entry_no)});
          }
          for (const v1::FieldDef& f : category->fields()) {
            const std::string value = EntryValue(values, f.name());
            line.push_back(codes ? value : FieldValueLabel(f, value));
          }
          AppendCsvLine(&out, line);
          ++*rows;
          return flush(false);
        }));
  }
  return flush(true);
}

absl::StatusOr<std::string> ExportTitle(Store& store, const User& user,
                                        const v1::ExportRequest& request) {
  ASSIGN_OR_RETURN(const std::string code, ExportedUnit(store, user, request));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(store, code));
  std::string title = absl::StrCat(unit.name, "_",
                                   request.category().empty()
                                       ? "教师名单"
                                       : CategoryLabel(request.category()));
  if (std::optional<TeacherState> state = ParseTeacherState(request.state()))
    absl::StrAppend(&title, "_", StateLabel(*state));
  if (request.codes()) absl::StrAppend(&title, "_代码版");
  absl::StrAppend(&title, "_", Today().ToString());
  // Nothing a file system refuses.
  for (char& c : title)
    if (c == '/' || c == '\\' || c == ':' || c == '*' || c == '?' || c == '"' ||
        c == '<' || c == '>' || c == '|')
      c = '_';
  return title;
}

std::vector<std::vector<std::string>> ProgressTable(
    const v1::ProgressReport& report) {
  std::vector<std::vector<std::string>> rows{{"单位代码", "单位名称", "已录入",
                                              "已提交", "学校已审核", "已生效",
                                              "已退回", "生效比例"}};
  auto add = [&](const v1::ProgressRow& r, bool total) {
    const std::string share =
        r.entered() == 0
            ? "0.0%"
            : absl::StrFormat("%.1f%%", 100.0 * r.effective() / r.entered());
    rows.push_back(
        {r.unit_code(),
         total ? absl::StrCat(r.unit_name(), "（合计）") : r.unit_name(),
         absl::StrCat(r.entered()), absl::StrCat(r.submitted()),
         absl::StrCat(r.school_approved()), absl::StrCat(r.effective()),
         absl::StrCat(r.returned()), share});
  };
  add(report.total(), true);
  for (const v1::ProgressRow& r : report.children()) add(r, false);
  return rows;
}

std::string ProgressTitle(const v1::ProgressReport& report) {
  return absl::StrCat(report.total().unit_name(), "_填报进度_",
                      Today().ToString());
}

std::string CsvForExcel(const std::vector<std::vector<std::string>>& rows) {
  std::string out = kBom;
  for (const auto& row : rows) AppendCsvLine(&out, row);
  return out;
}

absl::StatusOr<std::unique_ptr<ExportWorkbook>> ExportWorkbook::Create(
    const v1::CategoryCatalog& catalog, const std::string& category) {
  auto book = std::unique_ptr<ExportWorkbook>(new ExportWorkbook());
  std::string sheet = "教师名单";
  if (category.empty()) {
    for (const TableColumn& c : TeacherTemplate())
      book->labels_.emplace_back(c.name, c.label);
    book->labels_.insert(book->labels_.end(), {{"teacher_number", "教师编号"},
                                               {"state", "状态"},
                                               {"city_code", "地市代码"},
                                               {"county_code", "区县代码"}});
  } else {
    for (const v1::CategoryDef& c : catalog.categories()) {
      if (c.code() != category) continue;
      sheet = c.label();
      for (const TableColumn& column : CategoryTemplate(c))
        book->labels_.emplace_back(column.name, column.label);
    }
  }
  ASSIGN_OR_RETURN(book->table_, TableWorkbook::Create(sheet));
  return book;
}

absl::Status ExportWorkbook::Feed(absl::string_view csv) {
  if (!header_done_ && !fed_) absl::ConsumePrefix(&csv, kBom);  // a CSV's mark
  fed_ = true;
  csv_.Feed(csv);
  return Drain();
}

absl::Status ExportWorkbook::Drain() {
  CsvRecord record;
  while (csv_.Next(&record) == CsvReader::Result::kRecord) {
    if (!header_done_) {
      header_done_ = true;
      for (std::string& name : record.fields) {
        for (const auto& [identifier, label] : labels_)
          if (identifier == name) name = label;
      }
    }
    RETURN_IF_ERROR(table_->AddRow(record.fields));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ExportWorkbook::Finish() {
  csv_.Finish();
  RETURN_IF_ERROR(Drain());
  return table_->Finish();
}

}  // namespace ntmis::provincial
