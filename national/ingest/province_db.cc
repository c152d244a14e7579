#include "national/ingest/province_db.h"

#include <sqlite3.h>

#include <algorithm>
#include <ctime>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/status_macros.h"
#include "common/teacher/code_tables.h"
#include "common/teacher/record_validation.h"
#include "common/teacher/sync_versions.h"
#include "common/teacher/teacher_number.h"
#include "national/ingest/province_db_internal.h"

namespace ntmis::national {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE sync_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  province TEXT NOT NULL,
  applied_seq INTEGER NOT NULL,
  records INTEGER NOT NULL,
  last_sync_unix INTEGER NOT NULL,
  last_result TEXT NOT NULL
);

-- Effective core records (ntmis.v1.TeacherRecord), by teacher number.
CREATE TABLE teachers (
  teacher_number TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  record BLOB NOT NULL
) WITHOUT ROWID;

-- Teacher counts per rollup cell (national/rollup/dimensions.h packs a record's
-- dimension values into `cell`), maintained in the same transaction as
-- each batch.
CREATE TABLE rollup (
  cell INTEGER PRIMARY KEY,
  teachers INTEGER NOT NULL CHECK (teachers >= 0)
);

CREATE TABLE rejections (
  seq INTEGER PRIMARY KEY,
  teacher_number TEXT NOT NULL,
  field TEXT NOT NULL,
  reason TEXT NOT NULL,
  at_unix INTEGER NOT NULL
);
)sql";

// 2: anti-entropy digests and moves between provinces.
constexpr const char* kMovesAndDigests = R"sql(
-- Per bucket of teacher numbers: count and XOR of record hashes
-- (common/teacher/record_digest.h), maintained with every batch.
CREATE TABLE digests (
  bucket TEXT PRIMARY KEY,
  teachers INTEGER NOT NULL CHECK (teachers >= 0),
  hash INTEGER NOT NULL
) WITHOUT ROWID;

-- Records of teachers another province owns (the receiving side of a
-- transfer that province has not released yet): kept, never counted.
CREATE TABLE arrivals (
  teacher_number TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  record BLOB NOT NULL
) WITHOUT ROWID;

-- Teachers this province released to another; done once the owner
-- registry names the new province and its held record was taken in.
CREATE TABLE departures (
  teacher_number TEXT PRIMARY KEY,
  to_province TEXT NOT NULL,
  seq INTEGER NOT NULL,
  done INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX departures_pending ON departures(done) WHERE done = 0;

CREATE INDEX rejections_by_teacher ON rejections(teacher_number);
)sql";

}  // namespace

