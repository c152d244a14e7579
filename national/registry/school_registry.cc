#include "national/registry/school_registry.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/csv.h"
#include "common/status_macros.h"
#include "common/teacher/code_tables.h"
#include "common/text_encoding.h"

namespace ntmis::national {
namespace {

bool AllDigits(absl::string_view s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s)
    if (!absl::ascii_isdigit(c)) return false;
  return true;
}

v1::ImportProblem Problem(uint64_t row, std::string column, std::string value,
                          std::string rule) {
  v1::ImportProblem p;
  p.set_row(row);
  p.set_column(std::move(column));
  p.set_value(std::move(value));
  p.set_rule(std::move(rule));
  return p;
}

}  // namespace

const std::vector<std::string>& SchoolRegistry::Columns() {
  static const auto* columns =
      new std::vector<std::string>{"code", "name", "county_code", "school_category", "closed"};
  return *columns;
}

absl::StatusOr<std::unique_ptr<SchoolRegistry>> SchoolRegistry::Open(const std::string& path) {
  ASSIGN_OR_RETURN(sql::Database db, sql::Database::Open(path));
  return std::unique_ptr<SchoolRegistry>(new SchoolRegistry(std::move(db)));
}

absl::StatusOr<SchoolRegistry::ImportResult> SchoolRegistry::Import(absl::string_view bytes) {
  ImportResult result;
  std::string text;
  {
    Utf8Decoder decoder(DetectEncoding(bytes.substr(0, 65536), bytes.size() <= 65536));
    absl::Status decoded = decoder.Decode(bytes, /*last=*/true, &text);
    if (!decoded.ok()) {
      result.problems.push_back(Problem(0, "", "", absl::StrCat(
          "the file is neither UTF-8 nor GB18030: ", decoded.message())));
      return result;
    }
  }
  CsvReader reader;
  reader.Feed(text);
  reader.Finish();
  CsvRecord record;
  if (reader.Next(&record) != CsvReader::Result::kRecord) {
    result.problems.push_back(Problem(1, "", "", "the file is empty; expected the header " +
                                                      absl::StrJoin(Columns(), ",")));
    return result;
  }
  // The header: the first four columns required, `closed` optional, in any order.
  std::map<std::string, size_t> at;
  for (size_t i = 0; i < record.fields.size(); ++i) {
    std::string name(absl::StripAsciiWhitespace(record.fields[i]));
    if (std::find(Columns().begin(), Columns().end(), name) == Columns().end()) {
      result.problems.push_back(Problem(1, name, name, absl::StrCat(
          "unknown column; allowed: ", absl::StrJoin(Columns(), ", "))));
    }
    at[name] = i;
  }
  for (size_t k = 0; k + 1 < Columns().size(); ++k) {
    if (!at.count(Columns()[k]))
      result.problems.push_back(Problem(1, Columns()[k], "", "required column is missing"));
  }
  if (!result.problems.empty()) return result;

  std::vector<v1::RegistrySchool> rows;
  std::map<std::string, uint64_t> seen;  // code -> row
  const CodeTable& categories = CodeTable::Of<v1::SchoolCategory>();
  while (reader.Next(&record) == CsvReader::Result::kRecord) {
    const uint64_t row = record.row;
    auto field = [&](const std::string& name) -> std::string {
      auto it = at.find(name);
      if (it == at.end() || it->second >= record.fields.size()) return "";
      return std::string(absl::StripAsciiWhitespace(record.fields[it->second]));
    };
    v1::RegistrySchool s;
    s.set_code(field("code"));
    s.set_name(field("name"));
    s.set_county_code(field("county_code"));
    const size_t before = result.problems.size();
    if (!AllDigits(s.code(), 10)) {
      result.problems.push_back(
          Problem(row, "code", s.code(), "a national institution code has 10 digits"));
    } else if (auto [it, inserted] = seen.emplace(s.code(), row); !inserted) {
      result.problems.push_back(Problem(row, "code", s.code(),
                                        absl::StrCat("duplicate: also on row ", it->second)));
    }
    if (s.name().empty()) result.problems.push_back(Problem(row, "name", "", "required"));
    if (!AllDigits(s.county_code(), 6) || !IsProvinceCode(std::stoi(s.county_code().substr(0, 2)))) {
      result.problems.push_back(Problem(row, "county_code", s.county_code(),
                                        "a county code has 6 digits and starts with a province code"));
    }
    auto category = categories.Parse(field("school_category"));
    if (!category.ok()) {
      result.problems.push_back(Problem(row, "school_category", field("school_category"),
                                        std::string(category.status().message())));
    } else {
      s.set_school_category(static_cast<v1::SchoolCategory>(*category));
    }
    const std::string closed = field("closed");
    if (closed != "" && closed != "0" && closed != "1") {
      result.problems.push_back(Problem(row, "closed", closed, "0 (open) or 1 (closed)"));
    }
    s.set_closed(closed == "1");
    if (result.problems.size() == before) rows.push_back(std::move(s));
  }
  if (!result.problems.empty()) return result;

  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(db_));
  ASSIGN_OR_RETURN(int64_t current, db_.QueryInt("SELECT COALESCE(MAX(version), 0) FROM schools"));
  const uint64_t version = static_cast<uint64_t>(current) + 1;
  // Only rows that differ take the new version.
  ASSIGN_OR_RETURN(sql::Statement upsert,
                   db_.Prepare("INSERT INTO schools VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                               "ON CONFLICT(code) DO UPDATE SET name = ?2, province = ?3, "
                               "county_code = ?4, school_category = ?5, closed = ?6, "
                               "version = ?7 WHERE name IS NOT ?2 OR county_code IS NOT ?4 "
                               "OR school_category IS NOT ?5 OR closed IS NOT ?6"));
  for (const v1::RegistrySchool& s : rows) {
    RETURN_IF_ERROR(upsert
                        .BindAll(s.code(), s.name(), s.county_code().substr(0, 2), s.county_code(),
                                 static_cast<int>(s.school_category()), s.closed() ? 1 : 0,
                                 version)
                        .Run());
    result.changed += db_.Changes();
  }
  RETURN_IF_ERROR(txn.Commit());
  result.rows = rows.size();
  result.version = result.changed > 0 ? version : static_cast<uint64_t>(current);
  return result;
}

