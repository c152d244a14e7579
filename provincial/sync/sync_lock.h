// The province's sync lock: one sync of a province at a time across
// processes (the scheduled sync in `serve`, `sync --once`, `sync --verify`),
// an exclusive lock file beside the database.
#ifndef NTMIS_PROVINCIAL_SYNC_SYNC_LOCK_H_
#define NTMIS_PROVINCIAL_SYNC_SYNC_LOCK_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/base/file_lock.h"

namespace ntmis::provincial {

// The province's sync lock at `path` (common/base/file_lock.h): ABORTED if
// another sync of the province (a serve process or sync --once) holds it.
absl::StatusOr<FileLock> AcquireSyncLock(const std::string& path);

// The lock file of the province database at `db_path`.
std::string SyncLockPath(const std::string& db_path);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_SYNC_SYNC_LOCK_H_
