// A web console's HTTPS server (cpp-httplib, Debian's libcpp-httplib-dev):
// the console's files, compiled into the binary, and the JSON API of
// common/web/connect.h under the consoles' security rules:
//  - the session token lives in an HttpOnly, Secure, SameSite=Strict cookie
//    and never reaches page scripts; Login answers without it;
//  - every call that changes anything carries X-CSRF-Token equal to the
//    ntmis_csrf cookie (double submit), and API calls must be
//    application/json (a cross-site form cannot send it without a
//    preflight that this server never grants);
//  - a Content-Security-Policy without inline scripts, nosniff, no
//    referrer, no framing, no caching of answers;
//  - request bodies limited (JSON calls 1 MiB, uploads 64 MiB);
//  - static files only from the compiled-in set (no file system paths);
//  - nothing logs a request's body, cookie or URL parameters.
// The provincial console (provincial/web/) is its first user.
//
// Start and Stop from one thread; requests are served on httplib's pool.
#ifndef NTMIS_COMMON_WEB_CONSOLE_SERVER_H_
#define NTMIS_COMMON_WEB_CONSOLE_SERVER_H_

#include <httplib.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/web/connect.h"
#include "common/web/web_assets.h"
#include "ntmis/v1/config.pb.h"

namespace ntmis::web {

struct ConsoleOptions {
  std::string listen;  // host:port; port 0 picks a free port
  std::string cert;    // PEM certificate chain
  std::string key;     // PEM private key
  size_t max_json_bytes = 1 << 20;
  size_t max_upload_bytes = 64 << 20;
  // httplib serves a connection on one thread for as long as it is kept
  // alive, so there must be a thread for every browser working at once.
  int threads = 256;
  int keep_alive_seconds = 10;
};

// A node's console settings: `listen`, and the console's own certificate
// and key (`web`) or else the node's (`node`).
ConsoleOptions ConsoleOptionsFrom(const std::string& listen,
                                  const v1::TlsFiles& node,
                                  const v1::TlsFiles& web);

inline constexpr char kXlsxType[] =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// For a console's own routes: the caller of a request (session cookie and
// address), answers in JSON or as a download, and the CSRF check (false,
// with permission_denied answered, when the header does not match).
Caller CallerOf(const httplib::Request& req);
void SendJson(httplib::Response& res, int status, const std::string& json);
void SendError(httplib::Response& res, grpc::StatusCode code,
               const std::string& message);
// `bytes` as a download named `filename` (UTF-8, RFC 6266: an ASCII
// fallback and the real name percent-encoded).
void SendDownload(httplib::Response& res, const std::string& bytes,
                  const std::string& filename,
                  const std::string& ascii_fallback, const char* content_type);
bool CsrfOk(const httplib::Request& req, httplib::Response& res);

class ConsoleServer {
 public:
  // A console's routes besides the JSON API and its files.
  using Routes = std::function<void(httplib::SSLServer&, ConnectGateway&)>;

  // Listens on options.listen (UNAVAILABLE naming the address if it
  // cannot) and serves `api`'s service as JSON under /<service>/<Method>,
  // `routes`, and the files `assets` finds ("/" is /index.html).
  static absl::StatusOr<std::unique_ptr<ConsoleServer>> Start(
      const ConsoleOptions& options, std::unique_ptr<ConnectGateway> api,
      const std::string& service, WebAssetFinder assets, const Routes& routes);
  ~ConsoleServer();

  int port() const { return port_; }
  void Stop();

 private:
  ConsoleServer() = default;
  void ServeApi(const std::string& service);
  void ServeAssets(WebAssetFinder assets);

  ConsoleOptions options_;
  std::unique_ptr<ConnectGateway> api_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace ntmis::web

#endif  // NTMIS_COMMON_WEB_CONSOLE_SERVER_H_
