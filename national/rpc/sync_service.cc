#include "national/rpc/sync_service.h"

#include <ctime>
#include <deque>
#include <iostream>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/base/config.h"
#include "common/base/status_macros.h"
#include "common/metrics/metrics.h"
#include "common/pki/peer_identity.h"
#include "common/pki/revocation_check.h"
#include "common/pki/tls.h"
#include "common/rpc/grpc_status.h"
#include "common/tables/table_reader.h"
#include "common/teacher/code_tables.h"
#include "common/teacher/record_digest.h"
#include "common/teacher/sync_versions.h"
#include "national/rpc/push_reader.h"

namespace ntmis::national {
namespace {

// The province's health shows its last failure (ProvinceDb::RecordFailure).
// If even that cannot be written, the node's log says so; the call's own
// error still goes back to the province.
void NoteFailure(ProvinceDb& db, const std::string& result) {
  absl::Status noted = db.RecordFailure(result);
  if (!noted.ok())
    std::cerr << "ntmis-national: province " << db.province()
              << ": its sync failure could not be recorded (" << noted.message()
              << ")\n";
}

}  // namespace

absl::StatusOr<ProvinceDb*> SyncService::CallerProvince(
    grpc::ServerContext* context, const char* action) {
  // Nothing is done that the audit cannot record (common/audit/audit_log.h).
  RETURN_IF_ERROR(store_.audit().Writable());
  auto caller = CallerIdentity(*context);
  if (!caller.ok()) {
    store_.audit().Append({context->peer(), action, "", "UNAUTHENTICATED",
                           std::string(caller.status().message())});
    return caller.status();
  }
  if (caller->kind != PeerIdentity::Kind::kProvince) {
    absl::Status denied = absl::PermissionDeniedError(
        absl::StrCat(action,
                     " needs a province node certificate "
                     "(spiffe://ntmis/province/NN); caller is ",
                     caller->Uri()));
    store_.audit().Append({caller->Uri(), action, "", "PERMISSION_DENIED",
                           std::string(denied.message())});
    return denied;
  }
  return store_.Province(caller->name, /*create=*/true);
}

grpc::Status SyncService::GetCursor(grpc::ServerContext* context,
                                    const v1::GetCursorRequest* request,
                                    v1::Cursor* response) {
  auto db = CallerProvince(context, "sync.cursor");
  if (!db.ok()) return ToGrpcStatus(db.status());
  const SyncVersions own = OwnSyncVersions();
  absl::Status versions = CheckSyncVersions(
      {request->protocol_version(), 0, request->catalog_version()}, own);
  if (!versions.ok()) {
    store_.audit().Append({PeerIdentity::Province((*db)->province()).Uri(),
                           "sync.cursor", "", "FAILED_PRECONDITION",
                           std::string(versions.message())});
    NoteFailure(**db, std::string(versions.message()));
    return ToGrpcStatus(versions);
  }
  absl::Status noted = (*db)->NoteHello(*request);
  if (!noted.ok()) return ToGrpcStatus(noted);
  // The places' names, for national answers (a bad list is refused whole
  // and said in the audit; the sync goes on).
  if (absl::Status named =
          store_.divisions().Update((*db)->province(), request->divisions());
      !named.ok()) {
    store_.audit().Append(
        {PeerIdentity::Province((*db)->province()).Uri(), "sync.divisions", "",
         absl::StatusCodeToString(named.code()), std::string(named.message())});
  }
  auto state = (*db)->State();
  if (!state.ok()) return ToGrpcStatus(state.status());
  response->set_applied_seq(state->applied_seq);
  response->set_records_held(state->records);
  metrics::RecordsHeld((*db)->province(), state->records);
  response->set_protocol_version(own.protocol);
  response->set_min_protocol_version(own.min_protocol);
  response->set_catalog_version(own.catalog);
  return grpc::Status::OK;
}

grpc::Status SyncService::ResolveIdentities(
    grpc::ServerContext* context, const v1::ResolveIdentitiesRequest* request,
    v1::ResolveIdentitiesResponse* response) {
  auto db = CallerProvince(context, "sync.resolve");
  if (!db.ok()) return ToGrpcStatus(db.status());
  auto result = store_.ResolveIdentities(*request);
  int known = 0;
  if (result.ok())
    for (const auto& k : result->identities()) known += k.known();
  store_.audit().Append(
      {PeerIdentity::Province((*db)->province()).Uri(), "sync.resolve", "",
       result.ok() ? "ok" : absl::StatusCodeToString(result.status().code()),
       result.ok() ? absl::StrCat(request->id_hashes_size(), " asked, ", known,
                                  " known")
                   : std::string(result.status().message())});
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

grpc::Status SyncService::GetIdentityConflicts(
    grpc::ServerContext* context, const v1::IdentityConflictsRequest*,
    v1::IdentityConflicts* response) {
  auto db = CallerProvince(context, "sync.conflicts");
  if (!db.ok()) return ToGrpcStatus(db.status());
  auto result = store_.IdentityConflictsOf((*db)->province());
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

grpc::Status SyncService::ExchangeTransfers(grpc::ServerContext* context,
                                            const v1::TransferMail* request,
                                            v1::TransferMail* response) {
  auto db = CallerProvince(context, "sync.transfers");
  if (!db.ok()) return ToGrpcStatus(db.status());
  // The caller's certificate, as the TLS handshake verified it: the sending
  // province seals the teacher's file for it.
  std::string certificate;
  for (const grpc::string_ref& pem :
       context->auth_context()->FindPropertyValues("x509_pem_cert"))
    certificate.assign(pem.data(), pem.size());
  const std::string caller = (*db)->province();
  auto result = store_.transfers().Exchange(
      caller, certificate, *request, [this](const std::string& number) {
        return store_.owners().Owner(number);
      });
  if (request->messages_size() > 0 || !result.ok() ||
      (result.ok() && result->messages_size() > 0)) {
    store_.audit().Append(
        {PeerIdentity::Province(caller).Uri(), "sync.transfers", "",
         result.ok() ? "ok" : absl::StatusCodeToString(result.status().code()),
         result.ok() ? absl::StrCat(request->messages_size(), " in, ",
                                    result->messages_size(), " out")
                     : std::string(result.status().message())});
  }
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

grpc::Status SyncService::GetAuditAnchor(grpc::ServerContext* context,
                                         const v1::GetAuditAnchorRequest*,
                                         v1::AuditAnchorState* response) {
  auto db = CallerProvince(context, "sync.audit");
  if (!db.ok()) return ToGrpcStatus(db.status());
  auto state = store_.audit_anchors().Get((*db)->province());
  if (!state.ok()) return ToGrpcStatus(state.status());
  *response = std::move(*state);
  return grpc::Status::OK;
}

grpc::Status SyncService::AnchorAudit(grpc::ServerContext* context,
                                      const v1::AnchorAuditRequest* request,
                                      v1::AuditAnchorState* response) {
  auto db = CallerProvince(context, "sync.audit");
  if (!db.ok()) return ToGrpcStatus(db.status());
  const std::string province = (*db)->province();
  auto state =
      store_.audit_anchors().Anchor(province, *request, std::time(nullptr));
  // A finding is audited here each time a sync reports it; a quiet anchor is
  // not.
  if (!state.ok() || !state->problem().empty()) {
    store_.audit().Append(
        {PeerIdentity::Province(province).Uri(), "sync.audit",
         absl::StrCat(request->count()),
         state.ok() ? "DATA_LOSS"
                    : absl::StatusCodeToString(state.status().code()),
         state.ok() ? state->problem()
                    : std::string(state.status().message())});
  }
  if (!state.ok()) return ToGrpcStatus(state.status());
  *response = std::move(*state);
  return grpc::Status::OK;
}

grpc::Status SyncService::PullReference(grpc::ServerContext* context,
                                        const v1::PullReferenceRequest* request,
                                        v1::ReferenceData* response) {
  auto db = CallerProvince(context, "sync.reference");
  if (!db.ok()) return ToGrpcStatus(db.status());
  constexpr size_t kPage = 5000;
  auto changes = store_.schools().ChangedSince(
      (*db)->province(), request->school_registry_version(),
      request->resume_version(), request->resume_after_code(), kPage);
  if (!changes.ok()) return ToGrpcStatus(changes.status());
  response->set_catalog_version(kCoreCatalogVersion);
  static const std::string kFingerprint = CodeTablesFingerprint();
  response->set_code_tables_fingerprint(kFingerprint);
  if (request->code_tables_fingerprint() != kFingerprint &&
      request->resume_version() == 0) {
    for (const CodeTable* t : AllCodeTables()) {
      for (int v : t->values()) {
        v1::CodeTableEntry* e = response->add_code_tables();
        e->set_table(t->name());
        e->set_code(v);
        e->set_label(t->Label(v));
      }
    }
  }
  for (auto& s : changes->schools) *response->add_schools() = std::move(s);
  if (request->resume_version() == 0 && !limits_.revocation_list.empty()) {
    // The list the national node itself checks its peers against, when
    // newer than the province's.
    absl::StatusOr<std::string> crl = ReadFile(limits_.revocation_list);
    absl::StatusOr<RevocationListInfo> info =
        crl.ok() ? CheckRevocationList(*crl, limits_.ca_cert) : crl.status();
    if (info.ok() && info->number > request->revocation_list_number())
      response->set_revocation_list(*crl);
  }
  if (!changes->skipped.empty()) {
    std::string codes;
    for (const v1::SkippedReference& skip : changes->skipped) {
      absl::StrAppend(&codes, codes.empty() ? "" : "; ", skip.code(), ": ",
                      skip.reason());
      *response->add_skipped() = skip;
    }
    store_.audit().Append({PeerIdentity::Province((*db)->province()).Uri(),
                           "sync.reference", "", "SKIPPED",
                           absl::StrCat(changes->skipped.size(),
                                        " registry schools not sent, broken: ",
                                        ReportedValue(codes))});
  }
  response->set_school_registry_version(changes->complete_to);
  response->set_more(changes->more);
  response->set_latest_registry_version(changes->latest);
  response->set_resume_version(changes->resume_version);
  response->set_resume_after_code(changes->resume_after_code);
  return grpc::Status::OK;
}

grpc::Status SyncService::GetDigests(grpc::ServerContext* context,
                                     const v1::GetDigestsRequest* request,
                                     v1::Digests* response) {
  auto db = CallerProvince(context, "sync.digests");
  if (!db.ok()) return ToGrpcStatus(db.status());
  auto digests = (*db)->Digests();
  if (!digests.ok()) return ToGrpcStatus(digests.status());
  *response = std::move(*digests);
  return grpc::Status::OK;
}

grpc::Status SyncService::Realign(grpc::ServerContext* context,
                                  const v1::RealignRequest* request,
                                  v1::Cursor* response) {
  auto db = CallerProvince(context, "sync.realign");
  if (!db.ok()) return ToGrpcStatus(db.status());
  const std::string actor = PeerIdentity::Province((*db)->province()).Uri();
  auto before = (*db)->State();
  if (!before.ok()) return ToGrpcStatus(before.status());
  absl::Status rewound = (*db)->Rewind(request->outbox_end());
  store_.audit().Append(
      {actor, "sync.realign", "",
       rewound.ok() ? "ok" : absl::StatusCodeToString(rewound.code()),
       absl::StrCat(
           "cursor ", before->applied_seq, " -> ", request->outbox_end(),
           rewound.ok() ? "" : absl::StrCat(": ", rewound.message()))});
  if (!rewound.ok()) return ToGrpcStatus(rewound);
  response->set_applied_seq(request->outbox_end());
  response->set_records_held(before->records);
  return grpc::Status::OK;
}

grpc::Status SyncService::GetBucketEntries(
    grpc::ServerContext* context, const v1::BucketEntriesRequest* request,
    v1::BucketEntries* response) {
  auto db = CallerProvince(context, "sync.bucket_entries");
  if (!db.ok()) return ToGrpcStatus(db.status());
  if (request->buckets_size() > kMaxBucketsPerRequest) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat(request->buckets_size(), " buckets asked; at most ",
                     kMaxBucketsPerRequest, " per request")));
  }
  std::vector<std::string> buckets;
  for (const std::string& b : request->buckets()) {
    if (b.size() != kDigestBucketChars ||
        b.find_first_not_of("0123456789") != std::string::npos) {
      return ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(
          "bucket '", b, "' is not ", kDigestBucketChars, " digits")));
    }
    buckets.push_back(b);
  }
  auto entries = (*db)->BucketEntries(buckets);
  if (!entries.ok()) return ToGrpcStatus(entries.status());
  *response = std::move(*entries);
  return grpc::Status::OK;
}

