#include "provincial/import/export.h"

#include "absl/strings/str_cat.h"
#include "common/csv.h"
#include "common/status_macros.h"
#include "provincial/core/access.h"
#include "provincial/core/categories.h"
#include "provincial/core/teacher_fields.h"

namespace ntmis::provincial {
namespace {

constexpr size_t kChunkBytes = 256 << 10;

}  // namespace

absl::Status ExportCsv(Store& store, const User& user, const v1::ExportRequest& request,
                       const std::function<absl::Status(const std::string&)>& sink,
                       uint64_t* rows) {
  if (user.role == Role::kTeacher)
    return absl::PermissionDeniedError("exports are for unit accounts");
  const std::string unit = request.unit_code().empty() ? user.unit_code : request.unit_code();
  RETURN_IF_ERROR(CheckWithin(store, user, unit));
  ASSIGN_OR_RETURN(std::vector<std::string> schools, SchoolsUnder(store, unit));
  std::sort(schools.begin(), schools.end());
  ASSIGN_OR_RETURN(Catalog catalog, Catalog::Load(store));
  const v1::CategoryDef* category = nullptr;
  if (!request.category().empty()) {
    ASSIGN_OR_RETURN(category, catalog.Get(request.category()));
  }

  // A read transaction: one consistent picture of the unit.
  ASSIGN_OR_RETURN(sql::Transaction read, sql::Transaction::BeginRead(store.db()));
  std::string out;
  auto flush = [&](bool force) -> absl::Status {
    if (out.empty() || (!force && out.size() < kChunkBytes)) return absl::OkStatus();
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
    ASSIGN_OR_RETURN(sql::Statement q,
                     store.db().Prepare("SELECT teacher_number, state, record FROM teachers "
                                        "WHERE school_code = ?1 AND (?2 = '' OR state = ?2) "
                                        "ORDER BY teacher_number"));
    std::vector<std::string> line;
    for (const std::string& school : schools) {
      q.Reset();
      q.Bind(1, school).Bind(2, request.state());
      RETURN_IF_ERROR(q.ForEachRow([&]() -> absl::Status {
        v1::TeacherRecord record;
        record.ParseFromString(std::string(q.ColumnBlob(2)));
        line.assign({q.ColumnText(0), q.ColumnText(1)});
        for (size_t c = 0; c < TeacherTemplateColumns().size(); ++c) {
          if (c != kIdCardNumber)
            line.push_back(TeacherFieldText(record, static_cast<TeacherColumn>(c)));
        }
        line.push_back(record.city_code());
        line.push_back(record.county_code());
        AppendCsvLine(&out, line);
        ++*rows;
        RETURN_IF_ERROR(flush(false));
        return absl::OkStatus();
      }));
    }
    return flush(true);
  }
  AppendCsvLine(&out, CategoryTemplateColumns(*category));
  ASSIGN_OR_RETURN(sql::Statement q,
                   store.db().Prepare(
                       "SELECT e.teacher_number, e.entry_no, e.entry_values FROM teachers t "
                       "JOIN teacher_entries e ON e.teacher_number = t.teacher_number "
                       "WHERE t.school_code = ? AND e.category = ? AND e.deleted = 0 "
                       "ORDER BY e.teacher_number, e.entry_no"));
  std::vector<std::string> line;
  for (const std::string& school : schools) {
    q.Reset();
    q.Bind(1, school).Bind(2, category->code());
    RETURN_IF_ERROR(q.ForEachRow([&]() -> absl::Status {
      v1::EntryValues values;
      values.ParseFromString(std::string(q.ColumnBlob(2)));
      line.assign({q.ColumnText(0), absl::StrCat(q.ColumnInt(1))});
      for (const v1::FieldDef& f : category->fields()) line.push_back(EntryValue(values, f.name()));
      AppendCsvLine(&out, line);
      ++*rows;
      RETURN_IF_ERROR(flush(false));
      return absl::OkStatus();
    }));
  }
  return flush(true);
}

}  // namespace ntmis::provincial
