#include "national/ingest/province_db.h"
#include "national/ingest/province_db_internal.h"

namespace ntmis::national {

absl::StatusOr<CheckReport> ProvinceDb::Check() {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(sql::Transaction snapshot,
                   sql::Transaction::BeginRead(reader_));
  CheckReport report;
  std::map<int64_t, int64_t> cells, outlook_cells;
  DigestMap buckets;
  RETURN_IF_ERROR(ScanRecords(
      reader_,
      [&](const std::string& number, absl::string_view bytes,
          const v1::TeacherRecord& record) {
        ++report.teachers;
        ++cells[CellOf(record)];
        ++outlook_cells[outlook::CellOf(record)];
        buckets[std::string(DigestBucket(number))].Add(
            RecordHash(number, bytes));
        return absl::OkStatus();
      },
      [&](const std::string& number) {
        report.problems.push_back(
            absl::StrCat("record of ", number, " is unreadable"));
        return absl::OkStatus();
      }));
  // The stored and in-memory cubes against the recount.
  auto compare = [&](const char* name,
                     const std::map<int64_t, int64_t>& recount,
                     const std::map<int64_t, int64_t>& stored,
                     const std::vector<std::pair<int64_t, int64_t>>&
                         in_memory) {
    auto differing = [&recount](std::map<int64_t, int64_t> other) {
      uint64_t n = 0;
      for (const auto& [cell, count] : recount) n += other[cell] != count;
      for (const auto& [cell, count] : other)
        n += count != 0 && !recount.count(cell);
      return n;
    };
    if (uint64_t n = differing(stored); n != 0) {
      report.problems.push_back(
          absl::StrCat(name, " differs from a recount in ", n, " cells"));
    }
    if (uint64_t n = differing({in_memory.begin(), in_memory.end()}); n != 0) {
      report.problems.push_back(absl::StrCat(
          "the in-memory ", name, " differs from a recount in ", n, " cells"));
    }
  };
  for (const char* table : {"rollup", "outlook"}) {
    ASSIGN_OR_RETURN(
        sql::Statement s,
        reader_.Prepare(absl::StrCat("SELECT cell, teachers FROM ", table)));
    std::map<int64_t, int64_t> stored;
    RETURN_IF_ERROR(
        s.ForEachRow([&] { stored[s.ColumnInt(0)] = s.ColumnInt(1); }));
    const bool rollup = std::string(table) == "rollup";
    compare(table, rollup ? cells : outlook_cells, stored,
            rollup ? cube_.Cells() : outlook_cube_.Cells());
  }
  {
    ASSIGN_OR_RETURN(
        sql::Statement s,
        reader_.Prepare("SELECT bucket, teachers, hash FROM digests"));
    DigestMap stored;
    RETURN_IF_ERROR(s.ForEachRow([&] {
      stored[s.ColumnText(0)] = {static_cast<uint64_t>(s.ColumnInt(1)),
                                 static_cast<uint64_t>(s.ColumnInt(2))};
    }));
    if (stored != buckets) {
      uint64_t differing = 0;
      for (const auto& [b, d] : buckets)
        differing += !stored.count(b) || stored[b] != d;
      for (const auto& [b, d] : stored) differing += !buckets.count(b);
      report.problems.push_back(absl::StrCat(
          "digests differ from a recount in ", differing, " buckets"));
    }
  }
  ASSIGN_OR_RETURN(
      int64_t records,
      reader_.QueryInt("SELECT records FROM sync_state WHERE id = 1"));
  if (static_cast<uint64_t>(records) != report.teachers) {
    report.problems.push_back(absl::StrCat("sync_state counts ", records,
                                           " records; ", report.teachers,
                                           " are stored"));
  }
  return report;
}

absl::Status ProvinceDb::Rewind(uint64_t seq) {
  absl::MutexLock lock(&write_mu_);
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(writer_));
  ASSIGN_OR_RETURN(
      int64_t cursor,
      writer_.QueryInt("SELECT applied_seq FROM sync_state WHERE id = 1"));
  if (seq >= static_cast<uint64_t>(cursor)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the cursor is at ", cursor, "; it only moves back, not to ", seq));
  }
  ASSIGN_OR_RETURN(
      sql::Statement s,
      writer_.Prepare("UPDATE sync_state SET applied_seq = ? WHERE id = 1"));
  RETURN_IF_ERROR(s.BindAll(seq).Run());
  return txn.Commit();
}

absl::Status ProvinceDb::Rebuild() {
  absl::MutexLock lock(&write_mu_);
  return RebuildLocked(/*claim=*/true);
}

absl::Status ProvinceDb::RebuildLocked(bool claim) {
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(writer_));
  RETURN_IF_ERROR(writer_.Exec(
      absl::StrCat("DELETE FROM rollup; DELETE FROM outlook; "
                   "DELETE FROM digests; "
                   "UPDATE sync_state SET records = 0, cell_layout = ",
                   kDerivedLayout, " WHERE id = 1;")));
  ASSIGN_OR_RETURN(WriteSet writes, WriteSet::Begin(writer_));
  std::vector<IdentityRegistry::Claim> claims;
  RETURN_IF_ERROR(ScanRecords(
      writer_,
      [&](const std::string& number, absl::string_view bytes,
          const v1::TeacherRecord& record) {
        if (claim && !record.id_hash().empty())
          claims.push_back({record.id_hash(), number});
        return writes.Recount(number, CellOf(record), outlook::CellOf(record),
                              RecordHash(number, bytes), IdKey(record));
      },
      [](const std::string& number) {
        return absl::DataLossError(
            absl::StrCat("stored record of ", number, " is unreadable"));
      }));
  RETURN_IF_ERROR(writes.Flush());
  RETURN_IF_ERROR(txn.Commit());
  cube_.Reset(writes.CellChanges());
  outlook_cube_.Reset(writes.OutlookChanges());
  // Stored records claim their people too (files from before the registry);
  // a conflict found here is recorded for both provinces to see.
  constexpr size_t kChunk = 10000;
  for (size_t from = 0; from < claims.size(); from += kChunk) {
    std::vector<IdentityRegistry::Claim> chunk(
        claims.begin() + from,
        claims.begin() + std::min(claims.size(), from + kChunk));
    RETURN_IF_ERROR(identities_.ClaimAll(province_, chunk).status());
  }
  return absl::OkStatus();
}

}  // namespace ntmis::national
