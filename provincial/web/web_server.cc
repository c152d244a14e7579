#include "provincial/web/web_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/crypto.h"
#include "common/grpc_server.h"
#include "common/import_report.h"
#include "common/status_macros.h"
#include "common/strict_json.h"
#include "common/tls_policy.h"
#include "provincial/import/export.h"
#include "provincial/import/import_templates.h"
#include "provincial/web/web_assets.h"

namespace ntmis::provincial {
namespace {

constexpr char kSessionCookie[] = "ntmis_session";
constexpr char kCsrfCookie[] = "ntmis_csrf";
constexpr char kCsrfHeader[] = "X-CSRF-Token";

constexpr char kContentSecurityPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' "
    "data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors "
    "'none'; "
    "base-uri 'none'";

// The value of cookie `name` in the request, empty without one.
std::string Cookie(const httplib::Request& req, absl::string_view name) {
  for (absl::string_view part :
       absl::StrSplit(req.get_header_value("Cookie"), ';')) {
    part = absl::StripLeadingAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, name) && absl::ConsumePrefix(&part, "="))
      return std::string(part);
  }
  return "";
}

// Sends `bytes` as a download named `filename` (UTF-8, RFC 6266: an ASCII
// fallback and the real name percent-encoded).
void SendDownload(httplib::Response& res, const std::string& bytes,
                  const std::string& filename,
                  const std::string& ascii_fallback, const char* content_type) {
  std::string encoded;
  for (unsigned char c : filename) {
    if (absl::ascii_isalnum(c) || c == '.' || c == '-' || c == '_') {
      encoded.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&encoded, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  res.set_header("Cache-Control", "no-store");
  res.set_header("Content-Disposition",
                 absl::StrCat("attachment; filename=\"", ascii_fallback,
                              "\"; filename*=UTF-8''", encoded));
  res.set_content(bytes, content_type);
}

constexpr char kXlsxType[] =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// The browser's address, for the login throttle.
std::string ClientAddress(const httplib::Request& req) {
  return req.remote_addr;
}

void SendJson(httplib::Response& res, int status, const std::string& json) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(json, "application/json; charset=utf-8");
}

void SendError(httplib::Response& res, grpc::StatusCode code,
               const std::string& message) {
  SendJson(res, ConnectHttpStatus(code), ConnectErrorJson(code, message));
}

void SetSessionCookies(httplib::Response& res, const std::string& token,
                       int64_t max_age) {
  const std::string csrf = crypto::HexEncode(crypto::RandomBytes(16));
  res.set_header("Set-Cookie",
                 absl::StrCat(kSessionCookie, "=", token, "; Path=/; Max-Age=",
                              max_age, "; HttpOnly; Secure; SameSite=Strict"));
  res.headers.emplace("Set-Cookie", absl::StrCat(kCsrfCookie, "=", csrf,
                                                 "; Path=/; Max-Age=", max_age,
                                                 "; Secure; SameSite=Strict"));
}

void ClearSessionCookies(httplib::Response& res) {
  res.set_header(
      "Set-Cookie",
      absl::StrCat(kSessionCookie,
                   "=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict"));
  res.headers.emplace(
      "Set-Cookie",
      absl::StrCat(kCsrfCookie,
                   "=; Path=/; Max-Age=0; Secure; SameSite=Strict"));
}

// A change from a page of this console: the CSRF header equals the cookie.
// Otherwise answers permission_denied and returns false.
bool CsrfOk(const httplib::Request& req, httplib::Response& res) {
  const std::string cookie = Cookie(req, kCsrfCookie);
  if (!cookie.empty() && req.get_header_value(kCsrfHeader) == cookie)
    return true;
  SendError(res, grpc::StatusCode::PERMISSION_DENIED,
            "缺少或不符的 X-CSRF-Token：请从控制台页面操作（或重新登录）");
  return false;
}

ConnectGateway::Caller CallerOf(const httplib::Request& req) {
  return {Cookie(req, kSessionCookie), ClientAddress(req)};
}

}  // namespace

WebOptions WebOptionsFrom(const v1::ProvincialConfig& config) {
  WebOptions options;
  options.listen = config.web_listen();
  options.cert = config.web_tls().cert().empty() ? config.tls().cert()
                                                 : config.web_tls().cert();
  options.key = config.web_tls().key().empty() ? config.tls().key()
                                               : config.web_tls().key();
  return options;
}

absl::StatusOr<std::unique_ptr<WebServer>> WebServer::Start(
    const WebOptions& options, std::shared_ptr<grpc::Channel> in_process) {
  RETURN_IF_ERROR(CheckCanListen(options.listen));
  std::unique_ptr<WebServer> web(new WebServer());
  web->options_ = options;
  web->gateway_ = std::make_unique<ConnectGateway>(std::move(in_process));
  web->server_ = std::make_unique<httplib::SSLServer>(options.cert.c_str(),
                                                      options.key.c_str());
  if (!web->server_->is_valid()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the web console's certificate ", options.cert, " or key ", options.key,
        " cannot be loaded — check web_tls (default: the node's tls)"));
  }
  RETURN_IF_ERROR(ApplyConsoleTlsPolicy(web->server_->ssl_context()));
  web->Routes();
  // cpp-httplib listens with a backlog of 5 (compiled into Debian's
  // library): two hundred browsers connecting at once would see SYNs
  // dropped and retried after 1, 3, 7 s. The listening socket is kept here
  // and given the system's backlog once bound (listen() again updates it).
  int listening = -1;
  web->server_->set_socket_options([&listening](socket_t sock) {
    httplib::default_socket_options(sock);
    listening = sock;
  });
  const size_t colon = options.listen.rfind(':');
  const std::string host = options.listen.substr(0, colon);
  const int wanted = std::atoi(options.listen.substr(colon + 1).c_str());
  const std::string bind_host = host == "localhost" ? "127.0.0.1" : host;
  if (wanted == 0) {
    web->port_ = web->server_->bind_to_any_port(bind_host);
  } else if (web->server_->bind_to_port(bind_host, wanted)) {
    web->port_ = wanted;
  } else {
    web->port_ = -1;
  }
  if (web->port_ <= 0)
    return absl::UnavailableError(
        absl::StrCat("the web console cannot listen on ", options.listen));
  if (listening < 0 || ::listen(listening, SOMAXCONN) != 0)
    return absl::InternalError(
        "the web console's listening socket could not take a full backlog");
  httplib::SSLServer* server = web->server_.get();
  web->thread_ = std::thread([server] { server->listen_after_bind(); });
  return web;
}

