#include "common/web/connect.h"

#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <future>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/login/login_gate.h"
#include "common/rpc/proto_json.h"
#include "common/rpc/strict_json.h"

namespace ntmis::web {
namespace {

namespace pb = google::protobuf;

constexpr auto kDeadline =
    std::chrono::minutes(10);  // an import of a large file

}  // namespace

namespace {

std::string Metadata(const grpc::ServerContext& context, const char* key) {
  auto it = context.client_metadata().find(key);
  return it == context.client_metadata().end()
             ? ""
             : std::string(it->second.data(), it->second.size());
}

}  // namespace

std::string BearerTokenOf(const grpc::ServerContext& context) {
  std::string header = Metadata(context, "authorization");
  absl::string_view token = header;
  if (!absl::ConsumePrefix(&token, "Bearer ")) return "";
  return std::string(token);
}

bool IsInProcess(const grpc::ServerContext& context) {
  // A network peer is always named by its address; gRPC 1.51 names an
  // in-process caller "unknown" (older releases "inproc…").
  const std::string peer = context.peer();
  return !absl::StartsWith(peer, "ipv4:") && !absl::StartsWith(peer, "ipv6:") &&
         !absl::StartsWith(peer, "unix:");
}

std::string SourceAddressOf(const grpc::ServerContext& context) {
  if (IsInProcess(context)) {
    std::string forwarded = Metadata(context, kClientAddressKey);
    if (!forwarded.empty()) return forwarded;
  }
  return PeerAddress(context.peer());
}

const char* ConnectCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "ok";
    case grpc::StatusCode::CANCELLED:
      return "canceled";
    case grpc::StatusCode::UNKNOWN:
      return "unknown";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "invalid_argument";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "deadline_exceeded";
    case grpc::StatusCode::NOT_FOUND:
      return "not_found";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "already_exists";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "permission_denied";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "resource_exhausted";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "failed_precondition";
    case grpc::StatusCode::ABORTED:
      return "aborted";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "out_of_range";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "unimplemented";
    case grpc::StatusCode::INTERNAL:
      return "internal";
    case grpc::StatusCode::UNAVAILABLE:
      return "unavailable";
    case grpc::StatusCode::DATA_LOSS:
      return "data_loss";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "unauthenticated";
    default:
      return "unknown";
  }
}

int ConnectHttpStatus(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    default:
      return 500;
  }
}

std::string ConnectErrorJson(grpc::StatusCode code,
                             const std::string& message) {
  std::string json =
      absl::StrCat("{\"code\":\"", ConnectCodeName(code), "\",\"message\":");
  AppendJsonString(message, &json);
  json.push_back('}');
  return json;
}

Reply ErrorReply(const grpc::Status& status) {
  Reply reply;
  reply.code = status.error_code();
  reply.http_status = ConnectHttpStatus(reply.code);
  reply.json = ConnectErrorJson(reply.code, status.error_message());
  return reply;
}

Reply AnswerReply(std::unique_ptr<pb::Message> message) {
  Reply reply;
  AppendProtoJson(*message, &reply.json);
  reply.message = std::move(message);
  return reply;
}

void PrepareCall(grpc::ClientContext& context, const Caller& caller) {
  context.set_deadline(std::chrono::system_clock::now() + kDeadline);
  if (!caller.token.empty())
    context.AddMetadata("authorization", "Bearer " + caller.token);
  if (!caller.address.empty())
    context.AddMetadata(kClientAddressKey, caller.address);
}

ConnectGateway::ConnectGateway(std::shared_ptr<grpc::Channel> in_process,
                               const std::string& service)
    : service_(
          pb::DescriptorPool::generated_pool()->FindServiceByName(service)),
      channel_(std::move(in_process)),
      generic_(std::make_unique<
               grpc::TemplatedGenericStub<grpc::ByteBuffer, grpc::ByteBuffer>>(
          channel_)) {}

Reply ConnectGateway::Unary(const std::string& method_name,
                            const std::string& json, const Caller& caller) {
  const pb::MethodDescriptor* method = service_->FindMethodByName(method_name);
  if (method == nullptr)
    return ErrorReply(
        grpc::Status(grpc::StatusCode::NOT_FOUND,
                     absl::StrCat("no method ", method_name, " in ",
                                  service_->full_name())));
  if (method->client_streaming() || method->server_streaming())
    return ErrorReply(
        grpc::Status(grpc::StatusCode::NOT_FOUND,
                     absl::StrCat(method_name,
                                  " streams: use the upload or download "
                                  "address of the console")));
  pb::MessageFactory* factory = pb::MessageFactory::generated_factory();
  std::unique_ptr<pb::Message> request(
      factory->GetPrototype(method->input_type())->New());
  // RFC 8259 only, before protobuf's lenient parser reads it
  // (common/rpc/strict_json.h); an empty body is the empty request.
  if (!json.empty()) {
    if (absl::Status strict = CheckStrictJson(json); !strict.ok())
      return ErrorReply(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                     std::string(strict.message())));
  }
  pb::util::JsonParseOptions parse;
  parse.ignore_unknown_fields = false;
  pb::util::Status parsed = pb::util::JsonStringToMessage(
      json.empty() ? "{}" : json, request.get(), parse);
  if (!parsed.ok())
    return ErrorReply(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                     absl::StrCat("请求不是有效的 JSON（",
                                  std::string(parsed.message()), "）")));

  std::string bytes = request->SerializeAsString();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response_buffer;
  grpc::ClientContext context;
  PrepareCall(context, caller);
  std::promise<grpc::Status> done;
  generic_->UnaryCall(
      &context, absl::StrCat("/", service_->full_name(), "/", method->name()),
      grpc::StubOptions(), &request_buffer, &response_buffer,
      [&done](grpc::Status status) { done.set_value(std::move(status)); });
  grpc::Status status = done.get_future().get();
  if (!status.ok()) return ErrorReply(status);
  std::vector<grpc::Slice> slices;
  (void)response_buffer.Dump(&slices);
  std::string answer;
  for (const grpc::Slice& s : slices)
    answer.append(reinterpret_cast<const char*>(s.begin()), s.size());
  std::unique_ptr<pb::Message> response(
      factory->GetPrototype(method->output_type())->New());
  if (!response->ParseFromString(answer))
    return ErrorReply(
        grpc::Status(grpc::StatusCode::INTERNAL, "the answer cannot be read"));
  return AnswerReply(std::move(response));
}

}  // namespace ntmis::web
