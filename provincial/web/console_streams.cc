#include "provincial/web/console_streams.h"

#include "absl/strings/str_cat.h"
#include "common/rpc/grpc_status.h"
#include "provincial/client/api_client.h"

namespace ntmis::provincial {
namespace {

// The browser's session, resumed on the node's in-process channel.
ApiClient SessionOf(const std::shared_ptr<grpc::Channel>& channel,
                    const web::Caller& caller) {
  ApiClient client(v1::ProvincialApi::NewStub(channel));
  client.ResumeSession(caller.token, caller.address);
  return client;
}

}  // namespace

web::Reply ConsoleStreams::Import(const std::string& kind,
                                  const std::string& category, bool dry_run,
                                  bool all_or_nothing, const std::string& data,
                                  const web::Caller& caller) {
  ImportCall call;
  if (kind == "units") {
    call.target = ImportTarget::kUnits;
  } else if (kind == "teachers") {
    call.target = ImportTarget::kTeachers;
  } else if (kind == "category") {
    call.target = ImportTarget::kCategory;
  } else {
    return web::ErrorReply(
        grpc::Status(grpc::StatusCode::NOT_FOUND,
                     absl::StrCat("没有这种导入：", kind,
                                  "（units、teachers 或 category）")));
  }
  call.category = category;
  call.dry_run = dry_run;
  call.all_or_nothing = all_or_nothing;
  absl::StatusOr<v1::ImportReport> report =
      SessionOf(channel_, caller).ImportData(call, data);
  if (!report.ok()) return web::ErrorReply(ToGrpcStatus(report.status()));
  return web::AnswerReply(
      std::make_unique<v1::ImportReport>(std::move(*report)));
}

web::Reply ConsoleStreams::Export(const v1::ExportRequest& request,
                                  const web::Caller& caller, std::string* csv,
                                  std::string* title) {
  csv->clear();
  absl::Status status = SessionOf(channel_, caller)
                            .Export(
                                request,
                                [csv](const std::string& d) {
                                  csv->append(d);
                                  return absl::OkStatus();
                                },
                                title);
  if (!status.ok()) return web::ErrorReply(ToGrpcStatus(status));
  return web::Reply();
}

}  // namespace ntmis::provincial
