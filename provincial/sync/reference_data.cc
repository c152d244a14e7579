#include "provincial/sync/reference_data.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/config.h"
#include "common/base/status_macros.h"
#include "common/base/writable_path.h"
#include "common/pki/revocation_check.h"
#include "common/rpc/grpc_status.h"
#include "common/tables/table_reader.h"
#include "common/teacher/code_tables.h"
#include "common/teacher/registry_school.h"
#include "provincial/core/meta_keys.h"

namespace ntmis::provincial {

namespace {

// Replaces the province's copy of the revocation list with `pem` when it is
// the CA's and newer than the one held (`held`): the channel's verifier
// reads the file again at its next handshake.
absl::Status KeepRevocationList(const v1::ProvincialConfig* config,
                                const std::string& pem, uint64_t held) {
  if (config == nullptr || config->tls().crl_file().empty())
    return absl::OkStatus();
  absl::StatusOr<RevocationListInfo> info =
      CheckRevocationList(pem, config->tls().ca_cert());
  if (!info.ok()) {
    return absl::DataLossError(
        absl::StrCat("the national node sent a revocation list that is "
                     "not the federation CA's: ",
                     info.status().message()));
  }
  if (info->number <= held) return absl::OkStatus();
  return ReplaceFile(config->tls().crl_file(), pem);
}

}  // namespace

absl::StatusOr<uint64_t> PullReference(NationalChannel& client, Store& store) {
  uint64_t received = 0;
  std::vector<std::string> skipped;  // of this pull, every page
  ASSIGN_OR_RETURN(int64_t have,
                   store.GetMetaInt(meta::kSchoolRegistryVersion, 0));
  v1::PullReferenceRequest request;
  request.set_school_registry_version(static_cast<uint64_t>(have));
  request.set_code_tables_fingerprint(CodeTablesFingerprint());
  const v1::ProvincialConfig* config = client.config();
  if (config != nullptr && !config->tls().crl_file().empty()) {
    absl::StatusOr<std::string> held = ReadFile(config->tls().crl_file());
    absl::StatusOr<RevocationListInfo> info =
        held.ok() ? CheckRevocationList(*held, config->tls().ca_cert())
                  : held.status();
    if (info.ok()) request.set_revocation_list_number(info->number);
  }
  while (true) {
    v1::ReferenceData data;
    {
      grpc::ClientContext context;
      client.SetDeadline(&context);
      RETURN_IF_ERROR(FromGrpcStatus(
          client.stub().PullReference(&context, request, &data)));
    }
    if (!data.revocation_list().empty() && request.resume_version() == 0)
      RETURN_IF_ERROR(KeepRevocationList(config, data.revocation_list(),
                                         request.revocation_list_number()));
    ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store.db()));
    ASSIGN_OR_RETURN(
        sql::Statement upsert,
        store.db().Prepare("INSERT OR REPLACE INTO school_registry "
                           "VALUES (?, ?, ?, ?, ?, ?)"));
    for (const v1::SkippedReference& skip : data.skipped())
      skipped.push_back(absl::StrCat(ReportedValue(skip.code()), ": ",
                                     ReportedValue(skip.reason()),
                                     "（全国节点未发送）"));
    for (const v1::RegistrySchool& s : data.schools()) {
      // A national node older than the registry rules may still send a
      // broken record: skip it and go on, never fail the whole pull.
      if (std::vector<FieldProblem> problems = CheckRegistrySchool(s);
          !problems.empty()) {
        skipped.push_back(absl::StrCat(ReportedValue(s.code()), ": ",
                                       problems[0].field, "：",
                                       problems[0].rule, "（本省未保存）"));
        continue;
      }
      RETURN_IF_ERROR(upsert
                          .BindAll(s.code(), s.name(), s.county_code(),
                                   static_cast<int>(s.school_category()),
                                   s.closed() ? 1 : 0, s.version())
                          .Run());
    }
    if (request.resume_version() == 0 || !skipped.empty())
      RETURN_IF_ERROR(
          store.SetMeta(meta::kReferenceSkipped, absl::StrJoin(skipped, "\n")));
    RETURN_IF_ERROR(
        store.SetMeta(meta::kSchoolRegistryVersion,
                      absl::StrCat(data.school_registry_version())));
    RETURN_IF_ERROR(store.SetMeta(meta::kNationalCatalogVersion,
                                  absl::StrCat(data.catalog_version())));
    if (!data.code_tables_fingerprint().empty() &&
        request.resume_version() == 0) {
      // National codes this build does not know: validation here refuses
      // them until ntmis-provincial is upgraded.
      std::vector<std::string> missing;
      for (const v1::CodeTableEntry& e : data.code_tables()) {
        const CodeTable* local = nullptr;
        for (const CodeTable* t : AllCodeTables())
          if (t->name() == e.table()) local = t;
        if (local == nullptr || local->Label(e.code()).empty())
          missing.push_back(
              absl::StrCat(e.table(), " ", e.code(), " ", e.label()));
      }
      RETURN_IF_ERROR(
          store.SetMeta(meta::kMissingCodes, absl::StrJoin(missing, "; ")));
    }
    RETURN_IF_ERROR(txn.Commit());
    received += data.schools_size();
    if (!data.more()) return received;
    request.set_school_registry_version(data.school_registry_version());
    request.set_resume_version(data.resume_version());
    request.set_resume_after_code(data.resume_after_code());
  }
}

}  // namespace ntmis::provincial
