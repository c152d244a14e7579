#include "national/sync_service.h"

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/peer_identity.h"

namespace ntmis::national {

absl::StatusOr<ProvinceDb*> SyncService::CallerProvince(grpc::ServerContext* context,
                                                        const char* action) {
  auto caller = CallerIdentity(*context);
  if (!caller.ok()) {
    (void)store_.audit().Append({context->peer(), action, "", "UNAUTHENTICATED",
                                 std::string(caller.status().message())});
    return caller.status();
  }
  if (caller->kind != PeerIdentity::Kind::kProvince) {
    absl::Status denied = absl::PermissionDeniedError(absl::StrCat(
        action, " needs a province node certificate (spiffe://ntmis/province/NN); caller is ",
        caller->Uri()));
    (void)store_.audit().Append(
        {caller->Uri(), action, "", "PERMISSION_DENIED", std::string(denied.message())});
    return denied;
  }
  return store_.Province(caller->name, /*create=*/true);
}

grpc::Status SyncService::GetCursor(grpc::ServerContext* context,
                                    const v1::GetCursorRequest* request,
                                    v1::Cursor* response) {
  auto db = CallerProvince(context, "sync.cursor");
  if (!db.ok()) return ToGrpcStatus(db.status());
  auto state = (*db)->State();
  if (!state.ok()) return ToGrpcStatus(state.status());
  response->set_applied_seq(state->applied_seq);
  response->set_records_held(state->records);
  return grpc::Status::OK;
}

grpc::Status SyncService::Push(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::PushAck, v1::PushBatch>* stream) {
  auto db = CallerProvince(context, "sync.push");
  if (!db.ok()) return ToGrpcStatus(db.status());
  const std::string actor = absl::StrCat("spiffe://ntmis/province/", (*db)->province());
  v1::PushBatch batch;
  uint64_t applied = 0, rejected = 0;
  while (stream->Read(&batch)) {
    auto ack = (*db)->Apply(batch, max_batch_changes_);
    if (!ack.ok()) {
      std::string result = absl::StatusCodeToString(ack.status().code());
      (void)store_.audit().Append(
          {actor, "sync.push", "", result, std::string(ack.status().message())});
      (void)(*db)->RecordFailure(absl::StrCat(result, ": ", ack.status().message()));
      return ToGrpcStatus(ack.status());
    }
    applied += ack->applied();
    rejected += ack->rejections_size();
    if (!stream->Write(*ack)) break;
  }
  if (applied > 0 || rejected > 0) {
    (void)store_.audit().Append({actor, "sync.push", "", "ok",
                                 absl::StrCat("applied ", applied, " rejected ", rejected)});
  }
  return grpc::Status::OK;
}

}  // namespace ntmis::national
