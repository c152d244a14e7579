#include "national/identity_registry.h"

#include <algorithm>
#include <ctime>

#include "common/status_macros.h"

namespace ntmis::national {

int64_t IdKeyOf(const std::string& id_hash) {
  if (id_hash.size() < 8) return 0;
  uint64_t key = 0;
  for (int i = 0; i < 8; ++i) key = key << 8 | static_cast<unsigned char>(id_hash[i]);
  return static_cast<int64_t>(key);
}

absl::StatusOr<std::unique_ptr<IdentityRegistry>> IdentityRegistry::Open(
    const std::string& path) {
  sql::OpenOptions options;
  options.mmap_size = int64_t{1} << 34;  // claims read at random places
  options.wal_autocheckpoint_pages = 16384;
  ASSIGN_OR_RETURN(sql::Database db, sql::Database::Open(path, options));
  std::unique_ptr<IdentityRegistry> registry(new IdentityRegistry(std::move(db)));
  absl::MutexLock lock(&registry->mu_);
  ASSIGN_OR_RETURN(sql::Statement all,
                   registry->db_.Prepare("SELECT teacher_number FROM identity_conflicts"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, all.Step());
    if (!row) break;
    registry->conflicted_.insert(all.ColumnText(0));
  }
  return registry;
}

absl::StatusOr<std::vector<std::optional<RegisteredIdentity>>> IdentityRegistry::Resolve(
    const std::vector<std::string>& id_hashes) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(sql::Statement find,
                   db_.Prepare("SELECT id_hash, teacher_number, province FROM identities "
                               "WHERE id_key = ?"));
  std::vector<std::optional<RegisteredIdentity>> out;
  for (const std::string& h : id_hashes) {
    ASSIGN_OR_RETURN(bool row, find.BindAll(IdKeyOf(h)).Step());
    if (row && find.ColumnBlob(0) == h) {
      out.push_back(RegisteredIdentity{find.ColumnText(1), find.ColumnText(2)});
    } else {
      out.push_back(std::nullopt);
    }
    find.Reset();
  }
  return out;
}

absl::StatusOr<std::vector<std::optional<RegisteredIdentity>>> IdentityRegistry::ClaimAll(
    const std::string& province, const std::vector<Claim>& claims) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(db_));
  ASSIGN_OR_RETURN(sql::Statement find,
                   db_.Prepare("SELECT id_hash, teacher_number, province FROM identities "
                               "WHERE id_key = ?"));
  ASSIGN_OR_RETURN(sql::Statement insert,
                   db_.Prepare("INSERT INTO identities VALUES (?, ?, ?, ?, ?) "
                               "ON CONFLICT(id_key) DO NOTHING"));
  ASSIGN_OR_RETURN(sql::Statement conflict,
                   db_.Prepare("INSERT OR REPLACE INTO identity_conflicts VALUES (?, ?, ?, ?, ?)"));
  const int64_t now = std::time(nullptr);
  std::vector<std::optional<RegisteredIdentity>> out(claims.size());
  std::vector<std::string> refused;
  // In key order, so each page of the registry is visited once per batch.
  std::vector<size_t> order(claims.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return IdKeyOf(claims[a].id_hash) < IdKeyOf(claims[b].id_hash);
  });
  for (size_t i : order) {
    const Claim& c = claims[i];
    const int64_t key = IdKeyOf(c.id_hash);
    if (key == 0) continue;
    // A new person is one insert; only a known key is read back.
    RETURN_IF_ERROR(insert.Bind(1, key)
                        .BindBlob(2, c.id_hash)
                        .Bind(3, c.teacher_number)
                        .Bind(4, province)
                        .Bind(5, now)
                        .Run());
    if (db_.Changes() == 1) continue;
    ASSIGN_OR_RETURN(bool row, find.BindAll(key).Step());
    std::optional<RegisteredIdentity> existing;
    // A different person on the same 8-byte key (about one chance in 10^7
    // among 20 million people) is left unregistered rather than confused.
    if (row && find.ColumnBlob(0) == c.id_hash && find.ColumnText(1) != c.teacher_number)
      existing = RegisteredIdentity{find.ColumnText(1), find.ColumnText(2)};
    find.Reset();
    if (existing) {
      RETURN_IF_ERROR(conflict
                          .BindAll(c.teacher_number, province, existing->teacher_number,
                                   existing->province, now)
                          .Run());
      refused.push_back(c.teacher_number);
    }
    out[i] = std::move(existing);
  }
  RETURN_IF_ERROR(txn.Commit());
  conflicted_.insert(refused.begin(), refused.end());
  return out;
}

absl::Status IdentityRegistry::Resolved(const std::string& teacher_number) {
  absl::MutexLock lock(&mu_);
  if (!conflicted_.contains(teacher_number)) return absl::OkStatus();
  ASSIGN_OR_RETURN(sql::Statement s,
                   db_.Prepare("DELETE FROM identity_conflicts WHERE teacher_number = ?"));
  RETURN_IF_ERROR(s.BindAll(teacher_number).Run());
  conflicted_.erase(teacher_number);
  return absl::OkStatus();
}

bool IdentityRegistry::HasConflicts() const {
  absl::MutexLock lock(&mu_);
  return !conflicted_.empty();
}

absl::StatusOr<std::vector<IdentityConflict>> IdentityRegistry::Conflicts(
    const std::string& province) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(sql::Statement s,
                   db_.Prepare("SELECT teacher_number, province, existing_number, "
                               "existing_province, detected_unix FROM identity_conflicts "
                               "WHERE province = ?1 OR existing_province = ?1 "
                               "ORDER BY detected_unix, teacher_number"));
  s.BindAll(province);
  std::vector<IdentityConflict> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back({s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3),
                   s.ColumnInt(4)});
  }
  return out;
}

}  // namespace ntmis::national
