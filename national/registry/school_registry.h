// The national school registry: every school's national institution code,
// name, county and school category, as the ministry publishes it. Each
// import that changes anything is a new registry version; a row carries the
// version that last changed it, so a province pulls exactly what changed
// since the version it has (NationalSync.PullReference). Lives in
// national.db (`schools`).
//
// Thread-safe.
#ifndef NTMIS_NATIONAL_REGISTRY_SCHOOL_REGISTRY_H_
#define NTMIS_NATIONAL_REGISTRY_SCHOOL_REGISTRY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/sql/sqlite.h"
#include "ntmis/v1/provincial.pb.h"
#include "ntmis/v1/sync.pb.h"

namespace ntmis::national {

class SchoolRegistry {
 public:
  static constexpr const char* kSchema = R"sql(
CREATE TABLE schools (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  province TEXT NOT NULL,
  county_code TEXT NOT NULL,
  school_category INTEGER NOT NULL,
  closed INTEGER NOT NULL,
  version INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX schools_by_province ON schools(province, version);
)sql";

  // Registry-template columns, in order; `closed` (0/1) may be left out.
  static const std::vector<std::string>& Columns();

  static absl::StatusOr<std::unique_ptr<SchoolRegistry>> Open(
      const std::string& path);

  struct ImportResult {
    uint64_t rows_read = 0;  // data rows in the file
    uint64_t rows = 0;       // rows without a problem
    uint64_t changed = 0;    // rows that were new or different
    uint64_t version = 0;    // the registry version after the import
    std::vector<v1::ImportProblem> problems;  // non-empty: nothing was stored
  };
  // Imports a registry CSV, read by the one table reader like every
  // provincial template (common/tables/table_reader.h), all or nothing: any
  // problem (row, column, value, rule) leaves the registry as it was.
  // Changed rows get a new version; a dry run reports the same problems and
  // counts the same changes without storing them.
  absl::StatusOr<ImportResult> Import(absl::string_view csv,
                                      bool dry_run = false)
      ABSL_LOCKS_EXCLUDED(mu_);

  // A school's name; "" when the registry does not hold the code.
  std::string NameOf(const std::string& code) ABSL_LOCKS_EXCLUDED(mu_);

  // The current version (0: empty).
  absl::StatusOr<uint64_t> Version() ABSL_LOCKS_EXCLUDED(mu_);

  // The schools of `province` changed after version `since`, in (version,
  // code) order after (resume_version, resume_after_code), at most `limit`.
  // `complete_to`: the version the province has once it applied them; when
  // `more`, the next page resumes after (resume_version, resume_after_code).
  struct Changes {
    std::vector<v1::RegistrySchool> schools;
    uint64_t complete_to = 0;
    uint64_t latest = 0;
    bool more = false;
    uint64_t resume_version = 0;
    std::string resume_after_code;
    // Stored records that break the registry's rules (an import before the
    // rules were checked): left out of `schools`, reported to the province.
    std::vector<v1::SkippedReference> skipped;
  };
  absl::StatusOr<Changes> ChangedSince(const std::string& province,
                                       uint64_t since, uint64_t resume_version,
                                       const std::string& resume_after_code,
                                       size_t limit) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  explicit SchoolRegistry(sql::Database db) : db_(std::move(db)) {}

  absl::Mutex mu_;
  sql::Database db_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_REGISTRY_SCHOOL_REGISTRY_H_
