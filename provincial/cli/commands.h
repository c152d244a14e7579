// The ntmis-provincial subcommands that work through the node's API, by
// group. Each prints what it did and returns the API's status.
#ifndef NTMIS_PROVINCIAL_CLI_COMMANDS_H_
#define NTMIS_PROVINCIAL_CLI_COMMANDS_H_

#include <vector>

#include "common/base/cli.h"

namespace ntmis::provincial {

// user …, unit …, audit …
std::vector<cli::Command> AdminCommands();
// teacher …, review …, report …
std::vector<cli::Command> TeacherCommands();
// template …, indicator …, entry …, teacher form, export …
std::vector<cli::Command> CategoryCommands();
// transfer …, status …, rotation …
std::vector<cli::Command> CareerCommands();

}  // namespace ntmis::provincial

#endif  // NTMIS_PROVINCIAL_CLI_COMMANDS_H_
