// The ntmis-national subcommands, by group. Each converts its flags, calls
// the node's core and prints what it did; operators read English here.
#ifndef NTMIS_NATIONAL_CLI_COMMANDS_H_
#define NTMIS_NATIONAL_CLI_COMMANDS_H_

#include <vector>

#include "common/base/cli.h"

namespace ntmis::national {

inline constexpr char kProgram[] = "ntmis-national";

// pki init|crl-url|issue|revoke|list|crl
std::vector<cli::Command> PkiCommands();
// serve, backup, restore, check
std::vector<cli::Command> NodeCommands();
// query aggregate|provinces|transfers|lookup, probe
std::vector<cli::Command> QueryCommands();
// registry template|import, audit verify|accept
std::vector<cli::Command> DataCommands();
// init, user create|list|reset-password|unlock|disable
std::vector<cli::Command> UserCommands();

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_CLI_COMMANDS_H_
