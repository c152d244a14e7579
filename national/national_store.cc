#include "national/national_store.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace ntmis::national {

absl::StatusOr<std::unique_ptr<NationalStore>> NationalStore::Open(
    const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", data_dir));
  std::string path = data_dir + "/national.db";
  {
    ASSIGN_OR_RETURN(sql::Database db, sql::Database::Open(path));
    RETURN_IF_ERROR(sql::Migrate(db, {AuditLog::kSchema}));
  }
  ASSIGN_OR_RETURN(auto audit, AuditLog::Open(path));
  return std::unique_ptr<NationalStore>(new NationalStore(data_dir, std::move(audit)));
}

absl::StatusOr<ProvinceDb*> NationalStore::Province(const std::string& code, bool create) {
  absl::MutexLock lock(&mu_);
  auto it = provinces_.find(code);
  if (it != provinces_.end()) return it->second.get();
  std::string path = absl::StrCat(dir_, "/province-", code, ".db");
  if (!create && !std::filesystem::exists(path))
    return absl::NotFoundError(absl::StrCat("province ", code, " has never synced"));
  ASSIGN_OR_RETURN(auto db, ProvinceDb::Open(path, code));
  ProvinceDb* raw = db.get();
  provinces_.emplace(code, std::move(db));
  return raw;
}

}  // namespace ntmis::national
