// The national node's data directory: national.db (audit, owner, identity
// and school registries, central accounts, division names) and one
// province-NN.db per province, kept open once used.
//
// Thread-safe.
#ifndef NTMIS_NATIONAL_INGEST_NATIONAL_STORE_H_
#define NTMIS_NATIONAL_INGEST_NATIONAL_STORE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/audit/audit_log.h"
#include "common/sql/wal_checkpointer.h"
#include "national/accounts/central_accounts.h"
#include "national/ingest/province_db.h"
#include "national/ingest/view_warmer.h"
#include "national/registry/audit_anchors.h"
#include "national/registry/division_names.h"
#include "national/registry/identity_registry.h"
#include "national/registry/owner_registry.h"
#include "national/registry/revoked_peers.h"
#include "national/registry/school_registry.h"
#include "national/registry/transfer_relay.h"
#include "ntmis/v1/sync.pb.h"

namespace ntmis::national {

class NationalStore {
 public:
  static absl::StatusOr<std::unique_ptr<NationalStore>> Open(
      const std::string& data_dir);

  // Creates or migrates data_dir/national.db alone (for commands that need
  // only it); returns its path.
  static absl::StatusOr<std::string> PrepareNationalDb(
      const std::string& data_dir);

  // The province's database; created when `create`, else NOT_FOUND if it
  // never synced.
  absl::StatusOr<ProvinceDb*> Province(const std::string& code, bool create)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Every province that ever synced, by code.
  std::vector<std::string> KnownProvinces() const;

  // Finishes the moves `from` released: the registry names the new owner,
  // then the receiving province counts the record it holds, then the
  // release is marked done. Each step is idempotent, so Open finishes what
  // a crash interrupted. The teacher is never counted in two provinces; it
  // is counted in none only until the receiving province has pushed it.
  absl::Status CompleteMoves(ProvinceDb& from);

  // For each ID-card hash: the person's registered number and current
  // owner, if registered (INVALID_ARGUMENT beyond kMaxResolve hashes).
  static constexpr size_t kMaxResolve = 10000;
  absl::StatusOr<v1::ResolveIdentitiesResponse> ResolveIdentities(
      const v1::ResolveIdentitiesRequest& request);

  // Identity conflicts involving `province`: second numbers refused (either
  // side) and people active in two provinces (held here, or this
  // province's teachers held elsewhere).
  absl::StatusOr<v1::IdentityConflicts> IdentityConflictsOf(
      const std::string& province);

  AuditLog& audit() { return *audit_; }
  ViewWarmer& view_warmer() { return warmer_; }
  const OwnerRegistry& owners() const { return *owners_; }
  IdentityRegistry& identities() { return *identities_; }
  SchoolRegistry& schools() { return *schools_; }
  TransferRelay& transfers() { return *transfers_; }
  AuditAnchors& audit_anchors() { return *audit_anchors_; }
  RevokedPeers& revoked_peers() { return revoked_peers_; }
  CentralAccounts& accounts() { return *accounts_; }
  DivisionNames& divisions() { return *divisions_; }

 private:
  NationalStore(std::string dir, std::unique_ptr<AuditLog> audit,
                std::unique_ptr<OwnerRegistry> owners,
                std::unique_ptr<IdentityRegistry> identities,
                std::unique_ptr<SchoolRegistry> schools)
      : dir_(std::move(dir)),
        audit_(std::move(audit)),
        owners_(std::move(owners)),
        identities_(std::move(identities)),
        schools_(std::move(schools)) {}

  const std::string dir_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<OwnerRegistry> owners_;
  std::unique_ptr<TransferRelay> transfers_;
  std::unique_ptr<AuditAnchors> audit_anchors_;
  std::unique_ptr<CentralAccounts> accounts_;
  std::unique_ptr<DivisionNames> divisions_;
  RevokedPeers revoked_peers_;
  std::unique_ptr<IdentityRegistry> identities_;
  std::unique_ptr<SchoolRegistry> schools_;
  // Checkpoints the province files off their batches' commit path; outlives
  // them (declared first).
  sql::WalCheckpointer checkpointer_;
  absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<ProvinceDb>> provinces_
      ABSL_GUARDED_BY(mu_);
  // Reaches the province files: declared after them, so stopped first.
  ViewWarmer warmer_{[this](const std::string& code) -> ProvinceDb* {
    auto db = Province(code, /*create=*/false);
    return db.ok() ? *db : nullptr;
  }};
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_INGEST_NATIONAL_STORE_H_
