#include "provincial/sync/sync_lock.h"

namespace ntmis::provincial {

std::string SyncLockPath(const std::string& db_path) {
  return db_path + ".sync.lock";
}

absl::StatusOr<FileLock> AcquireSyncLock(const std::string& path) {
  return FileLock::Acquire(path,
                           "another sync of this province is running (a serve "
                           "process or sync --once); "
                           "try again when it ends");
}

}  // namespace ntmis::provincial
