// What ApiService's files share (provincial/server/api_service*.cc): a core
// result into the RPC's response, and a status as the audit records it.
#ifndef NTMIS_PROVINCIAL_SERVER_API_SERVICE_INTERNAL_H_
#define NTMIS_PROVINCIAL_SERVER_API_SERVICE_INTERNAL_H_

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ntmis::provincial {

// Sets *out from a StatusOr, or returns its error.
template <typename T, typename Out>
absl::Status Fill(absl::StatusOr<T> result, Out* out) {
  if (!result.ok()) return result.status();
  *out = std::move(*result);
  return absl::OkStatus();
}

// "ok", or the status code's name ("PERMISSION_DENIED"), as audit entries
// record results.
inline std::string StatusResult(const absl::Status& status) {
  return status.ok() ? "ok" : absl::StatusCodeToString(status.code());
}

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_SERVER_API_SERVICE_INTERNAL_H_
