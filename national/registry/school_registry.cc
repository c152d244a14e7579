#include "national/registry/school_registry.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/status_macros.h"
#include "common/tables/table_reader.h"
#include "common/teacher/code_tables.h"
#include "common/teacher/registry_school.h"

namespace ntmis::national {
const std::vector<std::string>& SchoolRegistry::Columns() {
  static const auto* columns = [] {
    auto* out = new std::vector<std::string>();
    for (const TableColumn& c : RegistrySchoolColumns()) out->push_back(c.name);
    return out;
  }();
  return *columns;
}

absl::StatusOr<std::unique_ptr<SchoolRegistry>> SchoolRegistry::Open(
    const std::string& path) {
  ASSIGN_OR_RETURN(sql::Database db, sql::Database::Open(path));
  return std::unique_ptr<SchoolRegistry>(new SchoolRegistry(std::move(db)));
}

absl::StatusOr<SchoolRegistry::ImportResult> SchoolRegistry::Import(
    absl::string_view bytes, bool dry_run) {
  ImportResult result;
  auto report = [&](RowProblems& problems) {
    for (v1::ImportProblem& p : problems.problems()) {
      LabelProblem(RegistrySchoolColumns(), &p);
      result.problems.push_back(std::move(p));
    }
  };
  TableReader reader(RegistrySchoolColumns());
  reader.Feed(bytes);
  reader.Finish();
  std::vector<v1::RegistrySchool> rows;
  std::map<std::string, uint64_t> seen;  // code -> row
  const CodeTable& categories = CodeTable::Of<v1::SchoolCategory>();
  TableRow row;
  RowProblems problems(0);
  bool reading = true;
  while (reading) {
    switch (reader.Next(&row, &problems)) {
      case TableReader::Result::kNeedMore:
      case TableReader::Result::kEnd:
        reading = false;
        break;
      case TableReader::Result::kRefused:
        reading = false;
        report(problems);
        break;
      case TableReader::Result::kProblems:
        report(problems);
        break;
      case TableReader::Result::kRow: {
        problems = RowProblems(row.row);
        v1::RegistrySchool s;
        s.set_code(row.fields[0]);
        s.set_name(row.fields[1]);
        s.set_county_code(row.fields[2]);
        absl::StatusOr<int> category = categories.Parse(row.fields[3]);
        if (category.ok())
          s.set_school_category(static_cast<v1::SchoolCategory>(*category));
        const std::string& closed = row.fields[4];
        s.set_closed(closed == "1" || closed == "是");
        for (const FieldProblem& f : CheckRegistrySchool(s)) {
          if (f.field == "school_category" && !category.ok())
            continue;  // said below
          problems.Add(f.field, f.value, f.rule);
        }
        if (!category.ok()) {
          problems.Add("school_category", row.fields[3],
                       absl::StrCat("不是学校类别的代码或名称；可用：",
                                    categories.AllowedValues()));
        }
        if (!closed.empty() && closed != "0" && closed != "1" &&
            closed != "是" && closed != "否")
          problems.Add("closed", closed,
                       "填 0 或“否”（在办），1 或“是”（已撤销），或留空");
        if (auto [it, inserted] = seen.emplace(s.code(), row.row); !inserted)
          problems.Add(
              "code", s.code(),
              absl::StrCat("重复：第 ", it->second, " 行也是这个学校标识码"));
        if (problems.empty()) {
          rows.push_back(std::move(s));
        } else {
          report(problems);
        }
        break;
      }
    }
  }
  result.rows_read = reader.rows_read();
  result.rows = rows.size();
  if (!result.problems.empty()) return result;

  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(db_));
  ASSIGN_OR_RETURN(
      int64_t current,
      db_.QueryInt("SELECT COALESCE(MAX(version), 0) FROM schools"));
  const uint64_t version = static_cast<uint64_t>(current) + 1;
  // Only rows that differ take the new version.
  ASSIGN_OR_RETURN(
      sql::Statement upsert,
      db_.Prepare("INSERT INTO schools VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                  "ON CONFLICT(code) DO UPDATE SET name = ?2, province = ?3, "
                  "county_code = ?4, school_category = ?5, closed = ?6, "
                  "version = ?7 WHERE name IS NOT ?2 OR county_code IS NOT ?4 "
                  "OR school_category IS NOT ?5 OR closed IS NOT ?6"));
  for (const v1::RegistrySchool& s : rows) {
    RETURN_IF_ERROR(upsert
                        .BindAll(s.code(), s.name(),
                                 s.county_code().substr(0, 2), s.county_code(),
                                 static_cast<int>(s.school_category()),
                                 s.closed() ? 1 : 0, version)
                        .Run());
    result.changed += db_.Changes();
  }
  // A dry run counts the same changes and rolls them back.
  if (!dry_run) RETURN_IF_ERROR(txn.Commit());
  result.version =
      result.changed > 0 && !dry_run ? version : static_cast<uint64_t>(current);
  return result;
}

