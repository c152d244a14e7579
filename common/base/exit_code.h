// The process exit code an error should end a command with, carried inside
// the absl::Status as a payload so that the code deciding it (a start-up
// check deep in a node) need not know about the CLI. cli::Fail reads it.
// The codes are documented in docs/operators.md.
#ifndef NTMIS_COMMON_BASE_EXIT_CODE_H_
#define NTMIS_COMMON_BASE_EXIT_CODE_H_

#include <optional>

#include "absl/status/status.h"

namespace ntmis {

enum class ExitCode : int {
  kError = 1,  // anything not listed below
  kUsage = 2,  // bad flags or configuration
  kCannotListen =
      3,  // the listen address is taken, does not resolve, or is not allowed
  kDataUnusable =
      4,  // data directory or database missing, unwritable, or in use
  kCertificate =
      5,  // the node certificate does not fit its key, CA, time or identity
  kImportPartial = 6,  // an import applied some rows and refused others
  kImportRefused =
      7,  // an import applied nothing: the file or every row had problems
};

// `status` (not OK) marked to end the process with `code`.
absl::Status WithExitCode(absl::Status status, ExitCode code);
// The code marked on `status`, if any.
std::optional<ExitCode> ExitCodeOf(const absl::Status& status);

}  // namespace ntmis

#endif  // NTMIS_COMMON_BASE_EXIT_CODE_H_
