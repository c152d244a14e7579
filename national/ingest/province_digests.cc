#include "national/ingest/province_db.h"
#include "national/ingest/province_db_internal.h"

namespace ntmis::national {

absl::StatusOr<v1::Digests> ProvinceDb::Digests() {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(sql::Statement s,
                   reader_.Prepare("SELECT bucket, teachers, hash FROM "
                                   "digests ORDER BY bucket"));
  v1::Digests out;
  RETURN_IF_ERROR(s.ForEachRow([&] {
    v1::BucketDigest* d = out.add_buckets();
    d->set_bucket(s.ColumnText(0));
    d->set_teachers(s.ColumnInt(1));
    d->set_hash(static_cast<uint64_t>(s.ColumnInt(2)));
  }));
  return out;
}

absl::StatusOr<v1::BucketEntries> ProvinceDb::BucketEntries(
    const std::vector<std::string>& buckets) {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(
      sql::Statement s,
      reader_.Prepare("SELECT teacher_number, record FROM teachers "
                      "WHERE teacher_number >= ? AND teacher_number < ? "
                      "ORDER BY teacher_number"));
  v1::BucketEntries out;
  for (const std::string& bucket : buckets) {
    s.BindAll(bucket, BucketEnd(bucket));
    while (true) {
      auto row = s.Step();
      if (!row.ok()) {
        s.Reset();
        return row.status();
      }
      if (!*row) break;
      v1::BucketEntry* e = out.add_entries();
      e->set_teacher_number(s.ColumnText(0));
      e->set_hash(RecordHash(e->teacher_number(), s.ColumnBlob(1)));
    }
    s.Reset();
  }
  return out;
}

}  // namespace ntmis::national
