#include "common/base/cli.h"

#include <signal.h>

#include <iostream>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "common/base/exit_code.h"

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
          "unknown flag --", name, " for '", command.path,
          "'; known: ", known.empty() ? "none" : absl::StrJoin(known, " ")));
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

std::string Args::Get(const std::string& name,
                      const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second.back();
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

absl::StatusOr<int64_t> Args::GetInt(const std::string& name,
                                     int64_t fallback) const {
  if (!Has(name)) return fallback;
  int64_t value;
  if (!absl::SimpleAtoi(Get(name), &value))
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " must be an integer, got '", Get(name), "'"));
  return value;
}

std::string Usage(const std::string& program, const Command& command) {
  std::string out = absl::StrCat("usage: ", program, " ", command.path);
  if (!command.positional.empty())
    absl::StrAppend(&out, " ", command.positional);
  if (!command.flags.empty()) absl::StrAppend(&out, " [flags]");
  absl::StrAppend(&out, "\n  ", command.summary, "\n");
  for (const auto& f : command.flags) {
    std::string left =
        absl::StrCat("--", f.name, f.value.empty() ? "" : " " + f.value);
    absl::StrAppend(&out, "    ", left,
                    std::string(left.size() < 26 ? 26 - left.size() : 1, ' '),
                    f.help, "\n");
  }
  return out;
}

int Fail(const std::string& program, const absl::Status& status) {
  std::cerr << program << ": " << status.message() << "\n";
  if (std::optional<ExitCode> code = ExitCodeOf(status))
    return static_cast<int>(*code);
  return static_cast<int>(absl::IsInvalidArgument(status) ? ExitCode::kUsage
                                                          : ExitCode::kError);
}

int Dispatch(const std::string& program, const std::vector<Command>& commands,
             int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  const Command* command = nullptr;
  size_t used = 0;
  for (const auto& c : commands) {
    std::vector<std::string> parts = absl::StrSplit(c.path, ' ');
    if (parts.size() <= words.size() && parts.size() > used &&
        std::equal(parts.begin(), parts.end(), words.begin())) {
      command = &c;
      used = parts.size();
    }
  }
  if (command == nullptr) {
    // "GROUP --help" (or "GROUP" alone): the commands of the group.
    std::vector<const Command*> group;
    if (!words.empty() && words[0] != "--help" && words[0] != "help") {
      for (const auto& c : commands)
        if (absl::StartsWith(c.path, words[0] + " ")) group.push_back(&c);
    }
    const bool group_help =
        !group.empty() &&
        (words.size() == 1 ||
         (words.size() == 2 && (words[1] == "--help" || words[1] == "help")));
    if (group_help) {
      std::cout << "usage: " << program << " " << words[0]
                << " COMMAND [flags]   (" << words[0]
                << " COMMAND --help for details)\n";
      for (const Command* c : group)
        std::cout << "  " << c->path << "\n      " << c->summary << "\n";
      return 0;
    }
    bool asked = words.empty() || words[0] == "--help" || words[0] == "help";
    std::ostream& out = asked ? std::cout : std::cerr;
    if (!asked)
      out << program << ": unknown command '" << absl::StrJoin(words, " ")
          << "'\n";
    out << "usage: " << program
        << " COMMAND [flags]   (COMMAND --help for details)\n";
    for (const auto& c : commands)
      out << "  " << c.path << "\n      " << c.summary << "\n";
    return asked ? 0 : 2;
  }
  std::vector<std::string> rest(words.begin() + used, words.end());
  if (std::find(rest.begin(), rest.end(), "--help") != rest.end()) {
    std::cout << Usage(program, *command);
    return 0;
  }
  auto args = Args::Parse(*command, rest);
  if (!args.ok()) {
    std::cerr << Usage(program, *command);
    return Fail(program, args.status());
  }
  absl::Status status = command->run(*args);
  return status.ok() ? 0 : Fail(program, status);
}

void BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void PrepareNodeProcess() {
  BlockShutdownSignals();
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

int WaitForShutdownSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

}  // namespace ntmis::cli
