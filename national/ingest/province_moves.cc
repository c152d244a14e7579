#include "national/ingest/province_db.h"
#include "national/ingest/province_db_internal.h"

namespace ntmis::national {

absl::StatusOr<std::vector<Departure>> ProvinceDb::PendingDepartures() {
  absl::MutexLock lock(&write_mu_);
  ASSIGN_OR_RETURN(
      sql::Statement s,
      writer_.Prepare("SELECT teacher_number, to_province FROM departures "
                      "WHERE done = 0 ORDER BY seq"));
  std::vector<Departure> out;
  RETURN_IF_ERROR(s.ForEachRow([&] {
    out.push_back({s.ColumnText(0), s.ColumnText(1)});
  }));
  return out;
}

absl::Status ProvinceDb::MarkDeparted(const std::string& teacher_number) {
  absl::MutexLock lock(&write_mu_);
  ASSIGN_OR_RETURN(
      sql::Statement s,
      writer_.Prepare(
          "UPDATE departures SET done = 1 WHERE teacher_number = ?"));
  return s.BindAll(teacher_number).Run();
}

absl::StatusOr<bool> ProvinceDb::TakeIn(const std::string& teacher_number) {
  absl::MutexLock lock(&write_mu_);
  if (owners_.Owner(teacher_number) != province_) return false;
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(writer_));
  ASSIGN_OR_RETURN(
      sql::Statement held,
      writer_.Prepare(
          "SELECT seq, record FROM arrivals WHERE teacher_number = ?"));
  ASSIGN_OR_RETURN(bool row, held.BindAll(teacher_number).Step());
  if (!row) return false;
  const uint64_t seq = held.ColumnInt(0);
  const std::string bytes(held.ColumnBlob(1));
  held.Reset();
  v1::TeacherRecord record;
  if (!record.ParseFromString(bytes))
    return absl::DataLossError(
        absl::StrCat("held record of ", teacher_number, " is unreadable"));
  ASSIGN_OR_RETURN(WriteSet writes, WriteSet::Begin(writer_));
  RETURN_IF_ERROR(writes.Upsert(
      teacher_number, seq, bytes, CellOf(record), outlook::CellOf(record),
      RecordHash(teacher_number, bytes), IdKey(record)));
  RETURN_IF_ERROR(writes.Flush());
  RETURN_IF_ERROR(txn.Commit());
  cube_.Apply(writes.CellChanges());
  outlook_cube_.Apply(writes.OutlookChanges());
  return true;
}

absl::StatusOr<std::vector<std::string>> ProvinceDb::Held() {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(
      sql::Statement s,
      reader_.Prepare(
          "SELECT teacher_number FROM arrivals ORDER BY teacher_number"));
  std::vector<std::string> out;
  RETURN_IF_ERROR(s.ForEachRow([&] { out.push_back(s.ColumnText(0)); }));
  return out;
}

}  // namespace ntmis::national
