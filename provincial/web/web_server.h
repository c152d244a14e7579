// The web console's HTTPS server (cpp-httplib, Debian's libcpp-httplib-dev):
// the console's pages and scripts, compiled into the binary, and the JSON
// API of provincial/web/connect_gateway.h under the console's security rules:
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
//
// Start and Stop from one thread; requests are served on httplib's pool.
#ifndef NTMIS_PROVINCIAL_WEB_WEB_SERVER_H_
#define NTMIS_PROVINCIAL_WEB_WEB_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "ntmis/v1/config.pb.h"
#include "provincial/web/connect_gateway.h"

namespace httplib {
class SSLServer;
}

namespace ntmis::provincial {

struct WebOptions {
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

// The console's settings from the node's config: web_listen, and web_tls's
// certificate and key or else the node's.
WebOptions WebOptionsFrom(const v1::ProvincialConfig& config);

class WebServer {
 public:
  // Listens on options.listen (UNAVAILABLE naming the address if it
  // cannot); calls go to the node over `in_process`.
  static absl::StatusOr<std::unique_ptr<WebServer>> Start(
      const WebOptions& options, std::shared_ptr<grpc::Channel> in_process);
  ~WebServer();

  int port() const { return port_; }
  void Stop();

 private:
  WebServer() = default;
  void Routes();

  WebOptions options_;
  std::unique_ptr<ConnectGateway> gateway_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_WEB_WEB_SERVER_H_
