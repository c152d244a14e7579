#include "national/registry/identity_registry.h"

#include <algorithm>
#include <ctime>

#include "common/base/status_macros.h"

namespace ntmis::national {

int64_t IdKeyOf(const std::string& id_hash) {
  if (id_hash.size() < 8) return 0;
  uint64_t key = 0;
  for (int i = 0; i < 8; ++i)
    key = key << 8 | static_cast<unsigned char>(id_hash[i]);
  return static_cast<int64_t>(key);
}

absl::StatusOr<std::unique_ptr<IdentityRegistry>> IdentityRegistry::Open(
    const std::string& path) {
  sql::OpenOptions options;
  options.mmap_size = int64_t{1} << 34;  // look-ups read at random places
  options.cache_size = -16384;           // 16 MiB: reads come through the map
  options.wal_autocheckpoint_pages = 16384;
  ASSIGN_OR_RETURN(sql::Database db, sql::Database::Open(path, options));
  std::unique_ptr<IdentityRegistry> registry(
      new IdentityRegistry(std::move(db)));
  absl::MutexLock lock(&registry->mu_);
  ASSIGN_OR_RETURN(
      sql::Statement all,
      registry->db_.Prepare("SELECT teacher_number FROM identity_conflicts"));
  // Filled in locals: the analysis does not see the lock inside a lambda.
  decltype(registry->conflicted_) conflicted;
  RETURN_IF_ERROR(
      all.ForEachRow([&] { conflicted.insert(all.ColumnText(0)); }));
  registry->conflicted_ = std::move(conflicted);
  ASSIGN_OR_RETURN(
      sql::Statement log,
      registry->db_.Prepare("SELECT id_key, id_hash, teacher_number, province "
                            "FROM identity_log"));
  decltype(registry->log_) logged;
  RETURN_IF_ERROR(log.ForEachRow([&] {
    logged.emplace(log.ColumnInt(0),
                   Logged{std::string(log.ColumnBlob(1)),
                          {log.ColumnText(2), log.ColumnText(3)}});
  }));
  registry->log_ = std::move(logged);
  return registry;
}

absl::StatusOr<std::optional<RegisteredIdentity>> IdentityRegistry::FindLocked(
    const std::string& id_hash, sql::Statement& find) {
  const int64_t key = IdKeyOf(id_hash);
  auto it = log_.find(key);
  if (it != log_.end()) {
    if (it->second.id_hash == id_hash) return it->second.identity;
    return std::nullopt;
  }
  ASSIGN_OR_RETURN(bool row, find.BindAll(key).Step());
  std::optional<RegisteredIdentity> out;
  // A different person on the same 8-byte key (about one chance in 10^7
  // among 20 million people) is not confused with this one.
  if (row && find.ColumnBlob(0) == id_hash)
    out = RegisteredIdentity{find.ColumnText(1), find.ColumnText(2)};
  find.Reset();
  return out;
}

absl::StatusOr<std::vector<std::optional<RegisteredIdentity>>>
IdentityRegistry::Resolve(const std::vector<std::string>& id_hashes) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(
      sql::Statement find,
      db_.Prepare("SELECT id_hash, teacher_number, province FROM identities "
                  "WHERE id_key = ?"));
  std::vector<std::optional<RegisteredIdentity>> out;
  for (const std::string& h : id_hashes) {
    ASSIGN_OR_RETURN(auto found, FindLocked(h, find));
    out.push_back(std::move(found));
  }
  return out;
}

