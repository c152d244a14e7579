#include "national/web/web_server.h"

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/tables/xlsx_writer.h"
#include "ntmis/v1/query.grpc.pb.h"

namespace ntmis::national {

const web::WebAsset* MinistryConsoleAsset(absl::string_view path);

namespace {

using web::CallerOf;
using web::SendError;
using web::SendJson;

// An aggregate answer as a workbook: one column per grouped dimension
// (its names), then teachers and share, with a total row.
absl::StatusOr<std::string> AggregateWorkbook(
    const v1::AggregateResponse& answer,
    const std::vector<std::string>& headers, const std::string& title) {
  ASSIGN_OR_RETURN(std::unique_ptr<XlsxWriter> writer,
                   XlsxWriter::Create(/*constant_memory=*/true));
  lxw_workbook* book = writer->workbook();
  lxw_worksheet* sheet = workbook_add_worksheet(book, "汇总");
  lxw_format* percent = workbook_add_format(book);
  format_set_num_format(percent, "0.00%");
  lxw_format* count = workbook_add_format(book);
  format_set_num_format(count, "#,##0");
  lxw_format* heading = workbook_add_format(book);
  format_set_bold(heading);
  format_set_font_size(heading, 13);
  worksheet_write_string(sheet, 0, 0, title.c_str(), heading);
  uint32_t row = 2;
  lxw_col_t col = 0;
  for (const std::string& h : headers)
    worksheet_write_string(sheet, row, col++, h.c_str(), writer->header());
  worksheet_write_string(sheet, row, col++, "教师数", writer->header());
  worksheet_write_string(sheet, row, col, "占比", writer->header());
  worksheet_set_column(sheet, 0, static_cast<lxw_col_t>(headers.size()) - 1, 22,
                       nullptr);
  worksheet_set_column(sheet, static_cast<lxw_col_t>(headers.size()),
                       static_cast<lxw_col_t>(headers.size()) + 1, 14, nullptr);
  worksheet_freeze_panes(sheet, row + 1, 0);
  const double total = static_cast<double>(answer.total());
  for (int r = 0; r < answer.teachers_size(); ++r) {
    ++row;
    col = 0;
    for (const v1::AggregateColumn& c : answer.columns()) {
      const uint32_t v = c.rows(r);
      worksheet_write_string(sheet, row, col++, c.labels(v).c_str(),
                             writer->text());
    }
    worksheet_write_number(sheet, row, col++,
                           static_cast<double>(answer.teachers(r)), count);
    worksheet_write_number(
        sheet, row, col,
        total > 0 ? static_cast<double>(answer.teachers(r)) / total : 0,
        percent);
  }
  ++row;
  worksheet_write_string(sheet, row, 0, "合计", writer->header());
  worksheet_write_number(sheet, row, static_cast<lxw_col_t>(headers.size()),
                         total, count);
  worksheet_write_number(sheet, row, static_cast<lxw_col_t>(headers.size()) + 1,
                         total > 0 ? 1.0 : 0.0, percent);
  worksheet_write_string(
      sheet, row + 2, 0,
      absl::StrCat("年龄按 ", answer.age_reference_date(), " 计算").c_str(),
      nullptr);
  return writer->Finish();
}

void ConsoleRoutes(httplib::SSLServer& s, web::ConnectGateway& api) {
  s.Get("/console/aggregate.xlsx",
        [&api](const httplib::Request& req, httplib::Response& res) {
          const std::string query = req.get_param_value("q");
          if (query.size() > 16384) {
            SendError(res, grpc::StatusCode::INVALID_ARGUMENT, "查询条件过长");
            return;
          }
          web::Reply reply = api.Unary("Aggregate", query, CallerOf(req));
          if (reply.code != grpc::StatusCode::OK) {
            SendJson(res, reply.http_status, reply.json);
            return;
          }
          const auto& answer =
              static_cast<const v1::AggregateResponse&>(*reply.message);
          web::Reply dims = api.Unary("ListDimensions", "{}", CallerOf(req));
          std::vector<std::string> headers;
          for (const std::string& name : answer.group_by()) {
            std::string label = name;
            if (dims.code == grpc::StatusCode::OK) {
              for (const v1::DimensionInfo& d :
                   static_cast<const v1::ListDimensionsResponse&>(*dims.message)
                       .dimensions())
                if (d.name() == name) label = d.label();
            }
            headers.push_back(label);
          }
          std::string title = req.get_param_value("title");
          if (title.empty() || title.size() > 300) title = "教师汇总";
          absl::StatusOr<std::string> book =
              AggregateWorkbook(answer, headers, title);
          if (!book.ok()) {
            SendError(res, grpc::StatusCode::INTERNAL, "无法生成 Excel 文件");
            return;
          }
          web::SendDownload(res, *book, title + ".xlsx", "aggregate.xlsx",
                            web::kXlsxType);
        });
}

}  // namespace

web::ConsoleOptions MinistryConsoleOptions(const v1::NationalConfig& config) {
  return web::ConsoleOptionsFrom(config.web_listen(), config.tls(),
                                 config.web_tls());
}

absl::StatusOr<std::unique_ptr<MinistryConsole>> MinistryConsole::Start(
    const web::ConsoleOptions& options,
    std::shared_ptr<grpc::Channel> in_process) {
  std::unique_ptr<MinistryConsole> web(new MinistryConsole());
  ASSIGN_OR_RETURN(
      web->console_,
      web::ConsoleServer::Start(
          options,
          std::make_unique<web::ConnectGateway>(
              in_process, v1::NationalQuery::service_full_name()),
          v1::NationalQuery::service_full_name(), MinistryConsoleAsset,
          [](httplib::SSLServer& s, web::ConnectGateway& api) {
            ConsoleRoutes(s, api);
          }));
  return web;
}

}  // namespace ntmis::national
