// The provincial console's streaming calls, which the Connect gateway
// (common/web/connect.h) does not carry: an import as one upload and an
// export as one download. They go through the one API client
// (provincial/client/api_client.h) with the browser's session over the
// node's in-process channel, so they pass the same authentication, rules
// and audit as the CLI's.
//
// Thread-safe: the console server calls it from many threads at once.
#ifndef NTMIS_PROVINCIAL_WEB_CONSOLE_STREAMS_H_
#define NTMIS_PROVINCIAL_WEB_CONSOLE_STREAMS_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "common/web/connect.h"
#include "ntmis/v1/provincial.grpc.pb.h"

namespace ntmis::provincial {

class ConsoleStreams {
 public:
  explicit ConsoleStreams(std::shared_ptr<grpc::Channel> in_process)
      : channel_(std::move(in_process)) {}

  // The streaming imports as one upload: `kind` is "units", "teachers" or
  // "category" (then `category` names it); the answer is the ImportReport.
  web::Reply Import(const std::string& kind, const std::string& category,
                    bool dry_run, bool all_or_nothing, const std::string& data,
                    const web::Caller& caller);

  // Export as one download: the CSV bytes in `*csv` and its name in
  // `*title` when OK.
  web::Reply Export(const v1::ExportRequest& request, const web::Caller& caller,
                    std::string* csv, std::string* title);

 private:
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_WEB_CONSOLE_STREAMS_H_
