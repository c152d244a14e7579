// Command-line plumbing shared by ntmis-national and ntmis-provincial:
// flag parsing against a declared list, usage text, exit on error.
#ifndef NTMIS_COMMON_BASE_CLI_H_
#define NTMIS_COMMON_BASE_CLI_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ntmis::cli {

struct Flag {
  std::string name;   // without "--"
  std::string value;  // placeholder such as "FILE"; empty for a switch
  std::string help;
};

class Args;

struct Command {
  std::string path;  // "query aggregate"
  std::string summary;
  std::string positional;  // "FILE", or empty
  std::vector<Flag> flags;
  std::function<absl::Status(const Args&)> run;
};

// Parsed flags: "--name value", "--name=value", or "--switch". A flag may
// repeat; Get returns the last value, GetAll every one.
class Args {
 public:
  static absl::StatusOr<Args> Parse(const Command& command,
                                    const std::vector<std::string>& argv);

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  std::string Get(const std::string& name,
                  const std::string& fallback = "") const;
  std::vector<std::string> GetAll(const std::string& name) const;
  absl::StatusOr<int64_t> GetInt(const std::string& name,
                                 int64_t fallback) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

std::string Usage(const std::string& program, const Command& command);

// Prints "program: error" to stderr and returns the exit code for it: the
// one marked with WithExitCode (common/base/exit_code.h), else 2 for usage
// errors and 1 otherwise.
int Fail(const std::string& program, const absl::Status& status);

// Finds the command named by argv's leading words (the longest match),
// parses its flags, prints --help, runs it; returns the process exit code.
int Dispatch(const std::string& program, const std::vector<Command>& commands,
             int argc, char** argv);

// Blocks SIGINT and SIGTERM in this thread and every thread it starts later;
// call first thing in main(), then WaitForShutdownSignal() to wait for one.
void BlockShutdownSignals();

// What a node's binary sets first thing in main(): BlockShutdownSignals(),
// and Abseil's lock-order (deadlock) detection off — Debian's Abseil is
// built with it on, and it took a few per cent of the provincial node's CPU
// under load (docs/benchmarks.md). Tests keep it on.
void PrepareNodeProcess();
// Returns the signal number that arrived.
int WaitForShutdownSignal();

}  // namespace ntmis::cli

#endif  // NTMIS_COMMON_BASE_CLI_H_
