// The national node's data directory: national.db (audit) and one
// province-NN.db per province, opened on first use and kept open.
//
// Thread-safe.
#ifndef NTMIS_NATIONAL_NATIONAL_STORE_H_
#define NTMIS_NATIONAL_NATIONAL_STORE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/audit_log.h"
#include "national/province_db.h"

namespace ntmis::national {

class NationalStore {
 public:
  static absl::StatusOr<std::unique_ptr<NationalStore>> Open(const std::string& data_dir);

  // The province's database; created when `create`, else NOT_FOUND if it
  // never synced.
  absl::StatusOr<ProvinceDb*> Province(const std::string& code, bool create)
      ABSL_LOCKS_EXCLUDED(mu_);

  AuditLog& audit() { return *audit_; }

 private:
  NationalStore(std::string dir, std::unique_ptr<AuditLog> audit)
      : dir_(std::move(dir)), audit_(std::move(audit)) {}

  const std::string dir_;
  std::unique_ptr<AuditLog> audit_;
  absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<ProvinceDb>> provinces_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_NATIONAL_STORE_H_
