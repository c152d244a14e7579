#include "national/national_store.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/peer_identity.h"
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
    RETURN_IF_ERROR(sql::Migrate(
        db, {AuditLog::kSchema, OwnerRegistry::kSchema, IdentityRegistry::kSchema}));
  }
  ASSIGN_OR_RETURN(auto audit, AuditLog::Open(path));
  ASSIGN_OR_RETURN(auto owners, OwnerRegistry::Open(path));
  ASSIGN_OR_RETURN(auto identities, IdentityRegistry::Open(path));
  std::unique_ptr<NationalStore> store(new NationalStore(
      data_dir, std::move(audit), std::move(owners), std::move(identities)));
  for (const std::string& code : store->KnownProvinces()) {
    ASSIGN_OR_RETURN(ProvinceDb * db, store->Province(code, /*create=*/false));
    RETURN_IF_ERROR(store->CompleteMoves(*db));
  }
  return store;
}

std::vector<std::string> NationalStore::KnownProvinces() const {
  std::vector<std::string> codes;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    // province-NN.db
    if (name.size() == 14 && absl::StartsWith(name, "province-") &&
        absl::EndsWith(name, ".db")) {
      codes.push_back(name.substr(9, 2));
    }
  }
  std::sort(codes.begin(), codes.end());
  return codes;
}

absl::Status NationalStore::CompleteMoves(ProvinceDb& from) {
  ASSIGN_OR_RETURN(std::vector<Departure> departures, from.PendingDepartures());
  for (const Departure& d : departures) {
    RETURN_IF_ERROR(owners_->SetOwner(d.teacher_number, d.to_province));
    ASSIGN_OR_RETURN(ProvinceDb * to, Province(d.to_province, /*create=*/true));
    ASSIGN_OR_RETURN(bool taken, to->TakeIn(d.teacher_number));
    (void)taken;
    RETURN_IF_ERROR(from.MarkDeparted(d.teacher_number));
    (void)audit_->Append({PeerIdentity::Province(from.province()).Uri(),
                          "sync.move", d.teacher_number, "ok",
                          absl::StrCat("to province ", d.to_province,
                                       taken ? "; counted there" : "; awaiting its record")});
  }
  return absl::OkStatus();
}

absl::StatusOr<ProvinceDb*> NationalStore::Province(const std::string& code, bool create) {
  absl::MutexLock lock(&mu_);
  auto it = provinces_.find(code);
  if (it != provinces_.end()) return it->second.get();
  std::string path = absl::StrCat(dir_, "/province-", code, ".db");
  if (!create && !std::filesystem::exists(path))
    return absl::NotFoundError(absl::StrCat("province ", code, " has never synced"));
  ASSIGN_OR_RETURN(auto db, ProvinceDb::Open(path, code, *owners_, *identities_));
  ProvinceDb* raw = db.get();
  provinces_.emplace(code, std::move(db));
  return raw;
}

}  // namespace ntmis::national
