// Backing up a running national node and bringing a stopped one back from a
// backup (docs/operators.md, "Backups"). A backup is a new directory holding
// a copy of national.db and of every province-NN.db, each copied as of one
// moment while the node keeps working (the files one after the other: a
// province's sync between two copies is re-sent by its next `sync --verify`).
// The keys (the federation ID-hash key, the node's certificate and key, the
// audit anchor's key) are not in it and are named for the operator.
#ifndef NTMIS_NATIONAL_SERVER_BACKUP_H_
#define NTMIS_NATIONAL_SERVER_BACKUP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ntmis/v1/config.pb.h"

namespace ntmis::national {

struct NationalBackupReport {
  std::vector<std::string> files;  // names within the backup directory
  uint64_t bytes = 0;
  std::vector<std::string> keys_not_included;
  std::string set_aside;  // restore: where the replaced files went
};

// Copies the node's files into the new directory `to` (ALREADY_EXISTS when
// it exists; created mode 0700), and audits it.
absl::StatusOr<NationalBackupReport> BackupNational(
    const v1::NationalConfig& config, const std::string& to);

// Replaces the node's files with the backup in `from`, the node being
// stopped. Refused with nothing changed: a directory without an intact
// national.db, a file in it that is not an intact database
// (INVALID_ARGUMENT), a node still running (FAILED_PRECONDITION). The files
// replaced go to `data_dir/before-restore-<UTC time>/`; the audit anchor
// follows the restored chain and the restore is audited in it.
absl::StatusOr<NationalBackupReport> RestoreNational(
    const v1::NationalConfig& config, const std::string& from);

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_SERVER_BACKUP_H_
