#include "national/server/operations.h"

#include "absl/strings/str_cat.h"
#include "common/audit/audit_log.h"
#include "common/base/status_macros.h"
#include "national/ingest/national_store.h"
#include "national/registry/audit_anchors.h"

namespace ntmis::national {

absl::StatusOr<SchoolRegistry::ImportResult> ImportSchoolRegistry(
    const v1::NationalConfig& config, const std::string& csv,
    const std::string& source, bool dry_run) {
  ASSIGN_OR_RETURN(std::string path,
                   NationalStore::PrepareNationalDb(config.data_dir()));
  ASSIGN_OR_RETURN(auto registry, SchoolRegistry::Open(path));
  ASSIGN_OR_RETURN(auto audit, AuditLog::Open(path));
  ASSIGN_OR_RETURN(SchoolRegistry::ImportResult result,
                   registry->Import(csv, dry_run));
  if (dry_run) return result;
  const bool ok = result.problems.empty();
  RETURN_IF_ERROR(audit->AppendAndFlush(
      {"local operator (ntmis-national registry import)", "registry.import",
       source, ok ? "ok" : "INVALID_ARGUMENT",
       ok ? absl::StrCat(result.rows, " rows, ", result.changed,
                         " changed, version ", result.version)
          : absl::StrCat(result.problems.size(),
                         " problems; nothing stored")}));
  return result;
}

absl::StatusOr<v1::AuditAnchorState> AcceptProvinceAudit(
    const v1::NationalConfig& config, const std::string& province,
    const std::string& reason) {
  if (province.empty())
    return absl::InvalidArgumentError("--province CODE is required");
  if (reason.empty())
    return absl::InvalidArgumentError(
        "--reason TEXT is required (kept in the audit log)");
  ASSIGN_OR_RETURN(std::string path,
                   NationalStore::PrepareNationalDb(config.data_dir()));
  ASSIGN_OR_RETURN(auto anchors, AuditAnchors::Open(path));
  ASSIGN_OR_RETURN(v1::AuditAnchorState held, anchors->Get(province));
  RETURN_IF_ERROR(anchors->Accept(province));
  ASSIGN_OR_RETURN(auto audit, AuditLog::Open(path));
  RETURN_IF_ERROR(audit->AppendAndFlush(
      {"local operator (ntmis-national audit accept)", "audit.accept", province,
       "ok",
       absl::StrCat("reason: ", reason, "; held ", held.count(),
                    " entries; problem: ",
                    held.problem().empty() ? "none" : held.problem())}));
  return held;
}

}  // namespace ntmis::national
