// The provincial web console: the console server of common/web/ (HTTPS,
// sessions, CSRF, the Connect JSON API over ProvincialApi, compiled-in
// files from provincial/web/assets/) with the routes only this console
// has:
//   POST /console/import    an import as one upload (the ImportReport, or
//                           with format=csv its problems as a report file);
//   GET  /console/template  an import template as an Excel workbook;
//   GET  /console/export    an export as CSV or an Excel workbook;
//   GET  /console/labels    every code's label (provincial/core/labels.h).
#ifndef NTMIS_PROVINCIAL_WEB_WEB_SERVER_H_
#define NTMIS_PROVINCIAL_WEB_WEB_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>

#include "absl/status/statusor.h"
#include "common/web/console_server.h"
#include "ntmis/v1/config.pb.h"

namespace ntmis::provincial {

using WebOptions = web::ConsoleOptions;

// The console's settings from the node's config: web_listen, and web_tls's
// certificate and key or else the node's.
WebOptions WebOptionsFrom(const v1::ProvincialConfig& config);

class WebServer {
 public:
  // Listens on options.listen (UNAVAILABLE naming the address if it
  // cannot); calls go to the node over `in_process`.
  static absl::StatusOr<std::unique_ptr<WebServer>> Start(
      const WebOptions& options, std::shared_ptr<grpc::Channel> in_process);

  int port() const { return console_->port(); }
  void Stop() { console_->Stop(); }

 private:
  std::unique_ptr<web::ConsoleServer> console_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_WEB_WEB_SERVER_H_
