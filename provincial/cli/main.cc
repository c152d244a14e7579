// ntmis-provincial: run and operate a provincial node.
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/cli.h"
#include "common/base/config.h"
#include "common/base/status_macros.h"
#include "common/base/writable_path.h"
#include "common/crypto/crypto.h"
#include "common/pki/tls.h"
#include "common/rpc/health_probe.h"
#include "common/tables/csv.h"
#include "common/tables/import_report.h"
#include "common/teacher/code_tables.h"
#include "provincial/cli/cli_support.h"
#include "provincial/cli/commands.h"
#include "provincial/client/api_client.h"
#include "provincial/core/accounts.h"
#include "provincial/core/units.h"
#include "provincial/server/backup.h"
#include "provincial/server/node.h"
#include "provincial/tools/generator.h"
#include "provincial/web/web_server.h"

namespace ntmis::provincial {
namespace {

constexpr char kProgram[] = "ntmis-provincial";
using cli::Args;
using cli::Command;

absl::Status Init(const Args& args);
absl::Status Serve(const Args& args);
absl::Status GenTeachers(const Args& args);
absl::Status Import(const Args& args, ImportTarget target);
absl::Status Sync(const Args& args);
absl::Status SyncStatus(const Args& args);
absl::Status SyncNow(const Args& args);
absl::Status TeacherWithdraw(const Args& args);
absl::Status Backup(const Args& args);
absl::Status Probe(const Args& args);
absl::Status Restore(const Args& args);

const std::vector<cli::Flag>& ImportFlags() {
  static const auto* flags = [] {
    auto* f = new std::vector<cli::Flag>(LoginFlags());
    f->push_back({"dry-run", "", "validate and report only; change nothing"});
    f->push_back({"all-or-nothing", "",
                  "apply nothing if any row has a problem (default: "
                  "apply the valid rows, report the rest)"});
    f->push_back(
        {"report", "FILE",
         "write the problems as CSV that Excel opens (行,列,列名,值,规则): "
         "the first 10,000, and how many more there are"});
    return f;
  }();
  return *flags;
}

const std::vector<Command>& Commands() {
  static const auto* commands = new std::vector<Command>{
      {"init",
       "create the province database, its root unit, the node's PII key and "
       "the first system administrator",
       "",
       {kConfigFlag,
        {"admin", "NAME", "user name of the first system administrator"},
        {"password-file", "FILE",
         "file holding that user's password (else one is generated and "
         "printed)"}},
       Init},
      {"serve",
       "run the node's API until SIGINT or SIGTERM",
       "",
       {kConfigFlag,
        {"listen", "HOST:PORT", "override config.listen"},
        {"address-file", "FILE",
         "write the bound host:port here once listening"},
        {"web-listen", "HOST:PORT",
         "override config.web_listen (the web console; port 0 picks one)"},
        {"web-address-file", "FILE",
         "write the console's https://host:port/ here once listening"}},
       Serve},
      {"gen teachers",
       "write a deterministic synthetic teacher-template CSV (and its unit "
       "tree)",
       "",
       {{"province", "CODE", "two-digit province code"},
        {"count", "N", "number of teachers (default 1000)"},
        {"seed", "S", "random seed (default 1)"},
        {"out", "FILE", "teacher CSV (default: stdout)"},
        {"units-out", "FILE",
         "also write the unit-template CSV the teachers refer to"}},
       GenTeachers},
      {"import units", "import a unit-template CSV through the node's API",
       "FILE", ImportFlags(),
       [](const Args& a) { return Import(a, ImportTarget::kUnits); }},
      {"import teachers",
       "import a teacher-template CSV through the node's API", "FILE",
       ImportFlags(),
       [](const Args& a) { return Import(a, ImportTarget::kTeachers); }},
      {"import category",
       "import a category template (see `template CATEGORY`) into the "
       "teachers' entries",
       "CATEGORY FILE", ImportFlags(),
       [](const Args& a) { return Import(a, ImportTarget::kCategory); }},
      {"sync",
       "push pending effective changes to the national node",
       "",
       {kConfigFlag,
        {"once", "", "run one sync now and exit"},
        {"verify", "",
         "compare digests with the national node, re-send what differs, "
         "and check agreement"}},
       Sync},
      {"teacher withdraw",
       "take a teacher out of the national scope (left, withdrawn)",
       "TEACHER_NUMBER",
       [] {
         auto flags = LoginFlags();
         flags.push_back({"reason", "TEXT", "why (required; audited)"});
         return flags;
       }(),
       TeacherWithdraw},
      {"probe",
       "the node's gRPC health check: prints SERVING (exit 0) or why not",
       "",
       {kConfigFlag,
        {"server", "HOST:PORT", "node address (default: config.listen)"},
        {"timeout", "S", "seconds to wait (default 5)"}},
       Probe},
      {"backup",
       "copy the node's database to a new file while it runs (the keys are not "
       "in it)",
       "",
       {kConfigFlag, {"to", "FILE", "the backup (must not exist)"}},
       Backup},
      {"restore",
       "bring the stopped node back from a backup (the replaced database is "
       "kept)",
       "",
       {kConfigFlag,
        {"from", "FILE",
         "a backup of this province (ntmis-provincial backup)"}},
       Restore},
      {"sync status",
       "the node's sync health: last attempt and success, next run, backlog, "
       "last error",
       "", LoginFlags(), SyncStatus},
      {"sync now", "ask the running node to sync now, and wait for the result",
       "", LoginFlags(), SyncNow},
  };
  return *commands;
}

absl::Status Probe(const Args& args) {
  ASSIGN_OR_RETURN(v1::ProvincialConfig config, LoadConfig(args));
  v1::TlsFiles tls;
  tls.set_ca_cert(config.tls().ca_cert());
  ASSIGN_OR_RETURN(auto creds, MakeChannelCredentials(tls));
  ASSIGN_OR_RETURN(int64_t timeout, args.GetInt("timeout", 5));
  ASSIGN_OR_RETURN(
      std::string health,
      ProbeHealth(MakeChannel(args.Get("server", config.listen()), creds),
                  std::chrono::seconds(timeout)));
  std::cout << health << "\n";
  if (health != "SERVING")
    return absl::UnavailableError(absl::StrCat("the node is ", health));
  return absl::OkStatus();
}

absl::Status Backup(const Args& args) {
  ASSIGN_OR_RETURN(v1::ProvincialConfig config, LoadConfig(args));
  ASSIGN_OR_RETURN(BackupReport report, BackupNode(config, args.Get("to")));
  std::cout << "backup of province " << report.province << " written to "
            << args.Get("to") << ": " << report.teachers << " teachers, "
            << report.audit_entries << " audit entries, " << report.bytes
            << " bytes\n"
            << "not in the backup - keep these files elsewhere, as safely as "
               "the backup:\n";
  for (const std::string& key : report.keys_not_included)
    std::cout << "  " << key << "\n";
  return absl::OkStatus();
}

absl::Status Restore(const Args& args) {
  ASSIGN_OR_RETURN(v1::ProvincialConfig config, LoadConfig(args));
  ASSIGN_OR_RETURN(RestoreReport report, RestoreNode(config, args.Get("from")));
  std::cout << "province " << config.province() << " restored from "
            << args.Get("from") << ": " << report.backup.teachers
            << " teachers, " << report.backup.audit_entries
            << " audit entries\n";
  if (!report.set_aside.empty())
    std::cout << "the database it replaced is kept as " << report.set_aside
              << "\n";
  std::cout
      << "next: start the node, run `ntmis-provincial sync --verify` (the "
         "national node "
         "is ahead of a backup: the sync realigns and re-sends what differs), "
         "and ask the "
         "national operator to run `ntmis-national audit accept --province "
      << config.province() << "` once they have seen the restore\n";
  return absl::OkStatus();
}

absl::Status Init(const Args& args) {
  ASSIGN_OR_RETURN(v1::ProvincialConfig config, LoadConfig(args));
  if (!args.Has("admin"))
    return absl::InvalidArgumentError("--admin NAME is required");
  absl::Status key = crypto::CreateKeyFile(config.pii_key());
  if (!key.ok() && !absl::IsAlreadyExists(key)) return key;
  ASSIGN_OR_RETURN(Store store,
                   Store::Open(config.database(), /*create=*/true));
  RETURN_IF_ERROR(store.SetProvince(config.province()));
  RETURN_IF_ERROR(EnsureProvinceUnit(store, config.province()));
  std::string password;
  bool generated = !args.Has("password-file");
  if (generated) {
    password = GeneratePassword();
  } else {
    ASSIGN_OR_RETURN(password, ReadPassword(args));
  }
  Accounts accounts(store);
  ASSIGN_OR_RETURN(User admin,
                   accounts.Create(args.Get("admin"), config.province(),
                                   Role::kSysAdmin, password, generated));
  std::cout << "initialised province " << config.province() << " in "
            << config.database() << "\nsystem administrator: " << admin.username
            << "\n";
  if (generated)
    std::cout << "initial password (shown once): " << password << "\n";
  return absl::OkStatus();
}

absl::Status Serve(const Args& args) {
  ASSIGN_OR_RETURN(v1::ProvincialConfig config, LoadConfig(args));
  if (args.Has("listen")) config.set_listen(args.Get("listen"));
  if (args.Has("address-file"))
    RETURN_IF_ERROR(
        CheckWritableFile(args.Get("address-file"), "--address-file"));
  if (args.Has("web-listen")) config.set_web_listen(args.Get("web-listen"));
  if (args.Has("web-address-file")) {
    if (config.web_listen().empty())
      return absl::InvalidArgumentError(
          "--web-address-file needs web_listen or --web-listen");
    RETURN_IF_ERROR(
        CheckWritableFile(args.Get("web-address-file"), "--web-address-file"));
  }
  ASSIGN_OR_RETURN(auto node, ProvincialNode::Start(config));
  std::string host = config.listen().substr(0, config.listen().rfind(':'));
  std::string address = absl::StrCat(host, ":", node->port());
  std::unique_ptr<WebServer> web;
  if (!config.web_listen().empty()) {
    absl::StatusOr<std::unique_ptr<WebServer>> started =
        WebServer::Start(WebOptionsFrom(config), node->InProcessChannel());
    if (!started.ok()) {
      node->Shutdown();
      return started.status();
    }
    web = std::move(*started);
  }
  if (args.Has("address-file"))
    RETURN_IF_ERROR(WriteAddressFile(args.Get("address-file"), address));
  std::cerr << kProgram << ": province " << config.province() << " serving on "
            << address << "\n";
  if (node->metrics_port() != 0) {
    std::cerr << kProgram << ": metrics on http://"
              << config.metrics_listen().substr(
                     0, config.metrics_listen().rfind(':'))
              << ":" << node->metrics_port() << "/metrics\n";
  }
  if (web != nullptr) {
    const std::string web_host =
        config.web_listen().substr(0, config.web_listen().rfind(':'));
    const std::string url =
        absl::StrCat("https://", web_host, ":", web->port(), "/");
    if (args.Has("web-address-file"))
      RETURN_IF_ERROR(WriteAddressFile(args.Get("web-address-file"), url));
    std::cerr << kProgram << ": web console on " << url << "\n";
  }
  int sig = cli::WaitForShutdownSignal();
  std::cerr << kProgram << ": signal " << sig << ", shutting down\n";
  if (web != nullptr) web->Stop();
  node->Shutdown();
  return absl::OkStatus();
}

absl::Status GenTeachers(const Args& args) {
  int province = 0;
  if (!absl::SimpleAtoi(args.Get("province"), &province) ||
      !IsProvinceCode(province))
    return absl::InvalidArgumentError(
        "--province must be a two-digit province code");
  ASSIGN_OR_RETURN(int64_t count, args.GetInt("count", 1000));
  ASSIGN_OR_RETURN(int64_t seed, args.GetInt("seed", 1));
  if (count < 0) return absl::InvalidArgumentError("--count must be >= 0");
  SyntheticProvince gen(province, count, seed);
  if (args.Has("units-out")) {
    std::ofstream units(args.Get("units-out"), std::ios::binary);
    units << gen.UnitsCsv();
    if (!units)
      return absl::InternalError("cannot write " + args.Get("units-out"));
  }
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (args.Has("out")) {
    file.open(args.Get("out"), std::ios::binary);
    if (!file) return absl::InternalError("cannot write " + args.Get("out"));
    out = &file;
  }
  gen.WriteTeachersCsv([out](const std::string& chunk) {
    out->write(chunk.data(), chunk.size());
  });
  out->flush();
  return *out ? absl::OkStatus() : absl::InternalError("write failed");
}

absl::Status Import(const Args& args, ImportTarget target) {
  ImportCall call;
  call.target = target;
  call.dry_run = args.Has("dry-run");
  call.all_or_nothing = args.Has("all-or-nothing");
  const size_t wanted = target == ImportTarget::kCategory ? 2 : 1;
  if (args.positional().size() != wanted)
    return absl::InvalidArgumentError(wanted == 2 ? "give CATEGORY FILE"
                                                  : "give one FILE");
  if (target == ImportTarget::kCategory) call.category = args.positional()[0];
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  const bool dry_run = call.dry_run;
  ASSIGN_OR_RETURN(v1::ImportReport report,
                   client->ImportFile(call, args.positional().back()));
  std::cout << (dry_run ? "dry run: " : "") << "encoding " << report.encoding()
            << ", rows " << report.rows_read() << ", valid "
            << report.rows_valid() << ", applied " << report.rows_applied()
            << ", problems " << report.problems_total() << "\n";
  if (report.numbers_reused() > 0) {
    std::cout << report.numbers_reused()
              << " people already had a national teacher number and keep it:\n";
    for (const auto& r : report.reused()) {
      std::cout << "  row " << r.row() << ": teacher " << r.teacher_number()
                << ", owned by province " << r.owner_province() << "\n";
    }
  }
  if (report.provisional() > 0) {
    std::cout << report.provisional()
              << " teachers created provisionally (the national registry did "
                 "not answer); "
                 "the next sync settles their numbers\n";
  }
  const std::vector<v1::ImportProblem> problems(report.problems().begin(),
                                                report.problems().end());
  if (args.Has("report")) {
    std::ofstream(args.Get("report"), std::ios::binary)
        << ImportProblemsCsv(problems, report.problems_total());
    std::cout << problems.size() << " of " << report.problems_total()
              << " problems written to " << args.Get("report") << "\n";
  } else {
    PrintImportProblems(std::cout, problems, report.problems_total());
  }
  const uint64_t applied = call.all_or_nothing && report.problems_total() > 0
                               ? 0
                           : dry_run ? report.rows_valid()
                                     : report.rows_applied();
  return ImportOutcome(report.problems_total(), applied, dry_run);
}

void PrintSyncReport(const std::string& province, const SyncReport& report) {
  std::cout << "province " << province << ": national cursor "
            << report.cursor_before << " -> " << report.cursor_after
            << "; sent " << report.sent << " in " << report.batches
            << " batches, acknowledged " << report.applied << " applied + "
            << report.skipped << " already applied, held " << report.held
            << ", rejected " << report.rejections.size() << "\n";
  if (!report.audit_problem.empty())
    std::cout
        << "WARNING: the national node says of this province's audit log: "
        << report.audit_problem << "\n";
  for (const auto& r : report.rejections) {
    std::cout << "  rejected seq " << r.seq() << " teacher "
              << r.teacher_number() << ": " << r.reason() << "\n";
  }
}

absl::Status Sync(const Args& args) {
  const bool once = args.Has("once"), verify = args.Has("verify");
  if (once == verify) {
    return absl::InvalidArgumentError(
        "give --once or --verify (scheduled sync runs inside `ntmis-provincial "
        "serve`, "
        "every sync_interval_seconds)");
  }
  ASSIGN_OR_RETURN(v1::ProvincialConfig config, LoadConfig(args));
  if (once) {
    ASSIGN_OR_RETURN(SyncReport report,
                     SyncOnce(config, SyncOptionsFrom(config)));
    PrintSyncReport(config.province(), report);
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(VerifyReport v, VerifyOnce(config, SyncOptionsFrom(config)));
  if (v.realigned_from > 0) {
    std::cout << "province " << config.province()
              << ": the national cursor was at " << v.realigned_from
              << ", beyond this outbox (restored from a backup?); "
              << "moved back to the outbox end\n";
  }
  std::cout << "province " << config.province() << ": " << v.buckets
            << " digest buckets, " << v.mismatched_buckets
            << " differed; re-sent " << v.requeued << " teachers\n";
  PrintSyncReport(config.province(), v.sync);
  if (!v.agreed) {
    return absl::DataLossError(absl::StrCat(
        v.mismatched_after,
        " buckets still differ after the repair (records held for a "
        "transfer, rejected records, or writes during the check); run it "
        "again"));
  }
  std::cout << "agreement: the national node holds exactly this province's "
               "effective data\n";
  return absl::OkStatus();
}

void PrintHealth(const v1::SyncHealth& h) {
  std::cout << "scheduled sync:   " << (h.scheduled() ? "on" : "off") << "\n"
            << "last attempt:     " << Ago(h.last_attempt_unix()) << "\n"
            << "last success:     " << Ago(h.last_success_unix()) << "\n"
            << "next run:         "
            << (h.scheduled() ? Ago(h.next_run_unix()) : "-") << "\n"
            << "backlog:          " << h.backlog() << " (outbox "
            << h.outbox_seq() << ", acknowledged " << h.acked_seq() << ")\n"
            << "last error:       "
            << (h.last_error().empty() ? "-" : h.last_error())
            << (h.consecutive_failures() > 0
                    ? absl::StrCat(" (", h.consecutive_failures(),
                                   " failures in a row)")
                    : "")
            << "\n"
            << "open rejections:  " << h.open_rejections() << "\n";
  for (const auto& r : h.newest_rejections()) {
    std::cout << "  seq " << r.seq() << " teacher " << r.teacher_number() << " "
              << r.field() << ": " << r.reason() << "\n";
  }
  std::cout
      << "core catalog:     this node " << h.catalog_version() << ", national "
      << (h.national_catalog_version() == 0
              ? std::string("unknown (never synced)")
              : absl::StrCat(h.national_catalog_version()))
      << (h.national_catalog_version() > h.catalog_version()
              ? " (newer: upgrade ntmis-provincial to send its new fields)"
              : "")
      << "\n"
      << "school registry:  version " << h.school_registry_version() << ", "
      << h.registry_schools() << " schools of this province"
      << (h.reference_skipped().empty()
              ? std::string()
              : absl::StrCat("; ", h.reference_skipped_size(),
                             " broken registry records skipped:\n  ",
                             absl::StrJoin(h.reference_skipped(), "\n  ")))
      << "\n"
      << "code tables:      "
      << (h.national_codes_missing().empty()
              ? std::string("this node knows every national code")
              : absl::StrCat(
                    h.national_codes_missing_size(),
                    " national codes unknown here (upgrade ntmis-provincial): ",
                    absl::StrJoin(h.national_codes_missing(), "; ")))
      << "\n"
      << "identity conflicts: " << h.identity_conflicts_size() << "\n";
  for (const auto& c : h.identity_conflicts()) {
    if (c.kind() == v1::IdentityConflict::TWO_NUMBERS) {
      std::cout << "  teacher " << c.teacher_number() << " (province "
                << c.province() << ") is the person registered as "
                << c.existing_number() << " (province " << c.existing_province()
                << "): one person, one number\n";
    } else {
      std::cout << "  teacher " << c.teacher_number()
                << " is active in province " << c.province()
                << " while province " << c.existing_province()
                << " still owns them: complete the transfer\n";
    }
  }
}

absl::Status SyncStatus(const Args& args) {
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::SyncHealth health, client->GetSyncHealth());
  PrintHealth(health);
  return absl::OkStatus();
}

absl::Status TeacherWithdraw(const Args& args) {
  if (args.positional().size() != 1)
    return absl::InvalidArgumentError("give the teacher number to withdraw");
  if (!args.Has("reason"))
    return absl::InvalidArgumentError("--reason TEXT is required");
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(
      v1::WithdrawTeacherResponse done,
      client->WithdrawTeacher(args.positional()[0], args.Get("reason")));
  std::cout << "teacher " << args.positional()[0]
            << " withdrawn from the national scope (outbox entry "
            << done.outbox_seq() << "); the next sync sends the tombstone\n";
  return absl::OkStatus();
}

absl::Status SyncNow(const Args& args) {
  ASSIGN_OR_RETURN(auto client, LoggedIn(args));
  ASSIGN_OR_RETURN(v1::SyncHealth before, client->GetSyncHealth());
  // A base minute plus a millisecond per change waiting, like the push.
  auto deadline = std::chrono::seconds(60 + before.backlog() / 1000);
  ASSIGN_OR_RETURN(v1::SyncNowResponse done, client->SyncNow(deadline));
  std::cout << "sent " << done.sent() << ", applied " << done.applied()
            << ", rejected " << done.rejected() << ", national cursor "
            << done.cursor_after() << "\n";
  PrintHealth(done.health());
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  cli::PrepareNodeProcess();
  std::vector<Command> commands = Commands();
  for (auto group : {AdminCommands(), TeacherCommands(), CategoryCommands(),
                     CareerCommands()})
    commands.insert(commands.end(), group.begin(), group.end());
  return cli::Dispatch(kProgram, commands, argc, argv);
}

}  // namespace
}  // namespace ntmis::provincial

int main(int argc, char** argv) { return ntmis::provincial::Main(argc, argv); }