absl::StatusOr<std::unique_ptr<ProvinceDb>> ProvinceDb::Open(
    const std::string& path, const std::string& province,
    const OwnerRegistry& owners, IdentityRegistry& identities,
    sql::WalCheckpointer* checkpointer) {
  sql::OpenOptions options;
  // 8 MiB per province: a batch's dirty pages (10,000 records, about 4 MiB)
  // fit, and reads of stored records come through the memory map, so 32
  // provinces pushing at once stay within the national node's memory
  // budget (512 MiB, issue 30; 32 MiB each held 800 MiB).
  options.cache_size = -8192;
  options.wal_autocheckpoint_pages =
      16384;  // 64 MiB of WAL between checkpoints
  options.mmap_size = int64_t{1}
                      << 34;  // updates read old records at random places
  ASSIGN_OR_RETURN(sql::Database writer, sql::Database::Open(path, options));
  RETURN_IF_ERROR(sql::Migrate(
      writer,
      {kSchema, kMovesAndDigests,
       // 3: what the province reported of its own outbox.
       "ALTER TABLE sync_state ADD COLUMN outbox_end INTEGER NOT NULL DEFAULT "
       "0;",
       // 4: the version of what is derived from records (kDerivedLayout).
       "ALTER TABLE sync_state ADD COLUMN cell_layout INTEGER NOT NULL DEFAULT "
       "1;",
       // 5: each record's ID-card hash key (the index went in 9).
       "ALTER TABLE teachers ADD COLUMN id_key INTEGER;"
       "CREATE INDEX teachers_by_id ON teachers(id_key) WHERE id_key IS NOT "
       "NULL;",
       // 6: what the province's last hello said of its catalog and
       // its last verify.
       "ALTER TABLE sync_state ADD COLUMN catalog_version INTEGER NOT NULL "
       "DEFAULT 0;"
       "ALTER TABLE sync_state ADD COLUMN verified_unix INTEGER NOT NULL "
       "DEFAULT 0;"
       "ALTER TABLE sync_state ADD COLUMN verify_differing INTEGER NOT NULL "
       "DEFAULT 0;"
       "ALTER TABLE sync_state ADD COLUMN last_success_unix INTEGER NOT NULL "
       "DEFAULT 0;",
       // 7: the school registry version the province has.
       "ALTER TABLE sync_state ADD COLUMN registry_version INTEGER NOT NULL "
       "DEFAULT 0;",
       // 8: each record's rollup cell and digest hash, so an update
       // takes the old record out of the counts without parsing it.
       "ALTER TABLE teachers ADD COLUMN cell INTEGER;"
       "ALTER TABLE teachers ADD COLUMN hash INTEGER;",
       // 9: look-ups by ID-card number go through the identity
       // registry; an index on random keys made every batch rewrite
       // pages all over it.
       "DROP INDEX IF EXISTS teachers_by_id;",
       // 10: the outlook's cell of each record and its counts
       // (national/rollup/outlook_cell.h); filled by the re-derivation of
       // derived layout 6.
       "ALTER TABLE teachers ADD COLUMN outlook INTEGER;"
       "CREATE TABLE outlook (cell INTEGER PRIMARY KEY, "
       "teachers INTEGER NOT NULL CHECK (teachers >= 0));"}));
  ASSIGN_OR_RETURN(sql::Statement init,
                   writer.Prepare("INSERT OR IGNORE INTO sync_state(id, "
                                  "province, applied_seq, records, "
                                  "last_sync_unix, last_result) VALUES "
                                  "(1, ?, 0, 0, 0, 'never synced')"));
  RETURN_IF_ERROR(init.BindAll(province).Run());
  ASSIGN_OR_RETURN(
      sql::Statement check,
      writer.Prepare("SELECT province FROM sync_state WHERE id = 1"));
  ASSIGN_OR_RETURN(bool row, check.Step());
  if (!row || check.ColumnText(0) != province) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " holds province ", row ? check.ColumnText(0) : "?",
                     ", not ", province));
  }
  if (checkpointer != nullptr)
    checkpointer->Watch(writer, options.wal_autocheckpoint_pages);
  options.cache_size = -16384;
  ASSIGN_OR_RETURN(sql::Database reader, sql::Database::Open(path, options));
  std::unique_ptr<ProvinceDb> db(new ProvinceDb(
      province, owners, identities, std::move(writer), std::move(reader)));
  RETURN_IF_ERROR(db->LoadCube());
  return db;
}

absl::Status ProvinceDb::LoadCube() {
  absl::MutexLock lock(&write_mu_);
  ASSIGN_OR_RETURN(
      int64_t layout,
      writer_.QueryInt("SELECT cell_layout FROM sync_state WHERE id = 1"));
  // Files from before the identity registry (layout 4) claim their records.
  if (layout != kDerivedLayout) return RebuildLocked(/*claim=*/layout < 4);
  for (auto [table, cube] :
       {std::pair{"rollup", &cube_}, std::pair{"outlook", &outlook_cube_}}) {
    ASSIGN_OR_RETURN(
        sql::Statement s,
        writer_.Prepare(absl::StrCat("SELECT cell, teachers FROM ", table)));
    std::vector<std::pair<int64_t, int64_t>> cells;
    RETURN_IF_ERROR(s.ForEachRow(
        [&] { cells.emplace_back(s.ColumnInt(0), s.ColumnInt(1)); }));
    cube->Reset(cells);
  }
  return absl::OkStatus();
}