grpc::Status SyncService::Push(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::PushAck, v1::PushBatch>* stream) {
  auto db = CallerProvince(context, "sync.push");
  if (!db.ok()) return ToGrpcStatus(db.status());
  const std::string actor = PeerIdentity::Province((*db)->province()).Uri();
  uint64_t applied = 0, rejected = 0;
  absl::Status failure;
  {
    PushReader reader(context, stream, **db, limits_.max_batch_changes,
                      limits_.push_idle, push_batches_);
    while (auto prepared = reader.Next()) {
      absl::StatusOr<v1::PushAck> ack =
          prepared->ok() ? (*db)->Apply(**prepared) : prepared->status();
      if (!ack.ok()) {
        failure = ack.status();
        // The handler cannot return its status while the reader waits for
        // the client; say it in a last message, then cancel the read.
        v1::PushAck refusal;
        refusal.set_error_code(static_cast<uint32_t>(failure.code()));
        refusal.set_error_message(std::string(failure.message()));
        stream->Write(refusal);
        reader.Stop();
        break;
      }
      absl::Status moves = store_.CompleteMoves(**db);
      if (!moves.ok()) {
        failure = moves;
        reader.Stop();
        break;
      }
      if (prepared->ok()) reader.Recycle(std::move(**prepared));
      applied += ack->applied();
      rejected += ack->rejections_size();
      metrics::BatchApplied((*db)->province(), ack->applied(),
                            ack->rejections_size());
      if (!stream->Write(*ack)) {
        reader.Stop();
        break;
      }
    }
  }
  if (auto state = (*db)->State(); state.ok())
    metrics::RecordsHeld((*db)->province(), state->records);
  (*db)->ReleaseCache();  // 32 provinces' caches would stay full between syncs
  if (!failure.ok()) {
    std::string result = absl::StatusCodeToString(failure.code());
    store_.audit().Append(
        {actor, "sync.push", "", result,
         absl::StrCat("applied ", applied, " rejected ", rejected,
                      ", then: ", failure.message())});
    NoteFailure(**db, absl::StrCat(result, ": ", failure.message()));
    return ToGrpcStatus(failure);
  }
  if (applied > 0 || rejected > 0) {
    store_.audit().Append(
        {actor, "sync.push", "", "ok",
         absl::StrCat("applied ", applied, " rejected ", rejected)});
  }
  return grpc::Status::OK;
}

}  // namespace ntmis::national
