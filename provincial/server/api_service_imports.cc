// The bulk RPCs of ApiService: imports streamed into the handlers of
// provincial/import (which decide who may import what) and exports.
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/rpc/grpc_status.h"
#include "provincial/import/category_import.h"
#include "provincial/import/csv_import.h"
#include "provincial/import/export.h"
#include "provincial/import/teacher_import.h"
#include "provincial/import/unit_import.h"
#include "provincial/server/api_service.h"
#include "provincial/server/api_service_internal.h"

namespace ntmis::provincial {

grpc::Status ApiService::RunImport(grpc::ServerContext* context,
                                   grpc::ServerReader<v1::ImportChunk>* reader,
                                   v1::ImportReport* report, ImportKind kind) {
  // The first chunk names the category and the options.
  v1::ImportChunk chunk;
  const bool has_data = reader->Read(&chunk);
  const std::string action = kind == ImportKind::kUnits ? "import.units"
                             : kind == ImportKind::kTeachers
                                 ? "import.teachers"
                                 : "import." + chunk.category();
  // Who may import what is the import handlers' rule (provincial/import).
  absl::StatusOr<User> user = Authenticate(context, action);
  if (!user.ok()) return ToGrpcStatus(user.status());

  auto run = [&]() -> absl::StatusOr<v1::ImportReport> {
    ASSIGN_OR_RETURN(Store store, Store::Open(db_path_));
    store.set_seal_key(keys_.seal_key);
    import_checkpoints_.Watch(store.db(), Store::kWalCheckpointPages);
    std::unique_ptr<RowHandler> handler;
    if (kind == ImportKind::kUnits) {
      ASSIGN_OR_RETURN(handler, UnitRowHandler::Create(store, *user));
    } else if (kind == ImportKind::kTeachers) {
      ASSIGN_OR_RETURN(
          handler, TeacherRowHandler::Create(store, *user, keys_, resolver_));
    } else {
      ASSIGN_OR_RETURN(
          handler, CategoryRowHandler::Create(store, *user, chunk.category()));
    }
    if (!has_data) return absl::InvalidArgumentError("没有收到文件内容");
    ImportOptions options;
    options.dry_run = chunk.dry_run();
    options.all_or_nothing = chunk.all_or_nothing();
    CsvImport import(store, *handler, options);
    do {
      RETURN_IF_ERROR(import.Feed(chunk.data()));
    } while (reader->Read(&chunk));
    if (context->IsCancelled()) return absl::CancelledError("client went away");
    return import.Finish();
  };
  absl::StatusOr<v1::ImportReport> result = run();
  audit_->Append({user->username, action, "", StatusResult(result.status()),
                  result.ok()
                      ? absl::StrCat("read ", result->rows_read(), " valid ",
                                     result->rows_valid(), " applied ",
                                     result->rows_applied(), " problems ",
                                     result->problems_total())
                      : std::string(result.status().message())});
  if (!result.ok()) return ToGrpcStatus(result.status());
  *report = std::move(*result);
  return grpc::Status::OK;
}

grpc::Status ApiService::ImportUnits(
    grpc::ServerContext* context, grpc::ServerReader<v1::ImportChunk>* reader,
    v1::ImportReport* report) {
  return RunImport(context, reader, report, ImportKind::kUnits);
}

grpc::Status ApiService::ImportTeachers(
    grpc::ServerContext* context, grpc::ServerReader<v1::ImportChunk>* reader,
    v1::ImportReport* report) {
  return RunImport(context, reader, report, ImportKind::kTeachers);
}

grpc::Status ApiService::ImportCategory(
    grpc::ServerContext* context, grpc::ServerReader<v1::ImportChunk>* reader,
    v1::ImportReport* report) {
  return RunImport(context, reader, report, ImportKind::kCategory);
}

grpc::Status ApiService::Export(grpc::ServerContext* context,
                                const v1::ExportRequest* request,
                                grpc::ServerWriter<v1::ExportChunk>* writer) {
  const std::string action = request->category().empty()
                                 ? "export.teachers"
                                 : "export." + request->category();
  absl::StatusOr<User> user = Authenticate(context, action);
  if (!user.ok()) return ToGrpcStatus(user.status());
  uint64_t rows = 0;
  absl::Status status = [&]() -> absl::Status {
    // Its own connection: an export of a large unit does not hold up the API.
    ASSIGN_OR_RETURN(Store store, Store::Open(db_path_));
    store.set_seal_key(keys_.seal_key);
    ASSIGN_OR_RETURN(std::string title, ExportTitle(store, *user, *request));
    return ExportCsv(
        store, *user, *request,
        [&](const std::string& data) {
          v1::ExportChunk chunk;
          chunk.set_data(data);
          if (!title.empty()) chunk.set_title(std::exchange(title, ""));
          return writer->Write(chunk)
                     ? absl::OkStatus()
                     : absl::CancelledError("client went away");
        },
        &rows);
  }();
  audit_->Append({user->username, action, request->unit_code(),
                  StatusResult(status),
                  status.ok() ? absl::StrCat(rows, " rows")
                              : std::string(status.message())});
  return ToGrpcStatus(status);
}

}  // namespace ntmis::provincial
