// NationalQuery over gRPC, for operator certificates only
// (spiffe://ntmis/operator/<name>); anyone else is refused and audited.
//
// Thread-safe.
#ifndef NTMIS_NATIONAL_QUERY_SERVICE_H_
#define NTMIS_NATIONAL_QUERY_SERVICE_H_

#include "national/national_store.h"
#include "ntmis/v1/query.grpc.pb.h"

namespace ntmis::national {

// Health of every province, synced or not, in code order.
absl::StatusOr<v1::ProvincesResponse> ProvinceHealth(NationalStore& store);

class QueryService final : public v1::NationalQuery::Service {
 public:
  explicit QueryService(NationalStore& store) : store_(store) {}

  grpc::Status Aggregate(grpc::ServerContext* context, const v1::AggregateRequest* request,
                         v1::AggregateResponse* response) override;
  grpc::Status Provinces(grpc::ServerContext* context, const v1::ProvincesRequest* request,
                         v1::ProvincesResponse* response) override;

 private:
  // The operator's identity URI, or an audited refusal.
  absl::StatusOr<std::string> AuthorizeOperator(grpc::ServerContext* context,
                                                const char* action);

  NationalStore& store_;
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_QUERY_SERVICE_H_
