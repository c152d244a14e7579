#include "provincial/sync/hello.h"

#include "common/base/status_macros.h"
#include "common/teacher/sync_versions.h"
#include "provincial/core/meta_keys.h"

namespace ntmis::provincial {

v1::GetCursorRequest SyncHello(uint64_t outbox_end) {
  const SyncVersions own = OwnSyncVersions();
  v1::GetCursorRequest hello;
  hello.set_protocol_version(own.protocol);
  hello.set_catalog_version(own.catalog);
  hello.set_outbox_end(outbox_end);
  return hello;
}

absl::StatusOr<v1::GetCursorRequest> SyncHello(Store& store) {
  ASSIGN_OR_RETURN(uint64_t outbox_end, store.OutboxEnd());
  v1::GetCursorRequest hello = SyncHello(outbox_end);
  ASSIGN_OR_RETURN(int64_t verified, store.GetMetaInt(meta::kVerifiedUnix, 0));
  ASSIGN_OR_RETURN(int64_t differing,
                   store.GetMetaInt(meta::kVerifyDiffering, 0));
  hello.set_verified_unix(verified);
  hello.set_verify_differing(static_cast<uint64_t>(differing));
  ASSIGN_OR_RETURN(int64_t registry,
                   store.GetMetaInt(meta::kSchoolRegistryVersion, 0));
  hello.set_school_registry_version(static_cast<uint64_t>(registry));
  // Cities and counties, closed ones too: records may still name them.
  ASSIGN_OR_RETURN(
      sql::Statement places,
      store.db().Prepare("SELECT code, name FROM units WHERE level IN (2, 3) "
                         "ORDER BY code"));
  RETURN_IF_ERROR(places.ForEachRow([&] {
    v1::DivisionName* d = hello.add_divisions();
    d->set_code(places.ColumnText(0));
    d->set_name(places.ColumnText(1));
  }));
  return hello;
}

}  // namespace ntmis::provincial
