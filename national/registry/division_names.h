// The names of the provinces' cities and counties, as each province's sync
// hello sends them (GetCursorRequest.divisions), so every national answer
// names a place instead of showing its code (docs/architecture.md, "The
// ministry's console"). Kept in national.db (`divisions`) and in memory;
// a province's list is written only when it changed.
//
// Thread-safe.
#ifndef NTMIS_NATIONAL_REGISTRY_DIVISION_NAMES_H_
#define NTMIS_NATIONAL_REGISTRY_DIVISION_NAMES_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/sql/sqlite.h"
#include "ntmis/v1/sync.pb.h"

namespace ntmis::national {

class DivisionNames {
 public:
  static constexpr const char* kSchema = R"sql(
CREATE TABLE divisions (
  code TEXT PRIMARY KEY,
  province TEXT NOT NULL,
  name TEXT NOT NULL
) WITHOUT ROWID;
)sql";

  static absl::StatusOr<std::unique_ptr<DivisionNames>> Open(
      const std::string& path);

  // `province`'s cities and counties as it sent them now: INVALID_ARGUMENT
  // for a code outside the province or of the wrong length, or an empty
  // name (nothing is stored then). Replaces the province's list when it
  // differs.
  absl::Status Update(
      const std::string& province,
      const google::protobuf::RepeatedPtrField<v1::DivisionName>& divisions)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The name of a 4- or 6-digit code; "" when no province sent it.
  std::string Name(const std::string& code) const ABSL_LOCKS_EXCLUDED(mu_);

  // A province's divisions (every province's when `province` is empty), by
  // code.
  std::vector<v1::DivisionName> List(const std::string& province) const
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  explicit DivisionNames(sql::Database db) : db_(std::move(db)) {}

  mutable absl::Mutex mu_;
  sql::Database db_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> names_
      ABSL_GUARDED_BY(mu_);  // code -> name
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_REGISTRY_DIVISION_NAMES_H_
