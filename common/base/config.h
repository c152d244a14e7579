// Loads node configuration written in proto text format.
#ifndef NTMIS_COMMON_BASE_CONFIG_H_
#define NTMIS_COMMON_BASE_CONFIG_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace ntmis {

// Parses the text-format file at `path` into `config`; INVALID_ARGUMENT
// names the line and column of a syntax or schema error.
absl::Status LoadTextProto(const std::string& path,
                           google::protobuf::Message* config);

// Writes `config` in text format.
absl::Status SaveTextProto(const std::string& path,
                           const google::protobuf::Message& config);

// Reads a whole file.
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace ntmis

#endif  // NTMIS_COMMON_BASE_CONFIG_H_
