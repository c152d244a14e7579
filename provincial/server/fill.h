// ApiService's one helper shared by its files: a core result into the
// RPC's response.
#ifndef NTMIS_PROVINCIAL_SERVER_FILL_H_
#define NTMIS_PROVINCIAL_SERVER_FILL_H_

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

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_SERVER_FILL_H_