absl::StatusOr<std::vector<std::optional<RegisteredIdentity>>>
IdentityRegistry::ClaimAll(const std::string& province,
                           const std::vector<Claim>& claims) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(db_));
  ASSIGN_OR_RETURN(
      sql::Statement find,
      db_.Prepare("SELECT id_hash, teacher_number, province FROM identities "
                  "WHERE id_key = ?"));
  ASSIGN_OR_RETURN(
      sql::Statement append,
      db_.Prepare("INSERT INTO identity_log VALUES (?, ?, ?, ?, ?)"));
  ASSIGN_OR_RETURN(
      sql::Statement conflict,
      db_.Prepare(
          "INSERT OR REPLACE INTO identity_conflicts VALUES (?, ?, ?, ?, ?)"));
  const int64_t now = std::time(nullptr);
  std::vector<std::optional<RegisteredIdentity>> out(claims.size());
  std::vector<std::string> refused;
  std::vector<std::pair<int64_t, Logged>> added;
  // In key order, so the table's pages are read in order.
  std::vector<size_t> order(claims.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return IdKeyOf(claims[a].id_hash) < IdKeyOf(claims[b].id_hash);
  });
  absl::flat_hash_map<int64_t, size_t> in_this_call;  // key -> index into added
  for (size_t i : order) {
    const Claim& c = claims[i];
    const int64_t key = IdKeyOf(c.id_hash);
    if (key == 0) continue;
    std::optional<RegisteredIdentity> existing;
    if (auto it = in_this_call.find(key); it != in_this_call.end()) {
      if (added[it->second].second.id_hash == c.id_hash)
        existing = added[it->second].second.identity;
    } else {
      ASSIGN_OR_RETURN(existing, FindLocked(c.id_hash, find));
    }
    if (!existing) {
      // A new person (or, rarely, another person on a taken 8-byte key,
      // left unregistered rather than confused).
      if (log_.count(key) || in_this_call.count(key)) continue;
      RETURN_IF_ERROR(append.Bind(1, key)
                          .BindBlob(2, c.id_hash)
                          .Bind(3, c.teacher_number)
                          .Bind(4, province)
                          .Bind(5, now)
                          .Run());
      in_this_call[key] = added.size();
      added.push_back({key, Logged{c.id_hash, {c.teacher_number, province}}});
      continue;
    }
    if (existing->teacher_number == c.teacher_number) continue;
    RETURN_IF_ERROR(conflict
                        .BindAll(c.teacher_number, province,
                                 existing->teacher_number, existing->province,
                                 now)
                        .Run());
    refused.push_back(c.teacher_number);
    out[i] = std::move(existing);
  }
  RETURN_IF_ERROR(txn.Commit());
  for (auto& [key, logged] : added) log_.emplace(key, std::move(logged));
  conflicted_.insert(refused.begin(), refused.end());
  if (log_.size() >= kMergeAt) RETURN_IF_ERROR(MergeLocked());
  return out;
}

absl::Status IdentityRegistry::MergeLocked() {
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(db_));
  RETURN_IF_ERROR(
      db_.Exec("INSERT OR IGNORE INTO identities SELECT id_key, id_hash, "
               "teacher_number, province, "
               "registered_unix FROM identity_log ORDER BY id_key; DELETE FROM "
               "identity_log;"));
  RETURN_IF_ERROR(txn.Commit());
  log_.clear();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> IdentityRegistry::SecondNumbers(
    const std::string& teacher_number) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(
      sql::Statement s,
      db_.Prepare("SELECT teacher_number FROM identity_conflicts "
                  "WHERE existing_number = ? ORDER BY teacher_number"));
  s.BindAll(teacher_number);
  std::vector<std::string> out;
  RETURN_IF_ERROR(s.ForEachRow([&] { out.push_back(s.ColumnText(0)); }));
  return out;
}

absl::Status IdentityRegistry::Resolved(const std::string& teacher_number) {
  absl::MutexLock lock(&mu_);
  if (!conflicted_.contains(teacher_number)) return absl::OkStatus();
  ASSIGN_OR_RETURN(
      sql::Statement s,
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
  ASSIGN_OR_RETURN(
      sql::Statement s,
      db_.Prepare("SELECT teacher_number, province, existing_number, "
                  "existing_province, detected_unix FROM identity_conflicts "
                  "WHERE province = ?1 OR existing_province = ?1 "
                  "ORDER BY detected_unix, teacher_number"));
  s.BindAll(province);
  std::vector<IdentityConflict> out;
  RETURN_IF_ERROR(s.ForEachRow([&] {
    out.push_back({s.ColumnText(0), s.ColumnText(1), s.ColumnText(2),
                   s.ColumnText(3), s.ColumnInt(4)});
  }));
  return out;
}

}  // namespace ntmis::national
