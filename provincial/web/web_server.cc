#include "provincial/web/web_server.h"

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/rpc/proto_json.h"
#include "common/tables/import_report.h"
#include "provincial/core/labels.h"
#include "provincial/import/export.h"
#include "provincial/import/import_templates.h"
#include "provincial/web/console_streams.h"

namespace ntmis::provincial {

// The console's files, compiled in by provincial/web/CMakeLists.txt.
const web::WebAsset* ProvincialConsoleAsset(absl::string_view path);

namespace {

using web::CallerOf;
using web::CsrfOk;
using web::kXlsxType;
using web::SendDownload;
using web::SendError;
using web::SendJson;

// {"states": {"draft": "草稿", …}, "steps": {…}, …}, in the core's order.
std::string LabelsJson() {
  std::string json = "{";
  for (const LabelTable& table : ClerkLabels()) {
    if (json.size() > 1) json.push_back(',');
    AppendJsonString(table.kind, &json);
    json += ":{";
    for (size_t i = 0; i < table.entries.size(); ++i) {
      if (i > 0) json.push_back(',');
      AppendJsonString(table.entries[i].first, &json);
      json.push_back(':');
      AppendJsonString(table.entries[i].second, &json);
    }
    json.push_back('}');
  }
  json.push_back('}');
  return json;
}

void ConsoleRoutes(httplib::SSLServer& s, web::ConnectGateway& api,
                   std::shared_ptr<ConsoleStreams> streams) {
  // Imports as an upload: the file is the body. The answer is the
  // ImportReport, or with format=csv its problems as the report file the
  // CLI writes (common/tables/import_report.h).
  s.Post("/console/import", [streams, &api](const httplib::Request& req,
                                            httplib::Response& res) {
    if (!CsrfOk(req, res)) return;
    web::Reply reply = streams->Import(
        req.get_param_value("kind"), req.get_param_value("category"),
        req.get_param_value("dry_run") == "1",
        req.get_param_value("all_or_nothing") == "1", req.body, CallerOf(req));
    if (reply.code == grpc::StatusCode::OK &&
        req.get_param_value("format") == "csv") {
      const auto* report =
          static_cast<const v1::ImportReport*>(reply.message.get());
      res.set_header("Cache-Control", "no-store");
      res.set_header("Content-Disposition",
                     "attachment; filename=\"import-report.csv\"");
      res.set_content(ImportProblemsCsv({report->problems().begin(),
                                         report->problems().end()}),
                      "text/csv; charset=utf-8");
      return;
    }
    SendJson(res, reply.http_status, reply.json);
  });

  // Import templates as Excel workbooks, with the province's custom
  // indicators (the catalog is read as the caller, so only a logged-in user
  // gets one).
  s.Get("/console/template",
        [streams, &api](const httplib::Request& req, httplib::Response& res) {
          web::Reply catalog = api.Unary("GetCatalog", "{}", CallerOf(req));
          if (catalog.code != grpc::StatusCode::OK) {
            SendJson(res, catalog.http_status, catalog.json);
            return;
          }
          const std::string name = req.get_param_value("name");
          absl::StatusOr<ImportTemplate> form = FindImportTemplate(
              static_cast<const v1::CategoryCatalog&>(*catalog.message), name);
          absl::StatusOr<std::string> book =
              form.ok() ? ImportTemplateWorkbook(*form)
                        : absl::StatusOr<std::string>(form.status());
          if (!book.ok()) {
            SendError(res, static_cast<grpc::StatusCode>(book.status().code()),
                      std::string(book.status().message()));
            return;
          }
          SendDownload(res, *book, absl::StrCat(form->label, "导入模板.xlsx"),
                       absl::StrCat(name, "-template.xlsx"), kXlsxType);
        });

  // Exports as a download: CSV, or with format=xlsx an Excel workbook; the
  // form for people unless form=codes (provincial/import/export.h), named
  // by the node ("山永区第1学校_教师名单_2026-12-07.csv").
  s.Get("/console/export", [streams, &api](const httplib::Request& req,
                                           httplib::Response& res) {
    v1::ExportRequest request;
    request.set_category(req.get_param_value("category"));
    request.set_unit_code(req.get_param_value("unit"));
    request.set_state(req.get_param_value("state"));
    request.set_codes(req.get_param_value("form") == "codes");
    const std::string base =
        request.category().empty() ? "teachers" : request.category();
    std::string csv, title;
    web::Reply reply = streams->Export(request, CallerOf(req), &csv, &title);
    if (title.empty()) title = base;
    if (reply.code != grpc::StatusCode::OK) {
      SendJson(res, reply.http_status, reply.json);
      return;
    }
    if (req.get_param_value("format") != "xlsx") {
      SendDownload(res, csv, title + ".csv", base + ".csv",
                   "text/csv; charset=utf-8");
      return;
    }
    web::Reply catalog = api.Unary("GetCatalog", "{}", CallerOf(req));
    absl::StatusOr<std::string> book = absl::UnknownError("no catalog");
    if (catalog.code == grpc::StatusCode::OK) {
      absl::StatusOr<std::unique_ptr<ExportWorkbook>> writer =
          ExportWorkbook::Create(
              static_cast<const v1::CategoryCatalog&>(*catalog.message),
              request.category());
      absl::Status fed = writer.ok() ? (*writer)->Feed(csv) : writer.status();
      book = fed.ok() ? (*writer)->Finish() : absl::StatusOr<std::string>(fed);
    }
    if (!book.ok()) {
      SendError(res, static_cast<grpc::StatusCode>(book.status().code()),
                std::string(book.status().message()));
      return;
    }
    SendDownload(res, *book, title + ".xlsx", base + ".xlsx", kXlsxType);
  });

  // The collection progress of the caller's unit as a download: CSV for
  // Excel, or with format=xlsx a workbook.
  s.Get("/console/progress-export", [&api](const httplib::Request& req,
                                           httplib::Response& res) {
    web::Reply reply = api.Unary("Progress", "{}", CallerOf(req));
    if (reply.code != grpc::StatusCode::OK) {
      SendJson(res, reply.http_status, reply.json);
      return;
    }
    const auto& report = static_cast<const v1::ProgressReport&>(*reply.message);
    const std::vector<std::vector<std::string>> rows = ProgressTable(report);
    const std::string title = ProgressTitle(report);
    if (req.get_param_value("format") != "xlsx") {
      SendDownload(res, CsvForExcel(rows), title + ".csv", "progress.csv",
                   "text/csv; charset=utf-8");
      return;
    }
    absl::StatusOr<std::unique_ptr<TableWorkbook>> book =
        TableWorkbook::Create("填报进度");
    absl::Status added = book.status();
    for (size_t i = 0; added.ok() && i < rows.size(); ++i)
      added = (*book)->AddRow(rows[i]);
    absl::StatusOr<std::string> bytes =
        added.ok() ? (*book)->Finish() : absl::StatusOr<std::string>(added);
    if (!bytes.ok()) {
      SendError(res, static_cast<grpc::StatusCode>(bytes.status().code()),
                std::string(bytes.status().message()));
      return;
    }
    SendDownload(res, *bytes, title + ".xlsx", "progress.xlsx", kXlsxType);
  });

  // Every code's label, for the pages (no session needed: labels are the
  // official code tables' and the core's, not data).
  s.Get("/console/labels", [](const httplib::Request&, httplib::Response& res) {
    static const std::string* json = new std::string(LabelsJson());
    res.set_header("Cache-Control", "no-cache");
    res.set_content(*json, "application/json; charset=utf-8");
  });
}

}  // namespace

WebOptions WebOptionsFrom(const v1::ProvincialConfig& config) {
  return web::ConsoleOptionsFrom(config.web_listen(), config.tls(),
                                 config.web_tls());
}

absl::StatusOr<std::unique_ptr<WebServer>> WebServer::Start(
    const WebOptions& options, std::shared_ptr<grpc::Channel> in_process) {
  auto streams = std::make_shared<ConsoleStreams>(in_process);
  std::unique_ptr<WebServer> web(new WebServer());
  ASSIGN_OR_RETURN(
      web->console_,
      web::ConsoleServer::Start(
          options,
          std::make_unique<web::ConnectGateway>(
              in_process, v1::ProvincialApi::service_full_name()),
          v1::ProvincialApi::service_full_name(), ProvincialConsoleAsset,
          [streams](httplib::SSLServer& s, web::ConnectGateway& api) {
            ConsoleRoutes(s, api, streams);
          }));
  return web;
}

}  // namespace ntmis::provincial
