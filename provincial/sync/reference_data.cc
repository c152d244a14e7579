#include "provincial/sync/reference_data.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"
#include "common/teacher/code_tables.h"
#include "provincial/core/meta_keys.h"

namespace ntmis::provincial {

absl::StatusOr<uint64_t> PullReference(NationalChannel& client, Store& store) {
  uint64_t received = 0;
  ASSIGN_OR_RETURN(int64_t have, store.GetMetaInt(meta::kSchoolRegistryVersion, 0));
  v1::PullReferenceRequest request;
  request.set_school_registry_version(static_cast<uint64_t>(have));
  request.set_code_tables_fingerprint(CodeTablesFingerprint());
  while (true) {
    v1::ReferenceData data;
    {
      grpc::ClientContext context;
      client.SetDeadline(&context);
      RETURN_IF_ERROR(FromGrpcStatus(client.stub().PullReference(&context, request, &data)));
    }
    ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(store.db()));
    ASSIGN_OR_RETURN(sql::Statement upsert,
                     store.db().Prepare("INSERT OR REPLACE INTO school_registry "
                                        "VALUES (?, ?, ?, ?, ?, ?)"));
    for (const v1::RegistrySchool& s : data.schools()) {
      RETURN_IF_ERROR(upsert
                          .BindAll(s.code(), s.name(), s.county_code(),
                                   static_cast<int>(s.school_category()), s.closed() ? 1 : 0,
                                   s.version())
                          .Run());
    }
    RETURN_IF_ERROR(store.SetMeta(meta::kSchoolRegistryVersion,
                                  absl::StrCat(data.school_registry_version())));
    RETURN_IF_ERROR(store.SetMeta(meta::kNationalCatalogVersion, absl::StrCat(data.catalog_version())));
    if (!data.code_tables_fingerprint().empty() && request.resume_version() == 0) {
      // National codes this build does not know: validation here refuses
      // them until ntmis-provincial is upgraded.
      std::vector<std::string> missing;
      for (const v1::CodeTableEntry& e : data.code_tables()) {
        const CodeTable* local = nullptr;
        for (const CodeTable* t : AllCodeTables())
          if (t->name() == e.table()) local = t;
        if (local == nullptr || local->Label(e.code()).empty())
          missing.push_back(absl::StrCat(e.table(), " ", e.code(), " ", e.label()));
      }
      RETURN_IF_ERROR(store.SetMeta(meta::kMissingCodes, absl::StrJoin(missing, "; ")));
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
