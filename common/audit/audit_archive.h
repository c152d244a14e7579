// Audit entries moved out of the database into archive files that keep the
// chain verifiable (docs/operators.md, "The audit trail": retention and
// archives). The audit log (common/audit/audit_log.h) writes one file per run
// of consecutive entries older than the configured age; `audit verify
// --archive` reads them back.
//
// A file is text: a magic line, the first entry's number and the hash the
// chain had before it, one line per entry (number, time, the five fields
// percent-escaped, the entry's hash), then the last entry's number and hash,
// and an HMAC of everything before it under the database's audit key
// (common/audit/audit_anchor.h), so a file cannot be edited or forged without
// the key. Files are named `audit-<first>-<last>.ntmis-audit` (numbers padded
// to 12 digits), written through a temporary file and flushed to disk, mode
// 0600. The node never deletes an archive.
//
// Thread-safe: functions over files.
#ifndef NTMIS_COMMON_AUDIT_AUDIT_ARCHIVE_H_
#define NTMIS_COMMON_AUDIT_AUDIT_ARCHIVE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/audit/audit_anchor.h"
#include "common/audit/audit_entry.h"
#include "ntmis/v1/config.pb.h"

namespace ntmis {

// Where and when a node archives, from its configuration.
struct AuditArchivePlan {
  bool enabled = true;
  std::string dir;  // the database's path + ".audit-archive" unless configured
  absl::Duration after = absl::Hours(24 * 90);
};
AuditArchivePlan AuditArchivePlanFrom(const v1::AuditRetention& retention,
                                      const std::string& db_path);

// An entry with its stored hash.
struct ChainedAuditEntry {
  StoredAuditEntry stored;
  std::string hash;
};

// What an archive file holds, as its name and its checked contents say.
struct AuditArchiveFile {
  std::string path;
  uint64_t first = 0;
  uint64_t last = 0;
  std::string prev_hash;  // the chain before `first` (empty when first is 1)
  std::string last_hash;
  int64_t first_at_unix = 0;
  int64_t last_at_unix = 0;
};

// Writes `entries` (consecutive, non-empty) as one archive in `dir`
// (created, mode 0700) after `prev_hash`, MAC'd with `key`. The path.
absl::StatusOr<std::string> WriteAuditArchive(
    const std::string& dir, const AuditAnchor& key,
    const std::string& prev_hash,
    const std::vector<ChainedAuditEntry>& entries);

// The archive files in `dir` by their names, in entry order (unchecked:
// first and last from the names). Empty when `dir` does not exist.
absl::StatusOr<std::vector<AuditArchiveFile>> ListAuditArchives(
    const std::string& dir);

// Reads the archive at `path`: its MAC under `key`, then every entry's
// hash recomputed from its prev hash. DATA_LOSS naming the file and the
// first entry or line that is wrong. `on_entry` (when given) is called
// after each entry.
absl::StatusOr<AuditArchiveFile> ReadAuditArchive(
    const std::string& path, const AuditAnchor& key,
    const std::function<void()>& on_entry = {});

}  // namespace ntmis

#endif  // NTMIS_COMMON_AUDIT_AUDIT_ARCHIVE_H_
