#include "provincial/client/api_client.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/pki/tls.h"
#include "common/rpc/grpc_status.h"
#include "common/web/connect.h"

namespace ntmis::provincial {
namespace {
constexpr size_t kChunkBytes = 1 << 20;
}  // namespace

absl::StatusOr<std::unique_ptr<ApiClient>> ApiClient::Connect(
    const std::string& address, const std::string& ca_cert) {
  v1::TlsFiles tls;
  tls.set_ca_cert(ca_cert);
  auto creds = MakeChannelCredentials(tls);
  if (!creds.ok()) return creds.status();
  return std::make_unique<ApiClient>(
      v1::ProvincialApi::NewStub(MakeChannel(address, *creds)));
}

absl::Status ApiClient::Login(const std::string& username,
                              const std::string& password) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  v1::LoginRequest request;
  request.set_username(username);
  request.set_password(password);
  v1::LoginResponse response;
  absl::Status status =
      FromGrpcStatus(stub_->Login(&context, request, &response));
  if (status.ok()) token_ = response.token();
  return status;
}

absl::StatusOr<v1::ImportReport> ApiClient::ImportFile(
    const ImportCall& call, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(path, ec);
  return Import(call, ec ? 0 : size, [&in](std::string* chunk) {
    chunk->resize(kChunkBytes);
    in.read(chunk->data(), kChunkBytes);
    chunk->resize(in.gcount());
    return !chunk->empty();
  });
}

absl::StatusOr<v1::ImportReport> ApiClient::ImportData(
    const ImportCall& call, const std::string& data) {
  size_t pos = 0;
  return Import(call, data.size(), [&](std::string* chunk) {
    if (pos >= data.size()) return false;
    *chunk = data.substr(pos, kChunkBytes);
    pos += chunk->size();
    return true;
  });
}

void ApiClient::Prepare(grpc::ClientContext* context,
                        std::chrono::seconds deadline) const {
  context->set_deadline(std::chrono::system_clock::now() + deadline);
  context->AddMetadata("authorization", "Bearer " + token_);
  if (!address_.empty()) context->AddMetadata(web::kClientAddressKey, address_);
}

absl::StatusOr<v1::SyncHealth> ApiClient::GetSyncHealth() {
  return Call(&v1::ProvincialApi::StubInterface::GetSyncHealth,
              v1::SyncHealthRequest());
}

absl::StatusOr<v1::SyncNowResponse> ApiClient::SyncNow(
    std::chrono::seconds deadline) {
  return Call(&v1::ProvincialApi::StubInterface::SyncNow, v1::SyncNowRequest(),
              deadline);
}

absl::StatusOr<v1::WithdrawTeacherResponse> ApiClient::WithdrawTeacher(
    const std::string& teacher_number, const std::string& reason) {
  v1::WithdrawTeacherRequest request;
  request.set_teacher_number(teacher_number);
  request.set_reason(reason);
  return Call(&v1::ProvincialApi::StubInterface::WithdrawTeacher, request);
}

absl::StatusOr<v1::ImportReport> ApiClient::Import(
    const ImportCall& call, uint64_t size_hint,
    const std::function<bool(std::string*)>& next) {
  grpc::ClientContext context;
  // 60 s plus 10 s per MiB: generous for a slow disk, still bounded.
  Prepare(&context, std::chrono::seconds(60 + 10 * (size_hint >> 20)));
  v1::ImportReport report;
  auto writer = call.target == ImportTarget::kUnits
                    ? stub_->ImportUnits(&context, &report)
                : call.target == ImportTarget::kTeachers
                    ? stub_->ImportTeachers(&context, &report)
                    : stub_->ImportCategory(&context, &report);
  v1::ImportChunk chunk;
  chunk.set_dry_run(call.dry_run);
  chunk.set_category(call.category);
  chunk.set_all_or_nothing(call.all_or_nothing);
  bool first = true;
  while (next(chunk.mutable_data()) || first) {
    first = false;
    if (!writer->Write(chunk)) break;
  }
  writer->WritesDone();
  absl::Status status = FromGrpcStatus(writer->Finish());
  if (!status.ok()) return status;
  return report;
}

absl::Status ApiClient::Export(
    const v1::ExportRequest& request,
    const std::function<absl::Status(const std::string&)>& sink,
    std::string* title) {
  grpc::ClientContext context;
  Prepare(&context, std::chrono::seconds(
                        3600));  // a whole province: minutes, still bounded
  auto reader = stub_->Export(&context, request);
  v1::ExportChunk chunk;
  absl::Status status;
  while (reader->Read(&chunk)) {
    if (title != nullptr && !chunk.title().empty()) *title = chunk.title();
    status = sink(chunk.data());
    if (!status.ok()) {
      context.TryCancel();
      break;
    }
  }
  absl::Status finished = FromGrpcStatus(reader->Finish());
  return status.ok() ? finished : status;
}

}  // namespace ntmis::provincial
