#include "provincial/sync/sync_health.h"

#include "absl/strings/str_split.h"
#include "common/base/status_macros.h"
#include "common/teacher/sync_versions.h"
#include "provincial/core/meta_keys.h"

namespace ntmis::provincial {

absl::StatusOr<v1::SyncHealth> BuildSyncHealth(Store& store,
                                               SyncScheduler& scheduler) {
  SyncHealth h = scheduler.Health();
  v1::SyncHealth health;
  health.set_scheduled(scheduler.running());
  health.set_next_run_unix(health.scheduled() ? h.next_run_unix : 0);
  health.set_consecutive_failures(h.consecutive_failures);
  // Every run, scheduled or `sync --once` from another process, is in
  // sync_runs.
  ASSIGN_OR_RETURN(
      sql::Statement runs,
      store.db().Prepare(
          "SELECT (SELECT MAX(started_unix) FROM sync_runs), "
          "(SELECT MAX(finished_unix) FROM sync_runs WHERE result = 'ok'), "
          "(SELECT result FROM sync_runs ORDER BY id DESC LIMIT 1)"));
  ASSIGN_OR_RETURN(bool row, runs.Step());
  if (row) {
    health.set_last_attempt_unix(runs.ColumnInt(0));
    health.set_last_success_unix(runs.ColumnInt(1));
    std::string last = runs.ColumnText(2);
    if (last != "ok") health.set_last_error(last);
  }
  ASSIGN_OR_RETURN(uint64_t outbox, store.OutboxEnd());
  ASSIGN_OR_RETURN(int64_t acked_meta,
                   store.GetMetaInt(meta::kSyncAckedSeq, 0));
  const uint64_t acked = static_cast<uint64_t>(acked_meta);
  health.set_outbox_seq(outbox);
  health.set_acked_seq(acked);
  health.set_backlog(outbox > acked ? outbox - acked : 0);
  ASSIGN_OR_RETURN(int64_t national_catalog,
                   store.GetMetaInt(meta::kNationalCatalogVersion, 0));
  health.set_national_catalog_version(static_cast<uint32_t>(national_catalog));
  health.set_catalog_version(kCoreCatalogVersion);
  ASSIGN_OR_RETURN(std::string missing, store.GetMeta(meta::kMissingCodes, ""));
  for (absl::string_view code :
       absl::StrSplit(missing, "; ", absl::SkipEmpty()))
    health.add_national_codes_missing(std::string(code));
  ASSIGN_OR_RETURN(std::string skipped,
                   store.GetMeta(meta::kReferenceSkipped, ""));
  for (absl::string_view line :
       absl::StrSplit(skipped, '\n', absl::SkipEmpty()))
    health.add_reference_skipped(std::string(line));
  ASSIGN_OR_RETURN(int64_t registry,
                   store.GetMetaInt(meta::kSchoolRegistryVersion, 0));
  health.set_school_registry_version(static_cast<uint64_t>(registry));
  ASSIGN_OR_RETURN(int64_t schools,
                   store.db().QueryInt("SELECT COUNT(*) FROM school_registry"));
  health.set_registry_schools(static_cast<uint64_t>(schools));
  ASSIGN_OR_RETURN(
      sql::Statement conflicts,
      store.db().Prepare(
          "SELECT kind, teacher_number, province, existing_number, "
          "existing_province, detected_unix FROM identity_conflicts "
          "ORDER BY teacher_number"));
  RETURN_IF_ERROR(conflicts.ForEachRow([&] {
    v1::IdentityConflict* c = health.add_identity_conflicts();
    v1::IdentityConflict::Kind kind = v1::IdentityConflict::KIND_UNSPECIFIED;
    v1::IdentityConflict::Kind_Parse(conflicts.ColumnText(0), &kind);
    c->set_kind(kind);
    c->set_teacher_number(conflicts.ColumnText(1));
    c->set_province(conflicts.ColumnText(2));
    c->set_existing_number(conflicts.ColumnText(3));
    c->set_existing_province(conflicts.ColumnText(4));
    c->set_detected_unix(conflicts.ColumnInt(5));
  }));
  ASSIGN_OR_RETURN(int64_t open,
                   store.db().QueryInt("SELECT COUNT(*) FROM sync_rejections"));
  health.set_open_rejections(open);
  ASSIGN_OR_RETURN(
      sql::Statement newest,
      store.db().Prepare("SELECT seq, teacher_number, field, reason FROM "
                         "sync_rejections ORDER BY seq DESC LIMIT 20"));
  RETURN_IF_ERROR(newest.ForEachRow([&] {
    v1::Rejection* r = health.add_newest_rejections();
    r->set_seq(newest.ColumnInt(0));
    r->set_teacher_number(newest.ColumnText(1));
    r->set_field(newest.ColumnText(2));
    r->set_reason(newest.ColumnText(3));
  }));
  return health;
}

}  // namespace ntmis::provincial
