#include "provincial/import/export.h"

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/tables/csv.h"
#include "provincial/core/access.h"
#include "provincial/core/categories.h"
#include "provincial/core/teacher_fields.h"
#include "provincial/core/teacher_queries.h"

namespace ntmis::provincial {
namespace {

constexpr size_t kChunkBytes = 256 << 10;

}  // namespace

absl::Status ExportCsv(
    Store& store, const User& user, const v1::ExportRequest& request,
    const std::function<absl::Status(const std::string&)>& sink,
    uint64_t* rows) {
  if (user.role == Role::kTeacher)
    return absl::PermissionDeniedError(
        "导出只对单位账号开放，教师账号不能导出");
  const std::string unit =
      request.unit_code().empty() ? user.unit_code : request.unit_code();
  RETURN_IF_ERROR(CheckWithin(store, user, unit));
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
  if (category == nullptr) {
    std::vector<std::string> header{"teacher_number", "state"};
    for (size_t c = 0; c < TeacherTemplateColumns().size(); ++c)
      if (c != kIdCardNumber) header.push_back(TeacherTemplateColumns()[c]);
    header.push_back("city_code");
    header.push_back("county_code");
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
            line.assign({number, std::string(StateName(s))});
            for (size_t c = 0; c < TeacherTemplateColumns().size(); ++c) {
              if (c != kIdCardNumber)
                line.push_back(
                    TeacherFieldText(record, static_cast<TeacherColumn>(c)));
            }
            line.push_back(record.city_code());
            line.push_back(record.county_code());
            AppendCsvLine(&out, line);
            ++*rows;
            return flush(false);
          }));
    }
    return flush(true);
  }
  AppendCsvLine(&out, CategoryTemplateColumns(*category));
  std::vector<std::string> line;
  for (const std::string& school : schools) {
    RETURN_IF_ERROR(
        ForEachEntryOfSchool(store, school, category->code(),
                             [&](const std::string& number, int64_t entry_no,
                                 const v1::EntryValues& values) {
                               line.assign({number, absl::StrCat(entry_no)});
                               for (const v1::FieldDef& f : category->fields())
                                 line.push_back(EntryValue(values, f.name()));
                               AppendCsvLine(&out, line);
                               ++*rows;
                               return flush(false);
                             }));
  }
  return flush(true);
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
