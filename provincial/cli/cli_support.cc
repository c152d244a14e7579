#include "provincial/cli/cli_support.h"

#include <cstdlib>
#include <ctime>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/config.h"
#include "common/base/status_macros.h"
#include "common/tables/text_table.h"

namespace ntmis::provincial {

const cli::Flag kConfigFlag{
    "config", "FILE", "node configuration (ntmis.v1.ProvincialConfig text)"};

const std::vector<cli::Flag>& LoginFlags() {
  static const auto* flags = new std::vector<cli::Flag>{
      kConfigFlag,
      {"server", "HOST:PORT", "node address (default: config.listen)"},
      {"user", "NAME", "account to log in with"},
      {"password-file", "FILE",
       "file holding the password (else $NTMIS_PASSWORD)"}};
  return *flags;
}

std::vector<cli::Flag> LoginFlagsWith(std::vector<cli::Flag> more) {
  std::vector<cli::Flag> flags = LoginFlags();
  flags.insert(flags.end(), more.begin(), more.end());
  return flags;
}

absl::StatusOr<v1::ProvincialConfig> LoadConfig(const cli::Args& args) {
  if (!args.Has("config"))
    return absl::InvalidArgumentError("--config FILE is required");
  v1::ProvincialConfig config;
  RETURN_IF_ERROR(LoadTextProto(args.Get("config"), &config));
  return config;
}

absl::StatusOr<std::string> ReadPassword(const cli::Args& args) {
  if (args.Has("password-file")) {
    ASSIGN_OR_RETURN(std::string text, ReadFile(args.Get("password-file")));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
      text.pop_back();
    return text;
  }
  if (const char* env = std::getenv("NTMIS_PASSWORD"); env != nullptr)
    return std::string(env);
  return absl::InvalidArgumentError(
      "give --password-file FILE or set NTMIS_PASSWORD");
}

absl::StatusOr<std::unique_ptr<ApiClient>> LoggedIn(const cli::Args& args) {
  ASSIGN_OR_RETURN(v1::ProvincialConfig config, LoadConfig(args));
  ASSIGN_OR_RETURN(std::string password, ReadPassword(args));
  if (!args.Has("user"))
    return absl::InvalidArgumentError("--user NAME is required");
  ASSIGN_OR_RETURN(auto client,
                   ApiClient::Connect(args.Get("server", config.listen()),
                                      config.tls().ca_cert()));
  RETURN_IF_ERROR(client->Login(args.Get("user"), password));
  return client;
}

absl::StatusOr<std::string> OnePositional(const cli::Args& args,
                                          const std::string& what) {
  if (args.positional().size() != 1)
    return absl::InvalidArgumentError(absl::StrCat("give ", what));
  return args.positional()[0];
}

absl::Status AddSetFlags(
    const cli::Args& args,
    google::protobuf::RepeatedPtrField<v1::FieldValue>* fields) {
  for (const std::string& pair : args.GetAll("set")) {
    size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0)
      return absl::InvalidArgumentError(
          absl::StrCat("--set '", pair, "': FIELD=VALUE"));
    v1::FieldValue* f = fields->Add();
    f->set_field(pair.substr(0, eq));
    f->set_value(pair.substr(eq + 1));
  }
  return absl::OkStatus();
}

std::string FormatTime(int64_t unix_time) {
  if (unix_time == 0) return "-";
  std::time_t t = static_cast<std::time_t>(unix_time + 8 * 3600);  // UTC+8
  std::tm tm;
  gmtime_r(&t, &tm);
  return absl::StrFormat("%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900,
                         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

std::string Ago(int64_t unix_time) {
  if (unix_time == 0) return "never";
  int64_t delta = std::time(nullptr) - unix_time;
  return delta >= 0 ? absl::StrCat(delta, "s ago")
                    : absl::StrCat("in ", -delta, "s");
}

void PrintTable(const std::vector<std::vector<std::string>>& rows, bool csv) {
  std::cout << RenderTable(rows, {}, csv);
}

}  // namespace ntmis::provincial
