// The JSON API of a web console: the Connect protocol's unary form
// (POST /<package.Service>/<Method>, body and answer in proto JSON, errors
// as {"code": "permission_denied", "message": "…"} with Connect's HTTP
// status) over the node's own gRPC service, called in-process. A JSON call
// therefore goes through exactly the authentication, scope checks, rules
// and audit of a gRPC call: one code path, and this file only translates
// (docs/architecture.md, "The web consoles").
//
// Thread-safe: a console server calls it from many threads at once.
#ifndef NTMIS_COMMON_WEB_CONNECT_H_
#define NTMIS_COMMON_WEB_CONNECT_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace ntmis::web {

// The metadata in which a console names the browser's address to the
// service (for its login throttle); only in-process calls may set it.
inline constexpr char kClientAddressKey[] = "ntmis-client-address";

// For the service behind a console, as it reads a call: the token of
// "authorization: Bearer <token>" (empty without one); whether the call
// came in-process (from this node's gateway); and the address a login
// comes from: the peer's, or for an in-process call the browser's, which
// the gateway names in kClientAddressKey (a network peer cannot name an
// address: its own is taken).
std::string BearerTokenOf(const grpc::ServerContext& context);
bool IsInProcess(const grpc::ServerContext& context);
std::string SourceAddressOf(const grpc::ServerContext& context);

// Connect's name of a status code ("permission_denied") and its HTTP status.
const char* ConnectCodeName(grpc::StatusCode code);
int ConnectHttpStatus(grpc::StatusCode code);

// {"code": "...", "message": "..."}.
std::string ConnectErrorJson(grpc::StatusCode code, const std::string& message);

// Who calls: the session token (empty before login) and the browser's
// address.
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

// A failed call as the browser gets it.
Reply ErrorReply(const grpc::Status& status);
// An answer as the browser gets it: every field, under the proto's own
// names (common/rpc/proto_json.h).
Reply AnswerReply(std::unique_ptr<google::protobuf::Message> message);

// The caller's session and address on an outgoing in-process call, with a
// deadline long enough for an import of a large file.
void PrepareCall(grpc::ClientContext& context, const Caller& caller);

class ConnectGateway {
 public:
  // `in_process` is the node's gRPC server's in-process channel;
  // `service` the full name of the service the console speaks
  // ("ntmis.v1.ProvincialApi"), linked into the binary.
  ConnectGateway(std::shared_ptr<grpc::Channel> in_process,
                 const std::string& service);

  // `method` of the service with `json` as its request. A streaming method,
  // an unknown one, JSON outside RFC 8259 or an unknown field are refused
  // here (NOT_FOUND / INVALID_ARGUMENT) and never reach the service.
  Reply Unary(const std::string& method, const std::string& json,
              const Caller& caller);

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

 private:
  const google::protobuf::ServiceDescriptor* const service_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<
      grpc::TemplatedGenericStub<grpc::ByteBuffer, grpc::ByteBuffer>>
      generic_;
};

}  // namespace ntmis::web

#endif  // NTMIS_COMMON_WEB_CONNECT_H_
