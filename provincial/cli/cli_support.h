// What the ntmis-provincial commands share: the config and login flags, a
// logged-in API client, and the way times and tables are printed.
#ifndef NTMIS_PROVINCIAL_CLI_CLI_SUPPORT_H_
#define NTMIS_PROVINCIAL_CLI_CLI_SUPPORT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/base/cli.h"
#include "ntmis/v1/categories.pb.h"
#include "ntmis/v1/config.pb.h"
#include "provincial/client/api_client.h"

namespace ntmis::provincial {

extern const cli::Flag kConfigFlag;

// --config, --server, --user, --password-file.
const std::vector<cli::Flag>& LoginFlags();
// LoginFlags() and `more`.
std::vector<cli::Flag> LoginFlagsWith(std::vector<cli::Flag> more);

absl::StatusOr<v1::ProvincialConfig> LoadConfig(const cli::Args& args);
// From --password-file, else $NTMIS_PASSWORD.
absl::StatusOr<std::string> ReadPassword(const cli::Args& args);
// A client of the node named by --server / config.listen, logged in as --user.
absl::StatusOr<std::unique_ptr<ApiClient>> LoggedIn(const cli::Args& args);

// The one positional argument, or INVALID_ARGUMENT naming it.
absl::StatusOr<std::string> OnePositional(const cli::Args& args,
                                          const std::string& what);

// The --set FIELD=VALUE flags (repeated) as field values.
absl::Status AddSetFlags(
    const cli::Args& args,
    google::protobuf::RepeatedPtrField<v1::FieldValue>* fields);

// "2026-12-02 15:04" in China Standard Time; "-" for 0.
std::string FormatTime(int64_t unix_time);
// "12s ago", "in 30s", "never".
std::string Ago(int64_t unix_time);

// Prints rows as aligned columns (widths by display width of UTF-8 text),
// or as CSV when `csv`.
void PrintTable(const std::vector<std::vector<std::string>>& rows, bool csv);

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CLI_CLI_SUPPORT_H_
