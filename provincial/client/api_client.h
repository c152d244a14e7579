// The client of a provincial node's API, for both front ends: the
// operators' commands and tests log in with it, the web console resumes a
// browser's session with it (its token and address) to stream imports and
// exports over the node's in-process channel.
#ifndef NTMIS_PROVINCIAL_CLIENT_API_CLIENT_H_
#define NTMIS_PROVINCIAL_CLIENT_API_CLIENT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/rpc/grpc_status.h"
#include "ntmis/v1/provincial.grpc.pb.h"

namespace ntmis::provincial {

enum class ImportTarget { kUnits, kTeachers, kCategory };

// What to import and how.
struct ImportCall {
  ImportTarget target = ImportTarget::kTeachers;
  std::string category;  // kCategory: which template
  bool dry_run = false;
  bool all_or_nothing = false;  // apply nothing if any row has a problem
};

// One user's session on a provincial node. Thread-compatible: one thread
// at a time (one client per thread for parallel calls).
class ApiClient {
 public:
  // Verifies the node's certificate against `ca_cert` (PEM file).
  static absl::StatusOr<std::unique_ptr<ApiClient>> Connect(
      const std::string& address, const std::string& ca_cert);
  explicit ApiClient(std::unique_ptr<v1::ProvincialApi::StubInterface> stub)
      : stub_(std::move(stub)) {}

  absl::Status Login(const std::string& username, const std::string& password);

  // Calls on behalf of a session opened elsewhere: `token` as the bearer,
  // and `address` (the browser's) named to the node for its login
  // throttle, which honours it from in-process peers only.
  void ResumeSession(std::string token, std::string address) {
    token_ = std::move(token);
    address_ = std::move(address);
  }

  // Streams the file at `path` (or the bytes of `data` with ImportData).
  absl::StatusOr<v1::ImportReport> ImportFile(const ImportCall& call,
                                              const std::string& path);
  absl::StatusOr<v1::ImportReport> ImportData(const ImportCall& call,
                                              const std::string& data);
  absl::StatusOr<v1::ImportReport> ImportFile(ImportTarget target,
                                              const std::string& path,
                                              bool dry_run) {
    return ImportFile(ImportCall{target, "", dry_run, false}, path);
  }
  absl::StatusOr<v1::ImportReport> ImportData(ImportTarget target,
                                              const std::string& data,
                                              bool dry_run) {
    return ImportData(ImportCall{target, "", dry_run, false}, data);
  }

  // Export (v1::ExportRequest) into `sink`, chunk by chunk; `title`, when
  // given, receives the export's name (ExportChunk.title).
  absl::Status Export(
      const v1::ExportRequest& request,
      const std::function<absl::Status(const std::string&)>& sink,
      std::string* title = nullptr);

  // Any unary call of the API, with the token and a deadline:
  //   client.Call(&v1::ProvincialApi::StubInterface::GetTeacher, request)
  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(
      grpc::Status (v1::ProvincialApi::StubInterface::*method)(
          grpc::ClientContext*, const Request&, Response*),
      const Request& request,
      std::chrono::seconds deadline = std::chrono::seconds(30)) {
    grpc::ClientContext context;
    Prepare(&context, deadline);
    Response response;
    absl::Status status =
        FromGrpcStatus((stub_.get()->*method)(&context, request, &response));
    if (!status.ok()) return status;
    return response;
  }

  absl::StatusOr<v1::SyncHealth> GetSyncHealth();
  // Runs a sync now on the node; the deadline allows for a large backlog.
  absl::StatusOr<v1::SyncNowResponse> SyncNow(std::chrono::seconds deadline);
  absl::StatusOr<v1::WithdrawTeacherResponse> WithdrawTeacher(
      const std::string& teacher_number, const std::string& reason);

 private:
  // Sets the call's deadline and the bearer token.
  void Prepare(grpc::ClientContext* context,
               std::chrono::seconds deadline) const;
  // `next` fills the next chunk and returns false at the end.
  absl::StatusOr<v1::ImportReport> Import(
      const ImportCall& call, uint64_t size_hint,
      const std::function<bool(std::string*)>& next);

  std::unique_ptr<v1::ProvincialApi::StubInterface> stub_;
  std::string token_;
  std::string address_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CLIENT_API_CLIENT_H_
