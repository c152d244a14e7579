// Which province owns a teacher at the national node. A teacher belongs to
// the province of registration (the first two digits of the number) until a
// completed transfer moves it; only moved teachers have a row here
// (national.db `owners`), and all of them are kept in memory.
//
// Thread-safe.
#ifndef NTMIS_NATIONAL_REGISTRY_OWNER_REGISTRY_H_
#define NTMIS_NATIONAL_REGISTRY_OWNER_REGISTRY_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/sql/sqlite.h"

namespace ntmis::national {

class OwnerRegistry {
 public:
  static constexpr const char* kSchema = R"sql(
CREATE TABLE owners (
  teacher_number TEXT PRIMARY KEY,
  province TEXT NOT NULL,
  since_unix INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

  // Loads the registry from national.db (already migrated).
  static absl::StatusOr<std::unique_ptr<OwnerRegistry>> Open(
      const std::string& path);

  // The owning province's two-digit code.
  std::string Owner(absl::string_view teacher_number) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // Records that `province` now owns the teacher (durable before it returns).
  absl::Status SetOwner(const std::string& teacher_number,
                        const std::string& province) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  explicit OwnerRegistry(sql::Database db) : db_(std::move(db)) {}

  mutable absl::Mutex mu_;
  sql::Database db_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::string> moved_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_REGISTRY_OWNER_REGISTRY_H_