void ProvinceDb::ReleaseCache() {
  {
    absl::MutexLock lock(&write_mu_);
    sqlite3_db_release_memory(writer_.handle());
  }
  absl::MutexLock lock(&read_mu_);
  sqlite3_db_release_memory(reader_.handle());
}

absl::StatusOr<ProvinceState> ProvinceDb::State() {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(
      sql::Statement s,
      reader_.Prepare("SELECT applied_seq, records, last_sync_unix, "
                      "last_result, (SELECT COUNT(*) FROM rejections), "
                      "(SELECT COUNT(*) FROM arrivals), outbox_end, "
                      "catalog_version, verified_unix, verify_differing, "
                      "last_success_unix, registry_version "
                      "FROM sync_state WHERE id = 1"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return absl::DataLossError("sync_state row missing");
  ProvinceState state;
  state.applied_seq = static_cast<uint64_t>(s.ColumnInt(0));
  state.records = static_cast<uint64_t>(s.ColumnInt(1));
  state.last_sync_unix = s.ColumnInt(2);
  state.last_result = s.ColumnText(3);
  state.rejected = static_cast<uint64_t>(s.ColumnInt(4));
  state.held = static_cast<uint64_t>(s.ColumnInt(5));
  state.outbox_end = static_cast<uint64_t>(s.ColumnInt(6));
  state.catalog_version = static_cast<uint32_t>(s.ColumnInt(7));
  state.verified_unix = s.ColumnInt(8);
  state.verify_differing = static_cast<uint64_t>(s.ColumnInt(9));
  state.last_success_unix = s.ColumnInt(10);
  state.registry_version = static_cast<uint64_t>(s.ColumnInt(11));
  return state;
}

absl::StatusOr<v1::TeacherRecord> ProvinceDb::Find(
    const std::string& teacher_number) {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(
      sql::Statement s,
      reader_.Prepare("SELECT record FROM teachers WHERE teacher_number = ?"));
  ASSIGN_OR_RETURN(bool row, s.BindAll(teacher_number).Step());
  if (!row) {
    return absl::NotFoundError(absl::StrCat("province ", province_,
                                            " holds no record of teacher ",
                                            teacher_number));
  }
  v1::TeacherRecord record;
  if (!record.ParseFromString(std::string(s.ColumnBlob(0))))
    return absl::DataLossError(
        absl::StrCat("stored record of ", teacher_number, " is unreadable"));
  return record;
}

absl::Status ProvinceDb::NoteHello(const v1::GetCursorRequest& hello) {
  absl::MutexLock lock(&write_mu_);
  ASSIGN_OR_RETURN(
      sql::Statement s,
      writer_.Prepare(
          "UPDATE sync_state SET outbox_end = ?1, catalog_version = ?2, "
          "verified_unix = ?3, verify_differing = ?4, "
          "registry_version = ?6, "
          // Nothing to send is a successful sync too.
          "last_success_unix = CASE WHEN ?1 = applied_seq THEN ?5 "
          "ELSE last_success_unix END WHERE id = 1"));
  return s
      .BindAll(hello.outbox_end(), int64_t{hello.catalog_version()},
               hello.verified_unix(), hello.verify_differing(),
               static_cast<int64_t>(std::time(nullptr)),
               hello.school_registry_version())
      .Run();
}

absl::Status ProvinceDb::RecordFailure(const std::string& result) {
  absl::MutexLock lock(&write_mu_);
  ASSIGN_OR_RETURN(sql::Statement s,
                   writer_.Prepare("UPDATE sync_state SET last_sync_unix = ?, "
                                   "last_result = ? WHERE id = 1"));
  return s.BindAll(static_cast<int64_t>(std::time(nullptr)), result).Run();
}

}  // namespace ntmis::national
