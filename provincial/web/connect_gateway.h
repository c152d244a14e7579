// The JSON API of the web console: the Connect protocol's unary form
// (POST /ntmis.v1.ProvincialApi/<Method>, body and answer in proto JSON,
// errors as {"code": "permission_denied", "message": "…"} with Connect's
// HTTP status) over the node's own gRPC service, called in-process. So a
// JSON call goes through exactly the authentication, scope checks, rules
// and audit of a gRPC call: there is one code path (ApiService), and this
// file only translates (docs/architecture.md, "The web console").
//
// Thread-safe: the web server calls it from many threads at once.
#ifndef NTMIS_PROVINCIAL_WEB_CONNECT_GATEWAY_H_
#define NTMIS_PROVINCIAL_WEB_CONNECT_GATEWAY_H_

#include <google/protobuf/message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "ntmis/v1/provincial.grpc.pb.h"

namespace ntmis::provincial {

// Connect's name of a status code ("permission_denied") and its HTTP status.
const char* ConnectCodeName(grpc::StatusCode code);
int ConnectHttpStatus(grpc::StatusCode code);

// {"code": "...", "message": "..."}.
std::string ConnectErrorJson(grpc::StatusCode code, const std::string& message);

class ConnectGateway {
 public:
  // `in_process` is the node's gRPC server's in-process channel.
  explicit ConnectGateway(std::shared_ptr<grpc::Channel> in_process);

  // Who calls: the session token (empty before login) and the browser's
  // address (for the login throttle).
  struct Caller {
    std::string token;
    std::string address;
  };

  struct Reply {
    grpc::StatusCode code = grpc::StatusCode::OK;
    int http_status = 200;
    std::string json;  // the answer message, or the error
    std::unique_ptr<google::protobuf::Message> message;  // the answer, when OK
  };

  // `method` of ProvincialApi with `json` as its request. A streaming
  // method, an unknown one, malformed JSON or an unknown field are refused
  // here (NOT_FOUND / INVALID_ARGUMENT) and never reach the service.
  Reply Unary(const std::string& method, const std::string& json,
              const Caller& caller);

  // The streaming imports as one upload: `kind` is "units", "teachers" or
  // "category" (then `category` names it); the answer is the ImportReport.
  Reply Import(const std::string& kind, const std::string& category,
               bool dry_run, bool all_or_nothing, const std::string& data,
               const Caller& caller);

  // Export as one download: the CSV bytes in `*csv` when OK.
  Reply Export(const v1::ExportRequest& request, const Caller& caller,
               std::string* csv);

 private:
  void Prepare(grpc::ClientContext& context, const Caller& caller) const;
  static Reply Error(const grpc::Status& status);
  static Reply Answer(std::unique_ptr<google::protobuf::Message> message);

  const google::protobuf::ServiceDescriptor* const service_;  // ProvincialApi's
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<
      grpc::TemplatedGenericStub<grpc::ByteBuffer, grpc::ByteBuffer>>
      generic_;
  std::unique_ptr<v1::ProvincialApi::Stub> stub_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_WEB_CONNECT_GATEWAY_H_
