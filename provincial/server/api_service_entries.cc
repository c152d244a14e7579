// The category RPCs of ApiService: the catalog, indicators and entries
// (provincial/core/categories.h, through the workflow for entries), with
// reads of sensitive items audited.
#include "absl/strings/str_join.h"
#include "common/base/status_macros.h"
#include "provincial/core/categories.h"
#include "provincial/core/workflow.h"
#include "provincial/server/api_service.h"
#include "provincial/server/api_service_internal.h"

namespace ntmis::provincial {

void ApiService::AuditSensitive(const User& user,
                                const std::string& teacher_number,
                                const std::vector<std::string>& categories) {
  if (categories.empty()) return;
  audit_->Append({user.username, "teacher.read_sensitive", teacher_number, "ok",
                  absl::StrJoin(categories, ",")});
}

grpc::Status ApiService::GetCatalog(grpc::ServerContext* context,
                                    const v1::CatalogRequest*,
                                    v1::CategoryCatalog* response) {
  return Handle(context, "catalog.read", "",
                [&](const User&, Lane& lane) -> absl::Status {
                  ASSIGN_OR_RETURN(Catalog catalog, Catalog::Load(lane.store));
                  *response = catalog.catalog();
                  return absl::OkStatus();
                });
}

grpc::Status ApiService::GetFormCatalog(grpc::ServerContext* context,
                                        const v1::CatalogRequest*,
                                        v1::CategoryCatalog* response) {
  return Handle(context, "catalog.read", "",
                [&](const User&, Lane& lane) -> absl::Status {
                  ASSIGN_OR_RETURN(Catalog catalog, Catalog::Load(lane.store));
                  *response = FormCatalog(catalog.catalog());
                  return absl::OkStatus();
                });
}

grpc::Status ApiService::DefineIndicator(grpc::ServerContext* context,
                                         const v1::FieldDef* request,
                                         v1::FieldDef* response) {
  return Handle(
      context, "indicator.define", request->name(),
      [&](const User& user, Lane& lane) {
        RETURN_IF_ERROR(DefineCustomIndicator(lane.store, user, *request));
        *response = *request;
        return absl::OkStatus();
      });
}

grpc::Status ApiService::PutEntry(grpc::ServerContext* context,
                                  const v1::PutEntryRequest* request,
                                  v1::PutEntryResponse* response) {
  return Handle(
      context, request->delete_entry() ? "entry.delete" : "entry.put",
      absl::StrCat(request->teacher_number(), "/", request->category()),
      [&](const User& user, Lane& lane) {
        return Fill(lane.workflow->PutEntry(user, *request), response);
      });
}

grpc::Status ApiService::ListEntries(grpc::ServerContext* context,
                                     const v1::ListEntriesRequest* request,
                                     v1::ListEntriesResponse* response) {
  return Handle(
      context, "entry.list", request->teacher_number(),
      [&](const User& user, Lane& lane) {
        std::vector<std::string> sensitive;
        RETURN_IF_ERROR(Fill(
            lane.workflow->ListEntries(user, *request, &sensitive), response));
        AuditSensitive(user, request->teacher_number(), sensitive);
        return absl::OkStatus();
      });
}

grpc::Status ApiService::GetReviewForm(grpc::ServerContext* context,
                                       const v1::TeacherRequest* request,
                                       v1::ReviewForm* response) {
  return Handle(
      context, "teacher.review_form", request->teacher_number(),
      [&](const User& user, Lane& lane) {
        std::vector<std::string> sensitive;
        RETURN_IF_ERROR(Fill(
            lane.workflow->ReviewForm(user, request->teacher_number(),
                                      &sensitive, !request->without_catalog()),
            response));
        AuditSensitive(user, request->teacher_number(), sensitive);
        return absl::OkStatus();
      });
}

}  // namespace ntmis::provincial
