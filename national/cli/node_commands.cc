// ntmis-national serve, backup, restore and check: the node itself, run on
// its host (national/server/).
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/config.h"
#include "common/base/status_macros.h"
#include "common/base/writable_path.h"
#include "national/cli/commands.h"
#include "national/ingest/national_store.h"
#include "national/server/backup.h"
#include "national/server/server.h"
#include "national/web/web_server.h"

namespace ntmis::national {
namespace {

using cli::Args;
using cli::Command;

absl::Status Serve(const Args& args) {
  if (!args.Has("config"))
    return absl::InvalidArgumentError("--config FILE is required");
  v1::NationalConfig config;
  RETURN_IF_ERROR(LoadTextProto(args.Get("config"), &config));
  if (args.Has("listen")) config.set_listen(args.Get("listen"));
  if (args.Has("address-file"))
    RETURN_IF_ERROR(
        CheckWritableFile(args.Get("address-file"), "--address-file"));
  ASSIGN_OR_RETURN(auto server, NationalServer::Start(config));
  std::string host = config.listen().substr(0, config.listen().rfind(':'));
  std::string address = absl::StrCat(host, ":", server->port());
  std::unique_ptr<MinistryConsole> console;
  if (!config.web_listen().empty()) {
    ASSIGN_OR_RETURN(console,
                     MinistryConsole::Start(MinistryConsoleOptions(config),
                                            server->InProcessChannel()));
    std::cerr << kProgram << ": ministry console on https://"
              << config.web_listen().substr(0, config.web_listen().rfind(':'))
              << ":" << console->port() << "/\n";
  }
  if (server->metrics_port() != 0) {
    std::cerr << kProgram << ": metrics on http://"
              << config.metrics_listen().substr(
                     0, config.metrics_listen().rfind(':'))
              << ":" << server->metrics_port() << "/metrics\n";
  }
  if (server->crl_port() != 0) {
    std::cerr << kProgram << ": revocation list on http://"
              << config.crl_listen().substr(0, config.crl_listen().rfind(':'))
              << ":" << server->crl_port() << "/revoked.crl\n";
  }
  // Last: whoever waits for the address file finds the lines above written.
  std::cerr << kProgram << ": national node serving on " << address << "\n";
  if (args.Has("address-file"))
    RETURN_IF_ERROR(WriteAddressFile(args.Get("address-file"), address));
  int sig = cli::WaitForShutdownSignal();
  std::cerr << kProgram << ": signal " << sig << ", shutting down\n";
  if (console != nullptr) console->Stop();
  server->Shutdown();
  return absl::OkStatus();
}

absl::Status Check(const Args& args) {
  v1::NationalConfig config;
  RETURN_IF_ERROR(LoadTextProto(args.Get("config"), &config));
  ASSIGN_OR_RETURN(auto store, NationalStore::Open(config.data_dir()));
  std::vector<std::string> codes = store->KnownProvinces();
  if (args.Has("province")) codes = {args.Get("province")};
  uint64_t broken = 0;
  for (const std::string& code : codes) {
    ASSIGN_OR_RETURN(ProvinceDb * db, store->Province(code, /*create=*/false));
    ASSIGN_OR_RETURN(CheckReport report, db->Check());
    std::cout << "province " << code << ": " << report.teachers << " records, ";
    if (report.problems.empty()) {
      std::cout << "rollup, digests and count equal a recount\n";
      continue;
    }
    std::cout << report.problems.size() << " problems\n";
    for (const std::string& p : report.problems) std::cout << "  " << p << "\n";
    if (args.Has("repair")) {
      RETURN_IF_ERROR(db->Rebuild());
      std::cout << "  rebuilt from the stored records; run `ntmis-provincial "
                   "sync --verify` "
                   "in the province to re-send what the records lack\n";
    } else {
      ++broken;
    }
  }
  if (broken > 0)
    return absl::DataLossError(
        absl::StrCat(broken, " provinces need --repair"));
  return absl::OkStatus();
}

absl::Status Backup(const Args& args) {
  v1::NationalConfig config;
  RETURN_IF_ERROR(LoadTextProto(args.Get("config"), &config));
  ASSIGN_OR_RETURN(NationalBackupReport report,
                   BackupNational(config, args.Get("to")));
  std::cout << "backup written to " << args.Get("to") << ": "
            << report.files.size() << " files ("
            << absl::StrJoin(report.files, ", ") << "), " << report.bytes
            << " bytes\nnot in the backup - keep these files elsewhere, as "
               "safely as the backup:\n";
  for (const std::string& key : report.keys_not_included)
    std::cout << "  " << key << "\n";
  return absl::OkStatus();
}

absl::Status Restore(const Args& args) {
  v1::NationalConfig config;
  RETURN_IF_ERROR(LoadTextProto(args.Get("config"), &config));
  ASSIGN_OR_RETURN(NationalBackupReport report,
                   RestoreNational(config, args.Get("from")));
  std::cout << "restored " << report.files.size() << " files from "
            << args.Get("from") << "; the files replaced are in "
            << report.set_aside
            << "\nnext: start the node; each province's next sync sends what "
               "the backup lacks\n";
  return absl::OkStatus();
}

}  // namespace

std::vector<cli::Command> NodeCommands() {
  return {
      {"serve",
       "run the national node until SIGINT or SIGTERM",
       "",
       {{"config", "FILE", "ntmis.v1.NationalConfig text"},
        {"listen", "HOST:PORT", "override config.listen"},
        {"address-file", "FILE",
         "write the bound host:port here once listening"}},
       Serve},
      {"backup",
       "copy national.db and every province file into a new directory while "
       "the node "
       "runs (the keys are not in it)",
       "",
       {{"config", "FILE", "ntmis.v1.NationalConfig text"},
        {"to", "DIR", "the backup directory (must not exist)"}},
       Backup},
      {"restore",
       "bring the stopped node back from a backup directory (the replaced "
       "files are "
       "kept)",
       "",
       {{"config", "FILE", "ntmis.v1.NationalConfig text"},
        {"from", "DIR", "a backup (ntmis-national backup)"}},
       Restore},
      {"check",
       "recount every province's rollup, digests and record count from its "
       "records",
       "",
       {{"config", "FILE", "ntmis.v1.NationalConfig text"},
        {"province", "CODE", "only this province"},
        {"repair", "", "rebuild what differs from the stored records"}},
       Check},
  };
}

}  // namespace ntmis::national
