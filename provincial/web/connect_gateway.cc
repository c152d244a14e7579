#include "provincial/web/connect_gateway.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>

#include <chrono>
#include <future>

#include "absl/strings/str_cat.h"
#include "common/proto_json.h"
#include "common/strict_json.h"
#include "provincial/server/api_service.h"

namespace ntmis::provincial {
namespace {

namespace pb = google::protobuf;

constexpr auto kDeadline =
    std::chrono::minutes(10);  // an import of a large file

}  // namespace

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

ConnectGateway::ConnectGateway(std::shared_ptr<grpc::Channel> in_process)
    : service_(
          google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
              v1::ProvincialApi::service_full_name())),
      channel_(std::move(in_process)),
      generic_(std::make_unique<
               grpc::TemplatedGenericStub<grpc::ByteBuffer, grpc::ByteBuffer>>(
          channel_)),
      stub_(v1::ProvincialApi::NewStub(channel_)) {}

void ConnectGateway::Prepare(grpc::ClientContext& context,
                             const Caller& caller) const {
  context.set_deadline(std::chrono::system_clock::now() + kDeadline);
  if (!caller.token.empty())
    context.AddMetadata("authorization", "Bearer " + caller.token);
  if (!caller.address.empty())
    context.AddMetadata(ApiService::kClientAddressKey, caller.address);
}

ConnectGateway::Reply ConnectGateway::Error(const grpc::Status& status) {
  Reply reply;
  reply.code = status.error_code();
  reply.http_status = ConnectHttpStatus(reply.code);
  reply.json = ConnectErrorJson(reply.code, status.error_message());
  return reply;
}

ConnectGateway::Reply ConnectGateway::Answer(
    std::unique_ptr<pb::Message> message) {
  Reply reply;
  // Every field, under the proto's own names (a page sees 0 and false too),
  // as the CLI names them: common/proto_json.h.
  AppendProtoJson(*message, &reply.json);
  reply.message = std::move(message);
  return reply;
}

ConnectGateway::Reply ConnectGateway::Unary(const std::string& method_name,
                                            const std::string& json,
                                            const Caller& caller) {
  const pb::MethodDescriptor* method = service_->FindMethodByName(method_name);
  if (method == nullptr)
    return Error(grpc::Status(
        grpc::StatusCode::NOT_FOUND,
        absl::StrCat("no method ", method_name, " in ProvincialApi")));
  if (method->client_streaming() || method->server_streaming())
    return Error(
        grpc::Status(grpc::StatusCode::NOT_FOUND,
                     absl::StrCat(method_name,
                                  " streams: use the upload or download "
                                  "address of the console")));
  pb::MessageFactory* factory = pb::MessageFactory::generated_factory();
  std::unique_ptr<pb::Message> request(
      factory->GetPrototype(method->input_type())->New());
  // RFC 8259 only, before protobuf's lenient parser reads it
  // (common/strict_json.h); an empty body is the empty request.
  if (!json.empty()) {
    if (absl::Status strict = CheckStrictJson(json); !strict.ok())
      return Error(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                std::string(strict.message())));
  }
  pb::util::JsonParseOptions parse;
  parse.ignore_unknown_fields = false;
  pb::util::Status parsed = pb::util::JsonStringToMessage(
      json.empty() ? "{}" : json, request.get(), parse);
  if (!parsed.ok())
    return Error(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                     absl::StrCat("请求不是有效的 JSON（",
                                  std::string(parsed.message()), "）")));

  std::string bytes = request->SerializeAsString();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response_buffer;
  grpc::ClientContext context;
  Prepare(context, caller);
  std::promise<grpc::Status> done;
  generic_->UnaryCall(
      &context, absl::StrCat("/", service_->full_name(), "/", method->name()),
      grpc::StubOptions(), &request_buffer, &response_buffer,
      [&done](grpc::Status status) { done.set_value(std::move(status)); });
  grpc::Status status = done.get_future().get();
  if (!status.ok()) return Error(status);
  std::vector<grpc::Slice> slices;
  (void)response_buffer.Dump(&slices);
  std::string answer;
  for (const grpc::Slice& s : slices)
    answer.append(reinterpret_cast<const char*>(s.begin()), s.size());
  std::unique_ptr<pb::Message> response(
      factory->GetPrototype(method->output_type())->New());
  if (!response->ParseFromString(answer))
    return Error(
        grpc::Status(grpc::StatusCode::INTERNAL, "the answer cannot be read"));
  return Answer(std::move(response));
}

ConnectGateway::Reply ConnectGateway::Import(const std::string& kind,
                                             const std::string& category,
                                             bool dry_run, bool all_or_nothing,
                                             const std::string& data,
                                             const Caller& caller) {
  grpc::ClientContext context;
  Prepare(context, caller);
  auto report = std::make_unique<v1::ImportReport>();
  std::unique_ptr<grpc::ClientWriter<v1::ImportChunk>> writer;
  if (kind == "units") {
    writer = stub_->ImportUnits(&context, report.get());
  } else if (kind == "teachers") {
    writer = stub_->ImportTeachers(&context, report.get());
  } else if (kind == "category") {
    writer = stub_->ImportCategory(&context, report.get());
  } else {
    return Error(grpc::Status(grpc::StatusCode::NOT_FOUND,
                              absl::StrCat("没有这种导入：", kind,
                                           "（units、teachers 或 category）")));
  }
  constexpr size_t kChunk = 1 << 20;
  size_t at = 0;
  do {
    v1::ImportChunk chunk;
    if (at == 0) {
      chunk.set_dry_run(dry_run);
      chunk.set_all_or_nothing(all_or_nothing);
      chunk.set_category(category);
    }
    chunk.set_data(data.substr(at, kChunk));
    at += kChunk;
    if (!writer->Write(chunk)) break;
  } while (at < data.size());
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) return Error(status);
  return Answer(std::move(report));
}

ConnectGateway::Reply ConnectGateway::Export(const v1::ExportRequest& request,
                                             const Caller& caller,
                                             std::string* csv) {
  grpc::ClientContext context;
  Prepare(context, caller);
  std::unique_ptr<grpc::ClientReader<v1::ExportChunk>> reader =
      stub_->Export(&context, request);
  v1::ExportChunk chunk;
  csv->clear();
  while (reader->Read(&chunk)) csv->append(chunk.data());
  grpc::Status status = reader->Finish();
  if (!status.ok()) return Error(status);
  Reply reply;
  return reply;
}

}  // namespace ntmis::provincial
