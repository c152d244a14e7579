#include "common/web/console_server.h"

#include <sys/socket.h>

#include <algorithm>
#include <ctime>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/base/status_macros.h"
#include "common/crypto/crypto.h"
#include "common/pki/tls_policy.h"
#include "common/rpc/grpc_server.h"
#include "common/rpc/strict_json.h"

namespace ntmis::web {
namespace {

namespace pb = google::protobuf;

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

// The browser's address, for the login throttle.
std::string ClientAddress(const httplib::Request& req) {
  return req.remote_addr;
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

}  // namespace

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

void SendJson(httplib::Response& res, int status, const std::string& json) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(json, "application/json; charset=utf-8");
}

void SendError(httplib::Response& res, grpc::StatusCode code,
               const std::string& message) {
  SendJson(res, ConnectHttpStatus(code), ConnectErrorJson(code, message));
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

ConsoleOptions ConsoleOptionsFrom(const std::string& listen,
                                  const v1::TlsFiles& node,
                                  const v1::TlsFiles& web) {
  ConsoleOptions options;
  options.listen = listen;
  options.cert = web.cert().empty() ? node.cert() : web.cert();
  options.key = web.key().empty() ? node.key() : web.key();
  return options;
}

Caller CallerOf(const httplib::Request& req) {
  return {Cookie(req, kSessionCookie), ClientAddress(req)};
}

absl::StatusOr<std::unique_ptr<ConsoleServer>> ConsoleServer::Start(
    const ConsoleOptions& options, std::unique_ptr<ConnectGateway> api,
    const std::string& service, WebAssetFinder assets, const Routes& routes) {
  RETURN_IF_ERROR(CheckCanListen(options.listen));
  std::unique_ptr<ConsoleServer> web(new ConsoleServer());
  web->options_ = options;
  web->api_ = std::move(api);
  web->server_ = std::make_unique<httplib::SSLServer>(options.cert.c_str(),
                                                      options.key.c_str());
  if (!web->server_->is_valid()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the web console's certificate ", options.cert, " or key ", options.key,
        " cannot be loaded — check web_tls (default: the node's tls)"));
  }
  RETURN_IF_ERROR(ApplyConsoleTlsPolicy(web->server_->ssl_context()));
  web->ServeApi(service);
  routes(*web->server_, *web->api_);
  web->ServeAssets(assets);
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

ConsoleServer::~ConsoleServer() { Stop(); }

void ConsoleServer::Stop() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

void ConsoleServer::ServeApi(const std::string& service) {
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

  // The JSON API: every unary method of the service.
  s.Post(
      absl::StrCat("/", absl::StrReplaceAll(service, {{".", "\\."}}),
                   "/([A-Za-z]+)"),
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
        Caller caller = CallerOf(req);
        if (login) caller.token.clear();
        Reply reply = api_->Unary(method, req.body, caller);
        if (login && reply.code == grpc::StatusCode::OK) {
          // Every console's Login answers {token, expires_unix}.
          const pb::Message& answer = *reply.message;
          const pb::Reflection* fields = answer.GetReflection();
          const pb::Descriptor* type = answer.GetDescriptor();
          const std::string token =
              fields->GetString(answer, type->FindFieldByName("token"));
          const int64_t expires =
              fields->GetInt64(answer, type->FindFieldByName("expires_unix"));
          SetSessionCookies(res, token,
                            std::max<int64_t>(0, expires - std::time(nullptr)));
          // The token stays in the HttpOnly cookie, out of the page's reach.
          SendJson(res, 200,
                   absl::StrCat("{\"expires_unix\":\"", expires, "\"}"));
          return;
        }
        if (method == "Logout" ||
            reply.code == grpc::StatusCode::UNAUTHENTICATED)
          ClearSessionCookies(res);
        SendJson(res, reply.http_status, reply.json);
      });
}

void ConsoleServer::ServeAssets(WebAssetFinder assets) {
  httplib::SSLServer& s = *server_;
  // The console's own files and the shared kit, and nothing else.
  s.Get(R"(/.*)", [assets](const httplib::Request& req,
                           httplib::Response& res) {
    const std::string path = req.path == "/" ? "/index.html" : req.path;
    const WebAsset* asset = assets(path);
    if (asset == nullptr) asset = ConsoleKitAsset(path);
    if (asset == nullptr) {
      res.status = 404;
      res.set_content("未找到", "text/plain; charset=utf-8");
      return;
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_content(std::string(asset->data, asset->size), asset->content_type);
  });
}

}  // namespace ntmis::web
