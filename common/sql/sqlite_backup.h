// Consistent copies of a live SQLite database, and the checks a copy must
// pass before a node is brought back from it (docs/operators.md, "Backups").
#ifndef NTMIS_COMMON_SQL_SQLITE_BACKUP_H_
#define NTMIS_COMMON_SQL_SQLITE_BACKUP_H_

#include <string>

#include "absl/status/status.h"

namespace ntmis::sql {

// Copies the database at `from` to `to` (created mode 0600; ALREADY_EXISTS
// if it exists, nothing written) as of one moment: `VACUUM INTO`, in one
// read transaction, while other connections keep writing. The copy is
// checked (`PRAGMA integrity_check`) and removed if it fails.
absl::Status CopyDatabase(const std::string& from, const std::string& to);

// Whether `path` is an intact SQLite database: INVALID_ARGUMENT naming what
// it is not (not a file, not SQLite, damaged).
absl::Status CheckIntactDatabase(const std::string& path);

// The swap at the end of a restore, for both nodes: moves the database at
// `live` with its -wal and -shm files (those that exist) to `aside` (same
// suffixes), then the restored copy at `incoming` (none when empty) to
// `live`. INTERNAL
// naming the file that could not move and where the other copy is.
absl::Status SwapInRestored(const std::string& incoming,
                            const std::string& live, const std::string& aside);

}  // namespace ntmis::sql

#endif  // NTMIS_COMMON_SQL_SQLITE_BACKUP_H_
