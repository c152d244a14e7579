#include "provincial/sync/identities.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/rpc/grpc_status.h"
#include "ntmis/v1/teacher.pb.h"
#include "provincial/core/teacher_queries.h"
#include "provincial/core/teachers.h"

namespace ntmis::provincial {
namespace {

constexpr size_t kResolveChunk = 10000;

class ChannelResolver final : public IdentityResolver {
 public:
  explicit ChannelResolver(std::unique_ptr<NationalChannel> owned)
      : owned_(std::move(owned)), client_(owned_.get()) {}
  explicit ChannelResolver(NationalChannel& client) : client_(&client) {}

  absl::StatusOr<std::vector<std::optional<KnownIdentity>>> Resolve(
      const std::vector<std::string>& id_hashes) override {
    std::vector<std::optional<KnownIdentity>> out;
    for (size_t from = 0; from < id_hashes.size(); from += kResolveChunk) {
      v1::ResolveIdentitiesRequest request;
      for (size_t i = from;
           i < std::min(id_hashes.size(), from + kResolveChunk); ++i)
        request.add_id_hashes(id_hashes[i]);
      v1::ResolveIdentitiesResponse response;
      grpc::ClientContext context;
      client_->SetDeadline(&context);
      RETURN_IF_ERROR(FromGrpcStatus(
          client_->stub().ResolveIdentities(&context, request, &response)));
      if (response.identities_size() != request.id_hashes_size())
        return absl::DataLossError(
            "the national node answered for a different number of people");
      for (const v1::KnownIdentity& k : response.identities()) {
        if (k.known()) {
          out.push_back(KnownIdentity{k.teacher_number(), k.owner_province()});
        } else {
          out.push_back(std::nullopt);
        }
      }
    }
    return out;
  }

 private:
  std::unique_ptr<NationalChannel> owned_;
  NationalChannel* client_;
};

}  // namespace

std::unique_ptr<IdentityResolver> NationalResolver(
    std::unique_ptr<NationalChannel> client) {
  return std::make_unique<ChannelResolver>(std::move(client));
}

std::unique_ptr<IdentityResolver> NationalResolver(NationalChannel& client) {
  return std::make_unique<ChannelResolver>(client);
}

absl::StatusOr<uint64_t> ReconcileProvisional(Store& store,
                                              IdentityResolver& resolver) {
  uint64_t renumbered = 0;
  while (true) {
    ASSIGN_OR_RETURN(auto pending, ProvisionalTeachers(store, kResolveChunk));
    if (pending.empty()) return renumbered;
    std::vector<std::string> hashes;
    for (const auto& [number, hash] : pending) hashes.push_back(hash);
    ASSIGN_OR_RETURN(auto known, resolver.Resolve(hashes));
    ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store.db()));
    for (size_t i = 0; i < pending.size(); ++i) {
      const std::string& number = pending[i].first;
      if (known[i] && known[i]->teacher_number != number) {
        RETURN_IF_ERROR(
            RenumberTeacher(store, number, known[i]->teacher_number));
        ++renumbered;
      } else {
        // Unknown: this push registers the person under our number.
        RETURN_IF_ERROR(SettleProvisional(store, number));
      }
    }
    RETURN_IF_ERROR(txn.Commit());
  }
}

absl::Status PullIdentityConflicts(NationalChannel& client, Store& store) {
  v1::IdentityConflicts conflicts;
  {
    grpc::ClientContext context;
    client.SetDeadline(&context);
    RETURN_IF_ERROR(FromGrpcStatus(
        client.stub().GetIdentityConflicts(&context, {}, &conflicts)));
  }
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store.db()));
  RETURN_IF_ERROR(store.db().Exec("DELETE FROM identity_conflicts"));
  ASSIGN_OR_RETURN(
      sql::Statement insert,
      store.db().Prepare(
          "INSERT INTO identity_conflicts VALUES (?, ?, ?, ?, ?, ?)"));
  for (const v1::IdentityConflict& c : conflicts.conflicts()) {
    RETURN_IF_ERROR(insert
                        .BindAll(v1::IdentityConflict::Kind_Name(c.kind()),
                                 c.teacher_number(), c.province(),
                                 c.existing_number(), c.existing_province(),
                                 c.detected_unix())
                        .Run());
  }
  return txn.Commit();
}

}  // namespace ntmis::provincial