absl::StatusOr<uint64_t> SchoolRegistry::Version() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(
      int64_t v, db_.QueryInt("SELECT COALESCE(MAX(version), 0) FROM schools"));
  return static_cast<uint64_t>(v);
}

absl::StatusOr<SchoolRegistry::Changes> SchoolRegistry::ChangedSince(
    const std::string& province, uint64_t since, uint64_t resume_version,
    const std::string& resume_after_code, size_t limit) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(sql::Transaction snapshot, sql::Transaction::BeginRead(db_));
  ASSIGN_OR_RETURN(
      int64_t latest,
      db_.QueryInt("SELECT COALESCE(MAX(version), 0) FROM schools"));
  ASSIGN_OR_RETURN(
      sql::Statement s,
      db_.Prepare(
          "SELECT code, name, county_code, school_category, closed, version "
          "FROM schools WHERE province = ? AND version > ? "
          "AND (version, code) > (?, ?) "
          "ORDER BY version, code LIMIT ?"));
  s.BindAll(province, since, resume_version, resume_after_code,
            static_cast<int64_t>(limit + 1));
  Changes out;
  RETURN_IF_ERROR(s.ForEachRow([&] {
    v1::RegistrySchool school;
    school.set_code(s.ColumnText(0));
    school.set_name(s.ColumnText(1));
    school.set_county_code(s.ColumnText(2));
    school.set_school_category(static_cast<v1::SchoolCategory>(s.ColumnInt(3)));
    school.set_closed(s.ColumnInt(4) != 0);
    school.set_version(static_cast<uint64_t>(s.ColumnInt(5)));
    out.schools.push_back(std::move(school));
  }));
  out.latest = static_cast<uint64_t>(latest);
  out.more = out.schools.size() > limit;
  if (out.more) out.schools.pop_back();
  // Paging follows every stored record; only good ones are sent.
  const v1::RegistrySchool last =
      out.schools.empty() ? v1::RegistrySchool() : out.schools.back();
  std::vector<v1::RegistrySchool> good;
  for (v1::RegistrySchool& school : out.schools) {
    std::vector<FieldProblem> problems = CheckRegistrySchool(school);
    if (problems.empty()) {
      good.push_back(std::move(school));
      continue;
    }
    v1::SkippedReference skip;
    skip.set_code(ReportedValue(school.code()));
    skip.set_reason(
        ReportedValue(absl::StrCat(problems[0].field, "：", problems[0].rule)));
    out.skipped.push_back(std::move(skip));
  }
  out.schools = std::move(good);
  if (!out.more) {
    out.complete_to = out.latest;
    return out;
  }
  // The last version on the page may go on: only the ones before it are
  // complete. The next page resumes after the last school sent.
  out.complete_to = std::max(since, last.version() - 1);
  out.resume_version = last.version();
  out.resume_after_code = last.code();
  return out;
}

std::string SchoolRegistry::NameOf(const std::string& code) {
  absl::MutexLock lock(&mu_);
  auto find = db_.Prepare("SELECT name FROM schools WHERE code = ?");
  if (!find.ok()) return "";
  auto found = find->BindAll(code).Step();
  return found.ok() && *found ? find->ColumnText(0) : std::string();
}

}  // namespace ntmis::national
