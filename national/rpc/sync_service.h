// NationalSync over gRPC. The calling province comes from its verified
// client certificate; an operator or unknown identity is refused
// (PERMISSION_DENIED, audited), as is a record of another province.
//
// Thread-safe.
#ifndef NTMIS_NATIONAL_RPC_SYNC_SERVICE_H_
#define NTMIS_NATIONAL_RPC_SYNC_SERVICE_H_

#include <algorithm>
#include <chrono>
#include <thread>

#include "common/base/concurrency_limit.h"
#include "national/ingest/national_store.h"
#include "ntmis/v1/sync.grpc.pb.h"

namespace ntmis::national {

class SyncService final : public v1::NationalSync::Service {
 public:
  struct Limits {
    size_t max_batch_changes = 20000;
    std::chrono::milliseconds push_idle = std::chrono::seconds(120);
    // The CA's revocation list, handed to provinces with the reference
    // data, and the CA certificate that signed it.
    std::string revocation_list;
    std::string ca_cert;
  };

  SyncService(NationalStore& store, Limits limits)
      : store_(store), limits_(limits) {}

  // Push batches the node holds in memory at once, over all provinces
  // (PushReader): two per core keep every core applying while the next
  // batches are parsed; more would only hold memory (32 provinces pushing
  // at once held two batches each, 1.2 GiB at 1,000,000 teachers).
  static int BatchesInMemory() {
    return std::max(4,
                    2 * static_cast<int>(std::thread::hardware_concurrency()));
  }

  grpc::Status GetCursor(grpc::ServerContext* context,
                         const v1::GetCursorRequest* request,
                         v1::Cursor* response) override;
  grpc::Status Push(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::PushAck, v1::PushBatch>* stream) override;
  grpc::Status GetDigests(grpc::ServerContext* context,
                          const v1::GetDigestsRequest* request,
                          v1::Digests* response) override;
  grpc::Status GetBucketEntries(grpc::ServerContext* context,
                                const v1::BucketEntriesRequest* request,
                                v1::BucketEntries* response) override;

  grpc::Status ResolveIdentities(
      grpc::ServerContext* context, const v1::ResolveIdentitiesRequest* request,
      v1::ResolveIdentitiesResponse* response) override;
  grpc::Status GetIdentityConflicts(grpc::ServerContext* context,
                                    const v1::IdentityConflictsRequest* request,
                                    v1::IdentityConflicts* response) override;
  grpc::Status ExchangeTransfers(grpc::ServerContext* context,
                                 const v1::TransferMail* request,
                                 v1::TransferMail* response) override;
  grpc::Status GetAuditAnchor(grpc::ServerContext* context,
                              const v1::GetAuditAnchorRequest* request,
                              v1::AuditAnchorState* response) override;
  grpc::Status AnchorAudit(grpc::ServerContext* context,
                           const v1::AnchorAuditRequest* request,
                           v1::AuditAnchorState* response) override;
  grpc::Status PullReference(grpc::ServerContext* context,
                             const v1::PullReferenceRequest* request,
                             v1::ReferenceData* response) override;
  grpc::Status Realign(grpc::ServerContext* context,
                       const v1::RealignRequest* request,
                       v1::Cursor* response) override;

  static constexpr int kMaxBucketsPerRequest = 64;

 private:
  // The caller's province database, or an audited refusal.
  absl::StatusOr<ProvinceDb*> CallerProvince(grpc::ServerContext* context,
                                             const char* action);

  NationalStore& store_;
  const Limits limits_;
  ConcurrencyLimit push_batches_{BatchesInMemory()};
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_RPC_SYNC_SERVICE_H_
