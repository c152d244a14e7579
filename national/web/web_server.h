// The ministry's web console (docs/architecture.md, "The ministry's
// console"): the console server of common/web/ (HTTPS, sessions, CSRF, the
// Connect JSON API over NationalQuery, compiled-in files from
// national/web/assets/ and the shared kit) with the one route only this
// console has:
//   GET /console/aggregate.xlsx?q=<AggregateRequest as JSON>&title=…
//       the answer of that query as an Excel workbook (names, codes,
//       teachers as numbers, shares as percentages), asked as the
//       session's operator, so it is checked and audited like any query.
#ifndef NTMIS_NATIONAL_WEB_WEB_SERVER_H_
#define NTMIS_NATIONAL_WEB_WEB_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>

#include "absl/status/statusor.h"
#include "common/web/console_server.h"
#include "ntmis/v1/config.pb.h"

namespace ntmis::national {

// The console's settings from the node's config: web_listen, and web_tls's
// certificate and key or else the node's.
web::ConsoleOptions MinistryConsoleOptions(const v1::NationalConfig& config);

class MinistryConsole {
 public:
  // Listens on options.listen (UNAVAILABLE naming the address if it
  // cannot); calls go to the node over `in_process`.
  static absl::StatusOr<std::unique_ptr<MinistryConsole>> Start(
      const web::ConsoleOptions& options,
      std::shared_ptr<grpc::Channel> in_process);

  int port() const { return console_->port(); }
  void Stop() { console_->Stop(); }

 private:
  std::unique_ptr<web::ConsoleServer> console_;
};

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_WEB_WEB_SERVER_H_