WebServer::~WebServer() { Stop(); }

void WebServer::Stop() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

void WebServer::Routes() {
  httplib::SSLServer& s = *server_;
  s.set_payload_max_length(options_.max_upload_bytes);
  const int threads = options_.threads;
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.set_tcp_nodelay(
      true);  // an answer's header and body leave at once, not 40 ms apart
  s.set_keep_alive_max_count(10000);
  s.set_keep_alive_timeout(options_.keep_alive_seconds);
  s.set_default_headers({
      {"Content-Security-Policy", kContentSecurityPolicy},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Strict-Transport-Security", "max-age=31536000"},
  });
  s.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        SendError(res, grpc::StatusCode::INTERNAL, "服务器内部错误");
      });

  // The JSON API: every unary method of ProvincialApi.
  s.Post(
      R"(/ntmis\.v1\.ProvincialApi/([A-Za-z]+))",
      [this](const httplib::Request& req, httplib::Response& res) {
        const std::string method = req.matches[1];
        if (!IsJsonContentType(req.get_header_value("Content-Type"))) {
          SendJson(res, 415,
                   ConnectErrorJson(grpc::StatusCode::INVALID_ARGUMENT,
                                    "Content-Type 须为 application/json（可带 "
                                    "charset=utf-8）"));
          return;
        }
        if (req.body.size() > options_.max_json_bytes) {
          SendJson(
              res, 413,
              ConnectErrorJson(grpc::StatusCode::RESOURCE_EXHAUSTED,
                               absl::StrCat("请求过大：最多 ",
                                            options_.max_json_bytes, " 字节")));
          return;
        }
        const bool login = method == "Login";
        // Without a session there is nothing to forge: the service answers
        // unauthenticated. With one, a change must come from a console page.
        if (!login && !Cookie(req, kSessionCookie).empty() && !CsrfOk(req, res))
          return;
        ConnectGateway::Caller caller = CallerOf(req);
        if (login) caller.token.clear();
        ConnectGateway::Reply reply = gateway_->Unary(method, req.body, caller);
        if (login && reply.code == grpc::StatusCode::OK) {
          auto* answer = static_cast<v1::LoginResponse*>(reply.message.get());
          const int64_t max_age =
              std::max<int64_t>(0, answer->expires_unix() - std::time(nullptr));
          SetSessionCookies(res, answer->token(), max_age);
          // The token stays in the HttpOnly cookie, out of the page's reach.
          SendJson(res, 200,
                   absl::StrCat("{\"expires_unix\":\"", answer->expires_unix(),
                                "\"}"));
          return;
        }
        if (method == "Logout" ||
            reply.code == grpc::StatusCode::UNAUTHENTICATED)
          ClearSessionCookies(res);
        SendJson(res, reply.http_status, reply.json);
      });

  // Imports as an upload: the file is the body. The answer is the
  // ImportReport, or with format=csv its problems as the report file the
  // CLI writes (common/import_report.h).
  s.Post("/console/import", [this](const httplib::Request& req,
                                   httplib::Response& res) {
    if (!CsrfOk(req, res)) return;
    ConnectGateway::Reply reply = gateway_->Import(
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
        [this](const httplib::Request& req, httplib::Response& res) {
          ConnectGateway::Reply catalog =
              gateway_->Unary("GetCatalog", "{}", CallerOf(req));
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

  // Exports as a download: CSV, or with format=xlsx an Excel workbook.
  s.Get("/console/export", [this](const httplib::Request& req,
                                  httplib::Response& res) {
    v1::ExportRequest request;
    request.set_category(req.get_param_value("category"));
    request.set_unit_code(req.get_param_value("unit"));
    request.set_state(req.get_param_value("state"));
    const std::string base =
        request.category().empty() ? "teachers" : request.category();
    std::string csv;
    ConnectGateway::Reply reply =
        gateway_->Export(request, CallerOf(req), &csv);
    if (reply.code != grpc::StatusCode::OK) {
      SendJson(res, reply.http_status, reply.json);
      return;
    }
    if (req.get_param_value("format") != "xlsx") {
      SendDownload(res, csv, base + ".csv", base + ".csv",
                   "text/csv; charset=utf-8");
      return;
    }
    ConnectGateway::Reply catalog =
        gateway_->Unary("GetCatalog", "{}", CallerOf(req));
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
    SendDownload(res, *book, base + ".xlsx", base + ".xlsx", kXlsxType);
  });

  // The console's own files, and nothing else.
  s.Get(R"(/.*)", [](const httplib::Request& req, httplib::Response& res) {
    const WebAsset* asset =
        FindWebAsset(req.path == "/" ? "/index.html" : req.path);
    if (asset == nullptr) {
      res.status = 404;
      res.set_content("未找到", "text/plain; charset=utf-8");
      return;
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_content(std::string(asset->data, asset->size), asset->content_type);
  });
}

}  // namespace ntmis::provincial
