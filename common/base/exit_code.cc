#include "common/base/exit_code.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"

namespace ntmis {
namespace {
constexpr char kPayload[] = "type.ntmis/exit_code";
}  // namespace

absl::Status WithExitCode(absl::Status status, ExitCode code) {
  if (!status.ok())
    status.SetPayload(kPayload,
                      absl::Cord(std::to_string(static_cast<int>(code))));
  return status;
}

std::optional<ExitCode> ExitCodeOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kPayload);
  int code = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &code))
    return std::nullopt;
  return static_cast<ExitCode>(code);
}

}  // namespace ntmis
