// NationalQuery over gRPC, for operator certificates only
// (spiffe://ntmis/operator/<role>/<name>), each call checked against the
// role it needs; anyone else is refused and audited. Look-ups are audited
// with their reason.
//
// Thread-safe.
#ifndef NTMIS_NATIONAL_RPC_QUERY_SERVICE_H_
#define NTMIS_NATIONAL_RPC_QUERY_SERVICE_H_

#include "common/pki/peer_identity.h"
#include "national/ingest/national_store.h"
#include "ntmis/v1/query.grpc.pb.h"

namespace ntmis::national {

// Health of every province, synced or not, in code order; a province whose
// last successful sync is older than `overdue_after` (at `now_unix`) is
// overdue.
absl::StatusOr<v1::ProvincesResponse> ProvinceHealth(NationalStore& store,
                                                     int64_t now_unix,
                                                     int64_t overdue_after);

class QueryService final : public v1::NationalQuery::Service {
 public:
  struct Options {
    std::string
        id_hash_key;  // federation key for ID-card look-ups ("" disables them)
    int64_t overdue_after = 3600;  // seconds without a successful sync
  };
  QueryService(NationalStore& store, Options options)
      : store_(store), options_(std::move(options)) {}

  grpc::Status Aggregate(grpc::ServerContext* context,
                         const v1::AggregateRequest* request,
                         v1::AggregateResponse* response) override;
  grpc::Status Provinces(grpc::ServerContext* context,
                         const v1::ProvincesRequest* request,
                         v1::ProvincesResponse* response) override;
  grpc::Status Transfers(grpc::ServerContext* context,
                         const v1::TransfersRequest* request,
                         v1::TransfersResponse* response) override;
  grpc::Status Lookup(grpc::ServerContext* context,
                      const v1::LookupRequest* request,
                      v1::LookupResponse* response) override;

 private:
  // The operator's identity URI if its role is at least `needs`, or an
  // audited refusal naming the role needed.
  absl::StatusOr<std::string> AuthorizeOperator(grpc::ServerContext* context,
                                                const char* action,
                                                OperatorRole needs);

  NationalStore& store_;
  const Options options_;
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_RPC_QUERY_SERVICE_H_
