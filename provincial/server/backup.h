// Backing up a running provincial node and bringing a stopped one back from
// a backup (docs/operators.md, "Backups"). A backup is the database alone,
// copied as of one moment while the node keeps working; the keys it needs
// (the ID-hash and sealing keys, the node's certificate and key, the audit
// anchor's key) are never in it and are named so the operator keeps them
// elsewhere.
#ifndef NTMIS_PROVINCIAL_SERVER_BACKUP_H_
#define NTMIS_PROVINCIAL_SERVER_BACKUP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ntmis/v1/config.pb.h"

namespace ntmis::provincial {

struct BackupReport {
  std::string province;
  uint64_t teachers = 0;       // records in the copy
  uint64_t audit_entries = 0;  // the copy's audit chain
  uint64_t bytes = 0;
  std::vector<std::string> keys_not_included;  // files to keep elsewhere
};

// Copies the node's database to `to` (ALREADY_EXISTS when `to` exists;
// nothing written) while the node may be serving, and audits it.
absl::StatusOr<BackupReport> BackupNode(const v1::ProvincialConfig& config,
                                        const std::string& to);

struct RestoreReport {
  BackupReport backup;    // what the restored database holds
  std::string set_aside;  // where the database it replaced went ("" if none)
};

// Replaces the node's database with the backup at `from`, the node being
// stopped. Refused, with nothing changed: a file that is not an intact
// SQLite database or not a provincial node's (INVALID_ARGUMENT), a backup of
// another province (FAILED_PRECONDITION), a node or sync still running
// (FAILED_PRECONDITION). The database replaced is kept beside it as
// `<db>.before-restore-<UTC time>` with its WAL; the audit anchor is moved to
// the restored chain and the restore is audited in it.
absl::StatusOr<RestoreReport> RestoreNode(const v1::ProvincialConfig& config,
                                          const std::string& from);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_SERVER_BACKUP_H_
