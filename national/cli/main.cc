// ntmis-national: the federation CA, the national node, and operator
// queries. The commands are in national/cli/*_commands.cc, by group.
#include "common/base/cli.h"
#include "national/cli/commands.h"

namespace ntmis::national {
namespace {

const std::vector<cli::Command>& Commands() {
  static const auto* commands = [] {
    auto* all = new std::vector<cli::Command>;
    for (auto group : {PkiCommands, NodeCommands, UserCommands, QueryCommands,
                       DataCommands}) {
      std::vector<cli::Command> more = group();
      all->insert(all->end(), more.begin(), more.end());
    }
    return all;
  }();
  return *commands;
}

}  // namespace
}  // namespace ntmis::national

int main(int argc, char** argv) {
  ntmis::cli::PrepareNodeProcess();
  return ntmis::cli::Dispatch(ntmis::national::kProgram,
                              ntmis::national::Commands(), argc, argv);
}
