#include "common/cli.h"

#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_join.h"

namespace ntmis::cli {

absl::StatusOr<Args> Args::Parse(const Command& command,
                                 const std::vector<std::string>& argv) {
  Args args;
  for (size_t i = 0; i < argv.size(); ++i) {
    absl::string_view arg = argv[i];
    if (!absl::ConsumePrefix(&arg, "--")) {
      args.positional_.push_back(argv[i]);
      continue;
    }
    std::string name(arg), value;
    bool inline_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    const Flag* flag = nullptr;
    for (const auto& f : command.flags)
      if (f.name == name) flag = &f;
    if (flag == nullptr) {
      std::vector<std::string> known;
      for (const auto& f : command.flags) known.push_back("--" + f.name);
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown flag --", name, " for '", command.path, "'; known: ",
          known.empty() ? "none" : absl::StrJoin(known, " ")));
    }
    if (!flag->value.empty() && !inline_value) {
      if (i + 1 >= argv.size())
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " needs a value (", flag->value, ")"));
      value = argv[++i];
    }
    args.values_[name].push_back(value);
  }
  return args;
}

std::string Args::Get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second.back();
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

absl::StatusOr<int64_t> Args::GetInt(const std::string& name, int64_t fallback) const {
  if (!Has(name)) return fallback;
  int64_t value;
  if (!absl::SimpleAtoi(Get(name), &value))
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " must be an integer, got '", Get(name), "'"));
  return value;
}

std::string Usage(const std::string& program, const Command& command) {
  std::string out = absl::StrCat("usage: ", program, " ", command.path);
  if (!command.positional.empty()) absl::StrAppend(&out, " ", command.positional);
  if (!command.flags.empty()) absl::StrAppend(&out, " [flags]");
  absl::StrAppend(&out, "\n  ", command.summary, "\n");
  for (const auto& f : command.flags) {
    std::string left = absl::StrCat("--", f.name, f.value.empty() ? "" : " " + f.value);
    absl::StrAppend(&out, "    ", left, std::string(left.size() < 26 ? 26 - left.size() : 1, ' '),
                    f.help, "\n");
  }
  return out;
}

int Fail(const std::string& program, const absl::Status& status) {
  std::cerr << program << ": " << status.message() << "\n";
  return absl::IsInvalidArgument(status) ? 2 : 1;
}

}  // namespace ntmis::cli
