#include "national/registry/owner_registry.h"

#include <ctime>

#include "common/base/status_macros.h"

namespace ntmis::national {

absl::StatusOr<std::unique_ptr<OwnerRegistry>> OwnerRegistry::Open(
    const std::string& path) {
  ASSIGN_OR_RETURN(sql::Database db, sql::Database::Open(path));
  std::unique_ptr<OwnerRegistry> registry(new OwnerRegistry(std::move(db)));
  absl::MutexLock lock(&registry->mu_);
  ASSIGN_OR_RETURN(
      sql::Statement all,
      registry->db_.Prepare("SELECT teacher_number, province FROM owners"));
  decltype(registry->moved_)
      moved;  // filled outside the lock's analysis (a lambda)
  RETURN_IF_ERROR(
      all.ForEachRow([&] { moved[all.ColumnText(0)] = all.ColumnText(1); }));
  registry->moved_ = std::move(moved);
  return registry;
}

std::string OwnerRegistry::Owner(absl::string_view teacher_number) const {
  absl::MutexLock lock(&mu_);
  auto it = moved_.find(teacher_number);
  if (it != moved_.end()) return it->second;
  return std::string(teacher_number.substr(0, 2));
}

absl::Status OwnerRegistry::SetOwner(const std::string& teacher_number,
                                     const std::string& province) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(
      sql::Statement set,
      db_.Prepare(
          "INSERT INTO owners VALUES (?, ?, ?) ON CONFLICT(teacher_number) "
          "DO UPDATE SET province = excluded.province, "
          "since_unix = excluded.since_unix"));
  RETURN_IF_ERROR(set.BindAll(teacher_number, province,
                              static_cast<int64_t>(std::time(nullptr)))
                      .Run());
  moved_[teacher_number] = province;
  return absl::OkStatus();
}

}  // namespace ntmis::national
