#include "provincial/sync/identities.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"
#include "ntmis/v1/teacher.pb.h"

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
      for (size_t i = from; i < std::min(id_hashes.size(), from + kResolveChunk); ++i)
        request.add_id_hashes(id_hashes[i]);
      v1::ResolveIdentitiesResponse response;
      grpc::ClientContext context;
      client_->SetDeadline(&context);
      RETURN_IF_ERROR(
          FromGrpcStatus(client_->stub().ResolveIdentities(&context, request, &response)));
      if (response.identities_size() != request.id_hashes_size())
        return absl::DataLossError("the national node answered for a different number of people");
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

// The teacher's number changes from `from` to `to` everywhere it is kept.
absl::Status Renumber(Store& store, const std::string& from, const std::string& to) {
  sql::Database& db = store.db();
  ASSIGN_OR_RETURN(sql::Statement taken,
                   db.Prepare("SELECT EXISTS (SELECT 1 FROM teachers WHERE teacher_number = ?)"));
  ASSIGN_OR_RETURN(bool row, taken.BindAll(to).Step());
  if (row && taken.ColumnInt(0) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "teacher ", from, " is registered nationally as ", to,
        ", a number another teacher of this province already has; resolve by hand"));
  }
  ASSIGN_OR_RETURN(sql::Statement read,
                   db.Prepare("SELECT record FROM teachers WHERE teacher_number = ?"));
  ASSIGN_OR_RETURN(row, read.BindAll(from).Step());
  if (!row) return absl::NotFoundError(absl::StrCat("teacher ", from, " vanished"));
  v1::TeacherRecord record;
  if (!record.ParseFromString(std::string(read.ColumnBlob(0))))
    return absl::DataLossError(absl::StrCat("stored record of ", from, " is unreadable"));
  read.Reset();
  record.set_teacher_number(to);
  ASSIGN_OR_RETURN(sql::Statement update,
                   db.Prepare("UPDATE teachers SET teacher_number = ?, record = ?, "
                              "provisional = 0 WHERE teacher_number = ?"));
  RETURN_IF_ERROR(update.Bind(1, to).BindBlob(2, record.SerializeAsString()).Bind(3, from).Run());
  // Its history, entries, change requests and self-service account follow
  // (past versions keep the record as it was, provisional number included).
  for (const char* table : {"outbox", "teacher_versions", "teacher_entries", "entry_versions",
                            "change_requests", "users"}) {
    ASSIGN_OR_RETURN(sql::Statement follow,
                     db.Prepare(absl::StrCat("UPDATE ", table,
                                             " SET teacher_number = ? WHERE teacher_number = ?")));
    RETURN_IF_ERROR(follow.BindAll(to, from).Run());
  }
  ASSIGN_OR_RETURN(sql::Statement account,
                   db.Prepare("UPDATE users SET username = ? WHERE username = ? AND "
                              "role = 'teacher'"));
  return account.BindAll(to, from).Run();
}

}  // namespace

std::unique_ptr<IdentityResolver> NationalResolver(std::unique_ptr<NationalChannel> client) {
  return std::make_unique<ChannelResolver>(std::move(client));
}

std::unique_ptr<IdentityResolver> NationalResolver(NationalChannel& client) {
  return std::make_unique<ChannelResolver>(client);
}

absl::StatusOr<uint64_t> ReconcileProvisional(Store& store, IdentityResolver& resolver) {
  uint64_t renumbered = 0;
  ASSIGN_OR_RETURN(sql::Statement pending,
                   store.db().Prepare("SELECT teacher_number, id_hash FROM teachers "
                                      "WHERE provisional = 1 LIMIT ?"));
  while (true) {
    std::vector<std::string> numbers, hashes;
    pending.BindAll(static_cast<int64_t>(kResolveChunk));
    RETURN_IF_ERROR(pending.ForEachRow([&] {
      numbers.push_back(pending.ColumnText(0));
      hashes.emplace_back(pending.ColumnBlob(1));
    }));
    pending.Reset();
    if (numbers.empty()) return renumbered;
    ASSIGN_OR_RETURN(auto known, resolver.Resolve(hashes));
    ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store.db()));
    ASSIGN_OR_RETURN(sql::Statement settle,
                     store.db().Prepare("UPDATE teachers SET provisional = 0 "
                                        "WHERE teacher_number = ?"));
    for (size_t i = 0; i < numbers.size(); ++i) {
      if (known[i] && known[i]->teacher_number != numbers[i]) {
        RETURN_IF_ERROR(Renumber(store, numbers[i], known[i]->teacher_number));
        ++renumbered;
      } else {
        // Unknown: this push registers the person under our number.
        RETURN_IF_ERROR(settle.BindAll(numbers[i]).Run());
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
    RETURN_IF_ERROR(FromGrpcStatus(client.stub().GetIdentityConflicts(&context, {}, &conflicts)));
  }
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store.db()));
  RETURN_IF_ERROR(store.db().Exec("DELETE FROM identity_conflicts"));
  ASSIGN_OR_RETURN(sql::Statement insert,
                   store.db().Prepare("INSERT INTO identity_conflicts VALUES (?, ?, ?, ?, ?, ?)"));
  for (const v1::IdentityConflict& c : conflicts.conflicts()) {
    RETURN_IF_ERROR(insert
                        .BindAll(v1::IdentityConflict::Kind_Name(c.kind()), c.teacher_number(),
                                 c.province(), c.existing_number(), c.existing_province(),
                                 c.detected_unix())
                        .Run());
  }
  return txn.Commit();
}

}  // namespace ntmis::provincial
