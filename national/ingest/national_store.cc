#include "national/ingest/national_store.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/pki/peer_identity.h"

namespace ntmis::national {

absl::StatusOr<std::string> NationalStore::PrepareNationalDb(
    const std::string& data_dir) {
  std::error_code ec;
  if (!std::filesystem::exists(data_dir, ec)) {
    std::filesystem::create_directories(data_dir, ec);
    // The national data: the node's user's only.
    if (!ec)
      std::filesystem::permissions(data_dir, std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::replace, ec);
  }
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", data_dir));
  std::string path = data_dir + "/national.db";
  ASSIGN_OR_RETURN(sql::Database db, sql::Database::Open(path));
  RETURN_IF_ERROR(sql::Migrate(
      db, {AuditLog::kSchema, OwnerRegistry::kSchema, IdentityRegistry::kSchema,
           SchoolRegistry::kSchema, IdentityRegistry::kLogSchema,
           TransferRelay::kSchema, AuditAnchors::kSchema,
           CentralAccounts::kSchema, DivisionNames::kSchema}));
  return path;
}

absl::StatusOr<std::unique_ptr<NationalStore>> NationalStore::Open(
    const std::string& data_dir) {
  ASSIGN_OR_RETURN(std::string path, PrepareNationalDb(data_dir));
  ASSIGN_OR_RETURN(auto audit, AuditLog::Open(path));
  ASSIGN_OR_RETURN(auto owners, OwnerRegistry::Open(path));
  ASSIGN_OR_RETURN(auto identities, IdentityRegistry::Open(path));
  ASSIGN_OR_RETURN(auto schools, SchoolRegistry::Open(path));
  std::unique_ptr<NationalStore> store(
      new NationalStore(data_dir, std::move(audit), std::move(owners),
                        std::move(identities), std::move(schools)));
  ASSIGN_OR_RETURN(store->transfers_, TransferRelay::Open(path));
  ASSIGN_OR_RETURN(store->audit_anchors_, AuditAnchors::Open(path));
  ASSIGN_OR_RETURN(store->accounts_,
                   CentralAccounts::Open(path, *store->audit_));
  ASSIGN_OR_RETURN(store->divisions_, DivisionNames::Open(path));
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
    audit_->Append(
        {PeerIdentity::Province(from.province()).Uri(), "sync.move",
         d.teacher_number, "ok",
         absl::StrCat("to province ", d.to_province,
                      taken ? "; counted there" : "; awaiting its record")});
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ResolveIdentitiesResponse> NationalStore::ResolveIdentities(
    const v1::ResolveIdentitiesRequest& request) {
  if (static_cast<size_t>(request.id_hashes_size()) > kMaxResolve) {
    return absl::InvalidArgumentError(
        absl::StrCat(request.id_hashes_size(),
                     " identities in one request; at most ", kMaxResolve));
  }
  for (const std::string& h : request.id_hashes()) {
    if (h.size() != 32)
      return absl::InvalidArgumentError(
          "an ID-card hash is 32 bytes (HMAC-SHA256)");
  }
  ASSIGN_OR_RETURN(auto found,
                   identities_->Resolve({request.id_hashes().begin(),
                                         request.id_hashes().end()}));
  v1::ResolveIdentitiesResponse response;
  for (const auto& f : found) {
    v1::KnownIdentity* k = response.add_identities();
    if (!f) continue;
    k->set_known(true);
    k->set_teacher_number(f->teacher_number);
    k->set_owner_province(owners_->Owner(f->teacher_number));
  }
  return response;
}

absl::StatusOr<v1::IdentityConflicts> NationalStore::IdentityConflictsOf(
    const std::string& province) {
  v1::IdentityConflicts out;
  ASSIGN_OR_RETURN(std::vector<IdentityConflict> refused,
                   identities_->Conflicts(province));
  for (const IdentityConflict& c : refused) {
    v1::IdentityConflict* x = out.add_conflicts();
    x->set_kind(v1::IdentityConflict::TWO_NUMBERS);
    x->set_teacher_number(c.teacher_number);
    x->set_province(c.province);
    x->set_existing_number(c.existing_number);
    x->set_existing_province(c.existing_province);
    x->set_detected_unix(c.detected_unix);
  }
  for (const std::string& code : KnownProvinces()) {
    ASSIGN_OR_RETURN(ProvinceDb * db, Province(code, /*create=*/false));
    ASSIGN_OR_RETURN(std::vector<std::string> held, db->Held());
    for (const std::string& number : held) {
      const std::string owner = owners_->Owner(number);
      if (code != province && owner != province) continue;
      v1::IdentityConflict* x = out.add_conflicts();
      x->set_kind(v1::IdentityConflict::ACTIVE_IN_TWO_PROVINCES);
      x->set_teacher_number(number);
      x->set_province(code);
      x->set_existing_number(number);
      x->set_existing_province(owner);
    }
  }
  return out;
}

absl::StatusOr<ProvinceDb*> NationalStore::Province(const std::string& code,
                                                    bool create) {
  absl::MutexLock lock(&mu_);
  auto it = provinces_.find(code);
  if (it != provinces_.end()) return it->second.get();
  std::string path = absl::StrCat(dir_, "/province-", code, ".db");
  if (!create && !std::filesystem::exists(path))
    return absl::NotFoundError(
        absl::StrCat("province ", code, " has never synced"));
  ASSIGN_OR_RETURN(auto db, ProvinceDb::Open(path, code, *owners_, *identities_,
                                             &checkpointer_));
  ProvinceDb* raw = db.get();
  provinces_.emplace(code, std::move(db));
  return raw;
}

}  // namespace ntmis::national