absl::StatusOr<uint64_t> SchoolRegistry::Version() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(int64_t v, db_.QueryInt("SELECT COALESCE(MAX(version), 0) FROM schools"));
  return static_cast<uint64_t>(v);
}

absl::StatusOr<SchoolRegistry::Changes> SchoolRegistry::ChangedSince(
    const std::string& province, uint64_t since, uint64_t resume_version,
    const std::string& resume_after_code, size_t limit) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(sql::Transaction snapshot, sql::Transaction::BeginRead(db_));
  ASSIGN_OR_RETURN(int64_t latest, db_.QueryInt("SELECT COALESCE(MAX(version), 0) FROM schools"));
  ASSIGN_OR_RETURN(sql::Statement s,
                   db_.Prepare("SELECT code, name, county_code, school_category, closed, version "
                               "FROM schools WHERE province = ? AND version > ? "
                               "AND (version, code) > (?, ?) "
                               "ORDER BY version, code LIMIT ?"));
  s.BindAll(province, since, resume_version, resume_after_code, static_cast<int64_t>(limit + 1));
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
  if (!out.more) {
    out.complete_to = out.latest;
    return out;
  }
  out.schools.pop_back();
  // The last version on the page may go on: only the ones before it are
  // complete. The next page resumes after the last school sent.
  out.complete_to = std::max(since, out.schools.back().version() - 1);
  out.resume_version = out.schools.back().version();
  out.resume_after_code = out.schools.back().code();
  return out;
}

}  // namespace ntmis::national
