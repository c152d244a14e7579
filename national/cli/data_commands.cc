// ntmis-national registry … and audit …: the school registry the node
// publishes and the audit chains it keeps, run on the node's host
// (national/server/operations.h decides and audits; this prints).
#include <fstream>
#include <iostream>

#include "absl/strings/str_join.h"
#include "common/audit/audit_archive.h"
#include "common/base/config.h"
#include "common/base/status_macros.h"
#include "common/tables/import_report.h"
#include "national/cli/commands.h"
#include "national/ingest/national_store.h"
#include "national/server/operations.h"

namespace ntmis::national {
namespace {

using cli::Args;
using cli::Command;

absl::Status RegistryTemplate(const Args&) {
  std::cout << absl::StrJoin(SchoolRegistry::Columns(), ",") << "\n";
  return absl::OkStatus();
}

absl::Status RegistryImport(const Args& args) {
  v1::NationalConfig config;
  RETURN_IF_ERROR(LoadTextProto(args.Get("config"), &config));
  if (!args.Has("file"))
    return absl::InvalidArgumentError("--file CSV is required");
  const bool dry_run = args.Has("dry-run");
  ASSIGN_OR_RETURN(std::string csv, ReadFile(args.Get("file")));
  ASSIGN_OR_RETURN(
      SchoolRegistry::ImportResult result,
      ImportSchoolRegistry(config, csv, args.Get("file"), dry_run));
  const bool ok = result.problems.empty();
  std::cout << (dry_run ? "dry run: " : "") << "school registry: rows "
            << result.rows_read << ", valid " << result.rows << ", problems "
            << result.problems.size() << "\n";
  if (args.Has("report")) {
    std::ofstream(args.Get("report"), std::ios::binary)
        << ImportProblemsCsv(result.problems);
    std::cout << "problems written to " << args.Get("report") << "\n";
  } else {
    PrintImportProblems(std::cout, result.problems, result.problems.size());
  }
  if (!ok) {
    std::cout << "the registry is unchanged (all or nothing)\n";
    return ImportOutcome(result.problems.size(), 0, dry_run);
  }
  std::cout << result.changed << (dry_run ? " would be" : "")
            << " new or changed; version " << result.version
            << (dry_run ? " (nothing stored)"
                        : " (provinces pull it on their next sync)")
            << "\n";
  return absl::OkStatus();
}

// The national node's own audit chain, against its anchor (run on the node's
// host: it reads national.db and the anchor beside it).
absl::Status AuditVerify(const Args& args) {
  v1::NationalConfig config;
  RETURN_IF_ERROR(LoadTextProto(args.Get("config"), &config));
  ASSIGN_OR_RETURN(std::string path,
                   NationalStore::PrepareNationalDb(config.data_dir()));
  ASSIGN_OR_RETURN(auto audit, AuditLog::Open(path));
  AuditVerifyOptions options;
  options.full = args.Has("full");
  if (args.Has("archive"))
    options.archive_dir = AuditArchivePlanFrom(config.audit(), path).dir;
  options.progress = PrintAuditVerifyProgress;
  ASSIGN_OR_RETURN(AuditVerifyReport report, audit->Verify(options));
  std::cout << DescribeAuditVerify(report) << "\n";
  return absl::OkStatus();
}

// Accepts a province's audit chain as it is now, after its problem was
// looked into (e.g. the province was restored from a backup).
absl::Status AuditAccept(const Args& args) {
  v1::NationalConfig config;
  RETURN_IF_ERROR(LoadTextProto(args.Get("config"), &config));
  const std::string province = args.Get("province");
  ASSIGN_OR_RETURN(v1::AuditAnchorState held,
                   AcceptProvinceAudit(config, province, args.Get("reason")));
  std::cout << "province " << province << ": the audit head held ("
            << held.count()
            << " entries) is forgotten; its next sync anchors its chain as it "
               "is then\n";
  return absl::OkStatus();
}

}  // namespace

std::vector<cli::Command> DataCommands() {
  return {
      {"registry template",
       "print the school-registry CSV header",
       "",
       {},
       RegistryTemplate},
      {"registry import",
       "publish the national school registry (all or nothing)",
       "",
       {{"config", "FILE", "ntmis.v1.NationalConfig text"},
        {"file", "CSV",
         "columns: code,name,county_code,school_category[,closed] (or their "
         "Chinese labels)"},
        {"dry-run", "", "check and count the changes; store nothing"},
        {"report", "FILE",
         "write every problem to FILE (CSV that Excel opens)"}},
       RegistryImport},
      {"audit verify",
       "check the national node's own audit chain and its anchor",
       "",
       {{"config", "FILE", "ntmis.v1.NationalConfig text"},
        {"full", "", "walk every entry, not only those since the last check"},
        {"archive", "", "also the archive files (implies --full)"}},
       AuditVerify},
      {"audit accept",
       "accept a province's audit chain as it is now, after its break was "
       "looked into (the next sync anchors it afresh)",
       "",
       {{"config", "FILE", "ntmis.v1.NationalConfig text"},
        {"province", "CODE", "the province"},
        {"reason", "TEXT", "why (required; kept in the audit log)"}},
       AuditAccept},
  };
}

}  // namespace ntmis::national
