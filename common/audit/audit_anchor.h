// The audit chain's head kept outside the database, so that cutting entries
// off the end, rewriting entries with every later hash recomputed, or putting
// back an older copy of the database is noticed (docs/operators.md, "The
// audit trail").
//
// The anchor is a small file beside the database (`<db>.audit-anchor`) that
// names the number of entries and the last entry's hash, with an HMAC under
// a key of its own (`<db>.audit-key`, mode 0600, created on first use). The
// key is not in the database: whoever can only write the database cannot
// write a matching anchor. Whoever holds the key and both files can still
// put back an older pair; the national node catches that, because each sync
// sends the province's head and the national node keeps the highest it has
// seen (national/registry/audit_anchors.h).
//
// Thread-safe: Write and Read may be called from any thread and from
// several processes (a write is a rename of a private temporary file).
#ifndef NTMIS_COMMON_AUDIT_AUDIT_ANCHOR_H_
#define NTMIS_COMMON_AUDIT_AUDIT_ANCHOR_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ntmis {

// Where a hash chain ends: `count` entries, the last with `hash` (32 bytes).
struct AuditHead {
  uint64_t count = 0;
  std::string hash;
  int64_t at_unix = 0;  // when this head was recorded
  // A number kept with the head by files other than the anchor (the
  // verified mark: the database's schema version when it was verified).
  int64_t mark = 0;
};

// The files kept beside a database under its audit key
// (common/audit/audit_log.h): the chain's head; how far the chain was last
// verified (Verify starts there); and, once entries were archived, the last
// archived entry, from which the chain in the database goes on.
enum class AuditMarkFile { kAnchor, kVerified, kArchivedBase };

class AuditAnchor {
 public:
  // The anchor of the database at `db_path`. Creates the key file when it
  // does not exist (`created_key()` then says so).
  static absl::StatusOr<AuditAnchor> Open(
      const std::string& db_path, AuditMarkFile which = AuditMarkFile::kAnchor);

  // Replaces the anchor with `head`.
  absl::Status Write(const AuditHead& head) const;
  // The same file kind's sibling for this database (shares the key).
  AuditAnchor Sibling(AuditMarkFile which) const;
  // HMAC-SHA256 of `data` under the audit key, hex: for files written
  // under it (the archives, common/audit/audit_archive.h).
  std::string MacOf(absl::string_view data) const;
  // The anchor; nullopt when there is no anchor file. DATA_LOSS when the
  // file is not an anchor or its MAC does not match the key.
  absl::StatusOr<std::optional<AuditHead>> Read() const;

  bool created_key() const { return created_key_; }
  const std::string& path() const { return path_; }

 private:
  AuditAnchor(std::string db_path, AuditMarkFile which, std::string key,
              bool created);
  std::string Mac(const AuditHead& head) const;

  std::string db_path_;
  AuditMarkFile which_;
  std::string magic_;
  std::string path_;
  std::string key_;
  bool created_key_ = false;
};

}  // namespace ntmis

#endif  // NTMIS_COMMON_AUDIT_AUDIT_ANCHOR_H_
