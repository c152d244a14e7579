#include "national/ingest/province_db.h"

#include <algorithm>
#include <ctime>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "common/teacher/code_tables.h"
#include "common/teacher/record_validation.h"
#include "common/teacher/sync_versions.h"
#include "common/teacher/teacher_number.h"

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

// What is derived from the stored records (rollup cells, national/
// dimensions.h; the ID index): a file written with another version is
// re-derived when it opens. 2: cells gained the birth cohort; 3: id_key;
// 4: records claimed in the identity registry; 5: cell and hash columns.
constexpr int kDerivedLayout = 5;

// The ID index key of a record (a lookup compares the full hash); 0 when
// it has none.
int64_t IdKey(const v1::TeacherRecord& record) { return IdKeyOf(record.id_hash()); }

std::string JoinProblems(const std::vector<FieldProblem>& problems) {
  return absl::StrJoin(problems, "; ", [](std::string* out, const FieldProblem& p) {
    absl::StrAppend(out, p.field, "='", p.value, "': ", p.rule);
  });
}

}  // namespace

absl::StatusOr<std::unique_ptr<ProvinceDb>> ProvinceDb::Open(const std::string& path,
                                                             const std::string& province,
                                                             const OwnerRegistry& owners,
                                                             IdentityRegistry& identities,
                                                             sql::WalCheckpointer* checkpointer) {
  sql::OpenOptions options;
  options.cache_size = -32768;  // 32 MiB per province: 32 of them stay near 1 GiB at most
  options.wal_autocheckpoint_pages = 16384;  // 64 MiB of WAL between checkpoints
  options.mmap_size = int64_t{1} << 34;  // updates read old records at random places
  ASSIGN_OR_RETURN(sql::Database writer, sql::Database::Open(path, options));
  RETURN_IF_ERROR(sql::Migrate(
      writer, {kSchema, kMovesAndDigests,
               // 3: what the province reported of its own outbox.
               "ALTER TABLE sync_state ADD COLUMN outbox_end INTEGER NOT NULL DEFAULT 0;",
               // 4: the version of what is derived from records (kDerivedLayout).
               "ALTER TABLE sync_state ADD COLUMN cell_layout INTEGER NOT NULL DEFAULT 1;",
               // 5: each record's ID-card hash key (the index went in 9).
               "ALTER TABLE teachers ADD COLUMN id_key INTEGER;"
               "CREATE INDEX teachers_by_id ON teachers(id_key) WHERE id_key IS NOT NULL;",
               // 6: what the province's last hello said of its catalog and
               // its last verify.
               "ALTER TABLE sync_state ADD COLUMN catalog_version INTEGER NOT NULL DEFAULT 0;"
               "ALTER TABLE sync_state ADD COLUMN verified_unix INTEGER NOT NULL DEFAULT 0;"
               "ALTER TABLE sync_state ADD COLUMN verify_differing INTEGER NOT NULL DEFAULT 0;"
               "ALTER TABLE sync_state ADD COLUMN last_success_unix INTEGER NOT NULL DEFAULT 0;",
               // 7: the school registry version the province has.
               "ALTER TABLE sync_state ADD COLUMN registry_version INTEGER NOT NULL DEFAULT 0;",
               // 8: each record's rollup cell and digest hash, so an update
               // takes the old record out of the counts without parsing it.
               "ALTER TABLE teachers ADD COLUMN cell INTEGER;"
               "ALTER TABLE teachers ADD COLUMN hash INTEGER;",
               // 9: look-ups by ID-card number go through the identity
               // registry; an index on random keys made every batch rewrite
               // pages all over it.
               "DROP INDEX IF EXISTS teachers_by_id;"}));
  ASSIGN_OR_RETURN(sql::Statement init,
                   writer.Prepare("INSERT OR IGNORE INTO sync_state(id, province, applied_seq, records, "
                                  "last_sync_unix, last_result) VALUES "
                                  "(1, ?, 0, 0, 0, 'never synced')"));
  RETURN_IF_ERROR(init.BindAll(province).Run());
  ASSIGN_OR_RETURN(sql::Statement check,
                   writer.Prepare("SELECT province FROM sync_state WHERE id = 1"));
  ASSIGN_OR_RETURN(bool row, check.Step());
  if (!row || check.ColumnText(0) != province) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " holds province ", row ? check.ColumnText(0) : "?",
                     ", not ", province));
  }
  if (checkpointer != nullptr) checkpointer->Watch(writer, options.wal_autocheckpoint_pages);
  options.cache_size = -16384;
  ASSIGN_OR_RETURN(sql::Database reader, sql::Database::Open(path, options));
  std::unique_ptr<ProvinceDb> db(
      new ProvinceDb(province, owners, identities, std::move(writer), std::move(reader)));
  RETURN_IF_ERROR(db->LoadCube());
  return db;
}

absl::Status ProvinceDb::LoadCube() {
  absl::MutexLock lock(&write_mu_);
  ASSIGN_OR_RETURN(int64_t layout,
                   writer_.QueryInt("SELECT cell_layout FROM sync_state WHERE id = 1"));
  // Files from before the identity registry (layout 4) claim their records.
  if (layout != kDerivedLayout) return RebuildLocked(/*claim=*/layout < 4);
  ASSIGN_OR_RETURN(sql::Statement s, writer_.Prepare("SELECT cell, teachers FROM rollup"));
  std::vector<std::pair<int64_t, int64_t>> cells;
  RETURN_IF_ERROR(s.ForEachRow([&] {
    cells.emplace_back(s.ColumnInt(0), s.ColumnInt(1));
  }));
  cube_.Reset(cells);
  return absl::OkStatus();
}

absl::StatusOr<ProvinceState> ProvinceDb::State() {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(sql::Statement s,
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

absl::StatusOr<PreparedBatch> ProvinceDb::Prepare(v1::PushBatch batch,
                                                  size_t max_changes) const {
  // Shape checks first: nothing is written for a batch that fails them.
  if (batch.changes_size() == 0) return absl::InvalidArgumentError("empty batch");
  if (batch.end_of_stream())
    return absl::InvalidArgumentError("the end-of-stream message must carry no changes");
  if (batch.catalog_version() > kCoreCatalogVersion) {
    return absl::InvalidArgumentError(absl::StrCat(
        "batch written with core catalog version ", batch.catalog_version(),
        "; this national node knows versions 1 to ", kCoreCatalogVersion,
        ": upgrade ntmis-national"));
  }
  if (static_cast<size_t>(batch.changes_size()) > max_changes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "batch of ", batch.changes_size(), " changes exceeds the limit of ", max_changes));
  }
  const int province_code = std::stoi(province_);
  for (int i = 0; i < batch.changes_size(); ++i) {
    const v1::Change& c = batch.changes(i);
    if (i > 0 && c.seq() != batch.changes(i - 1).seq() + 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "sequence numbers must be consecutive: ", batch.changes(i - 1).seq(),
          " is followed by ", c.seq()));
    }
    if (c.seq() == 0) return absl::InvalidArgumentError("sequence numbers start at 1");
    if (c.body_case() == v1::Change::BODY_NOT_SET)
      return absl::InvalidArgumentError(absl::StrCat("change ", c.seq(), " has no body"));
    if (!IsValidTeacherNumber(c.teacher_number())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "change ", c.seq(), ": '", c.teacher_number(),
          "' is not a teacher number (12 digits with a MOD 11-10 check digit)"));
    }
    if (c.moved_to() != v1::PROVINCE_UNSPECIFIED &&
        (!c.tombstone() || !IsProvinceCode(c.moved_to()) ||
         c.moved_to() == province_code)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "change ", c.seq(), ": moved_to=", static_cast<int>(c.moved_to()),
          " must name another province and go with a tombstone"));
    }
    if (c.has_record()) {
      if (c.record().province() != province_code) {
        return absl::PermissionDeniedError(absl::StrCat(
            "province ", province_, " may not write teacher ", c.teacher_number(),
            " of province ", static_cast<int>(c.record().province())));
      }
      if (c.record().teacher_number() != c.teacher_number()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "change ", c.seq(), " names teacher ", c.teacher_number(),
            " but carries the record of ", c.record().teacher_number()));
      }
    }
  }

  // Everything that needs no database: validation, the bytes to store, the
  // rollup cell.
  PreparedBatch prepared;
  prepared.changes.resize(batch.changes_size());
  for (int i = 0; i < batch.changes_size(); ++i) {
    const v1::Change& c = batch.changes(i);
    PreparedChange& p = prepared.changes[i];
    if (!c.has_record()) continue;
    std::vector<FieldProblem> problems = ValidateTeacherRecord(c.record());
    if (!problems.empty()) {
      p.rejected_field = problems[0].field;
      p.rejected_reason = JoinProblems(problems);
      continue;
    }
    c.record().SerializeToString(&p.bytes);
    p.cell = CellOf(c.record());
    p.hash = RecordHash(c.teacher_number(), p.bytes);
    p.id_key = IdKey(c.record());
  }
  prepared.batch = std::move(batch);
  return prepared;
}

absl::StatusOr<v1::PushAck> ProvinceDb::Apply(const v1::PushBatch& batch,
                                              size_t max_changes) {
  ASSIGN_OR_RETURN(PreparedBatch prepared, Prepare(batch, max_changes));
  return Apply(prepared);
}

namespace {

// The statements and pending rollup/digest changes of one write
// transaction. Every way a teacher enters or leaves the counted set goes
// through Count/Uncount, so rollup, digests and the record count move
// together.
class WriteSet {
 public:
  // What is stored for a teacher, as far as counting goes.
  struct Stored {
    bool exists = false;
    int64_t cell = 0;
    uint64_t hash = 0;
    int64_t id_key = 0;
  };

  static absl::StatusOr<WriteSet> Begin(sql::Database& db) {
    WriteSet w(db);
    ASSIGN_OR_RETURN(w.insert_, db.Prepare("INSERT INTO teachers(teacher_number, seq, record, "
                                           "id_key, cell, hash) VALUES (?, ?, ?, ?, ?, ?)"));
    ASSIGN_OR_RETURN(w.old_row_, db.Prepare("SELECT cell, hash, id_key, record FROM teachers "
                                            "WHERE teacher_number = ?"));
    ASSIGN_OR_RETURN(w.update_, db.Prepare("UPDATE teachers SET seq = ?, record = ?, "
                                           "id_key = ?, cell = ?, hash = ? "
                                           "WHERE teacher_number = ?"));
    ASSIGN_OR_RETURN(w.remove_, db.Prepare("DELETE FROM teachers WHERE teacher_number = ?"));
    ASSIGN_OR_RETURN(int64_t held, db.QueryInt("SELECT EXISTS (SELECT 1 FROM arrivals)"));
    ASSIGN_OR_RETURN(int64_t rejected, db.QueryInt("SELECT EXISTS (SELECT 1 FROM rejections)"));
    w.any_held_ = held != 0;
    w.any_rejected_ = rejected != 0;
    return w;
  }

  // What is stored for a teacher: read once per transaction (its cell and
  // hash are columns, so the old record is not parsed or hashed again),
  // then kept as this transaction changes it.
  absl::StatusOr<Stored> Lookup(absl::string_view number) {
    auto it = stored_.find(number);
    if (it != stored_.end()) return it->second;
    Stored s;
    old_row_.BindView(1, number);
    ASSIGN_OR_RETURN(s.exists, old_row_.Step());
    if (s.exists) {
      s.id_key = old_row_.ColumnIsNull(2) ? 0 : old_row_.ColumnInt(2);
      if (!old_row_.ColumnIsNull(0) && !old_row_.ColumnIsNull(1)) {
        s.cell = old_row_.ColumnInt(0);
        s.hash = static_cast<uint64_t>(old_row_.ColumnInt(1));
      } else {  // a row from before the columns (a rebuild fills them)
        absl::string_view blob = old_row_.ColumnBlob(3);
        if (!old_record_.ParseFromArray(blob.data(), static_cast<int>(blob.size()))) {
          old_row_.Reset();
          return absl::DataLossError(absl::StrCat("stored record of ", number, " is unreadable"));
        }
        s.cell = CellOf(old_record_);
        s.hash = RecordHash(number, blob);
      }
    }
    old_row_.Reset();
    stored_.emplace(std::string(number), s);
    return s;
  }

  // Stores the current record of a teacher this province owns: an update
  // (two B-tree descents with the lookup) or an insert.
  absl::Status Upsert(absl::string_view number, uint64_t seq, absl::string_view bytes,
                      int64_t cell, uint64_t hash, int64_t id_key) {
    ASSIGN_OR_RETURN(Stored old, Lookup(number));
    const auto h = static_cast<int64_t>(hash);
    if (old.exists) {
      Count(number, old.cell, old.hash, -1);
      BindKey(update_.Bind(1, seq).BindBlobView(2, bytes), 3, id_key)
          .Bind(4, cell)
          .Bind(5, h)
          .BindView(6, number);
      RETURN_IF_ERROR(update_.Run());
    } else {
      BindKey(insert_.BindView(1, number).Bind(2, seq).BindBlobView(3, bytes), 4, id_key)
          .Bind(5, cell)
          .Bind(6, h);
      RETURN_IF_ERROR(insert_.Run());
    }
    stored_[std::string(number)] = Stored{true, cell, hash, id_key};
    Count(number, cell, hash, +1);
    return Settled(number);
  }

  // Removes a teacher from the counted set (and anything held for it).
  absl::Status Remove(absl::string_view number) {
    ASSIGN_OR_RETURN(Stored old, Lookup(number));
    if (old.exists) {
      Count(number, old.cell, old.hash, -1);
      remove_.BindView(1, number);
      RETURN_IF_ERROR(remove_.Run());
      stored_[std::string(number)] = Stored{};
    }
    return Settled(number);
  }

  // Keeps the record of a teacher another province owns, uncounted.
  absl::Status Hold(absl::string_view number, uint64_t seq, absl::string_view bytes) {
    ASSIGN_OR_RETURN(sql::Statement hold,
                     db_.Prepare("INSERT INTO arrivals VALUES (?, ?, ?) "
                                 "ON CONFLICT(teacher_number) DO UPDATE SET "
                                 "seq = excluded.seq, record = excluded.record"));
    RETURN_IF_ERROR(hold.BindAll(number, seq).BindBlob(3, bytes).Run());
    any_held_ = true;
    return absl::OkStatus();
  }

  // Counts a stored record again and refreshes what is derived from it
  // (Rebuild).
  absl::Status Recount(absl::string_view number, int64_t cell, uint64_t hash, int64_t id_key) {
    Count(number, cell, hash, +1);
    if (!set_key_) {
      ASSIGN_OR_RETURN(set_key_, db_.Prepare("UPDATE teachers SET id_key = ?, cell = ?, "
                                             "hash = ? WHERE teacher_number = ?"));
    }
    return BindKey(*set_key_, 1, id_key)
        .Bind(2, cell)
        .Bind(3, static_cast<int64_t>(hash))
        .BindView(4, number)
        .Run();
  }

  // The rollup changes, for the in-memory rollup once the transaction
  // commits.
  std::vector<std::pair<int64_t, int64_t>> CellChanges() const {
    return {cells_.begin(), cells_.end()};
  }

  // Writes the rollup, digest and count changes.
  absl::Status Flush() {
    ASSIGN_OR_RETURN(sql::Statement add,
                     db_.Prepare("INSERT INTO rollup(cell, teachers) VALUES (?, ?) "
                                 "ON CONFLICT(cell) DO UPDATE SET "
                                 "teachers = teachers + excluded.teachers"));
    // (The CHECK is evaluated on the would-be inserted row, so decrements
    // go through UPDATE.) Cells are nearly as many as teachers, so most
    // decrements empty their cell: that is one DELETE.
    ASSIGN_OR_RETURN(sql::Statement sub,
                     db_.Prepare("UPDATE rollup SET teachers = teachers + ? WHERE cell = ?"));
    ASSIGN_OR_RETURN(sql::Statement drop,
                     db_.Prepare("DELETE FROM rollup WHERE cell = ? AND teachers = ?"));
    // In key order: neighbouring keys share pages, so each page is visited once.
    std::vector<std::pair<int64_t, int64_t>> cells(cells_.begin(), cells_.end());
    std::sort(cells.begin(), cells.end());
    for (const auto& [cell, d] : cells) {
      if (d > 0) {
        RETURN_IF_ERROR(add.BindAll(cell, d).Run());
      } else if (d < 0) {
        RETURN_IF_ERROR(drop.BindAll(cell, -d).Run());
        if (db_.Changes() == 0) RETURN_IF_ERROR(sub.BindAll(d, cell).Run());
      }
    }
    // SQLite has no XOR operator: a ^ b = (a | b) - (a & b).
    ASSIGN_OR_RETURN(sql::Statement grow,
                     db_.Prepare("INSERT INTO digests(bucket, teachers, hash) VALUES (?, ?, ?) "
                                 "ON CONFLICT(bucket) DO UPDATE SET "
                                 "teachers = teachers + excluded.teachers, "
                                 "hash = (hash | excluded.hash) - (hash & excluded.hash)"));
    ASSIGN_OR_RETURN(sql::Statement shrink,
                     db_.Prepare("UPDATE digests SET teachers = teachers + ?2, "
                                 "hash = (hash | ?3) - (hash & ?3) WHERE bucket = ?1"));
    ASSIGN_OR_RETURN(sql::Statement empty,
                     db_.Prepare("DELETE FROM digests WHERE bucket = ? AND teachers = 0"));
    for (const auto& [bucket, d] : buckets_) {
      if (d.teachers == 0 && d.hash == 0) continue;
      if (d.teachers >= 0) {
        RETURN_IF_ERROR(grow.BindAll(bucket, d.teachers, static_cast<int64_t>(d.hash)).Run());
      } else {
        RETURN_IF_ERROR(shrink.BindAll(bucket, d.teachers, static_cast<int64_t>(d.hash)).Run());
        RETURN_IF_ERROR(empty.BindAll(bucket).Run());
      }
    }
    ASSIGN_OR_RETURN(sql::Statement records,
                     db_.Prepare("UPDATE sync_state SET records = records + ? WHERE id = 1"));
    return records.BindAll(net_records_).Run();
  }

 private:
  struct BucketDelta {
    int64_t teachers = 0;
    uint64_t hash = 0;
  };

  explicit WriteSet(sql::Database& db) : db_(db) {}

  static sql::Statement& BindKey(sql::Statement& s, int index, int64_t id_key) {
    return id_key == 0 ? s.BindNull(index) : s.Bind(index, id_key);
  }

  void Count(absl::string_view number, int64_t cell, uint64_t hash, int sign) {
    cells_[cell] += sign;
    BucketDelta& b = buckets_[std::string(DigestBucket(number))];
    b.teachers += sign;
    b.hash ^= hash;
    net_records_ += sign;
  }

  // A teacher's latest change was applied: nothing stays held for it, and
  // its earlier rejections are resolved.
  absl::Status Settled(absl::string_view number) {
    if (any_held_) {
      if (!unhold_) {
        ASSIGN_OR_RETURN(unhold_, db_.Prepare("DELETE FROM arrivals WHERE teacher_number = ?"));
      }
      RETURN_IF_ERROR(unhold_->BindAll(number).Run());
    }
    if (any_rejected_) {
      if (!resolve_) {
        ASSIGN_OR_RETURN(resolve_,
                         db_.Prepare("DELETE FROM rejections WHERE teacher_number = ?"));
      }
      RETURN_IF_ERROR(resolve_->BindAll(number).Run());
    }
    return absl::OkStatus();
  }

  sql::Database& db_;
  sql::Statement insert_, old_row_, update_, remove_;
  std::optional<sql::Statement> unhold_, resolve_, set_key_;
  v1::TeacherRecord old_record_;
  bool any_held_ = false;
  bool any_rejected_ = false;
  absl::flat_hash_map<std::string, Stored> stored_;
  absl::flat_hash_map<int64_t, int64_t> cells_;
  std::map<std::string, BucketDelta> buckets_;
  int64_t net_records_ = 0;
};

// Calls row(number, bytes, record) for every stored record, and
// unreadable(number) for one that does not parse; either may end the scan
// with an error.
template <typename Row, typename Unreadable>
absl::Status ScanRecords(sql::Database& db, Row&& row, Unreadable&& unreadable) {
  ASSIGN_OR_RETURN(sql::Statement s, db.Prepare("SELECT teacher_number, record FROM teachers"));
  v1::TeacherRecord record;
  RETURN_IF_ERROR(s.ForEachRow([&]() -> absl::Status {
    const std::string number = s.ColumnText(0);
    absl::string_view bytes = s.ColumnBlob(1);
    if (record.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      RETURN_IF_ERROR(row(number, bytes, record));
    } else {
      RETURN_IF_ERROR(unreadable(number));
    }
    return absl::OkStatus();
  }));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::PushAck> ProvinceDb::Apply(const PreparedBatch& prepared) {
  const v1::PushBatch& batch = prepared.batch;
  absl::MutexLock lock(&write_mu_);
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(writer_));
  ASSIGN_OR_RETURN(int64_t cursor,
                   writer_.QueryInt("SELECT applied_seq FROM sync_state WHERE id = 1"));
  const uint64_t first = batch.changes(0).seq();
  const uint64_t last = batch.changes(batch.changes_size() - 1).seq();
  if (first > static_cast<uint64_t>(cursor) + 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "gap: the national node has applied up to seq ", cursor,
        "; a batch must start at or before ", cursor + 1, ", not ", first));
  }
  v1::PushAck ack;
  if (last <= static_cast<uint64_t>(cursor)) {
    ack.set_applied_seq(cursor);
    ack.set_skipped(batch.changes_size());
    return ack;  // a stale retry: nothing to do
  }

  ASSIGN_OR_RETURN(WriteSet writes, WriteSet::Begin(writer_));
  ASSIGN_OR_RETURN(sql::Statement reject,
                   writer_.Prepare("INSERT OR REPLACE INTO rejections VALUES (?,?,?,?,?)"));
  ASSIGN_OR_RETURN(sql::Statement depart,
                   writer_.Prepare("INSERT OR REPLACE INTO departures VALUES (?, ?, ?, 0)"));
  const int64_t now = std::time(nullptr);
  auto add_rejection = [&](const v1::Change& c, const std::string& field,
                           const std::string& reason) {
    v1::Rejection* r = ack.add_rejections();
    r->set_seq(c.seq());
    r->set_teacher_number(c.teacher_number());
    r->set_field(field);
    r->set_reason(reason);
    return reject.BindAll(c.seq(), c.teacher_number(), field, reason, now).Run();
  };

  // A record of a teacher new to this file, or whose ID-card hash changed,
  // claims its person for its number (committed before the batch: a claim
  // without the batch is the same claim when the batch is re-sent).
  std::vector<IdentityRegistry::Claim> claims;
  std::vector<int> claimed_by;  // change index of each claim
  for (int i = 0; i < batch.changes_size(); ++i) {
    const v1::Change& c = batch.changes(i);
    const PreparedChange& p = prepared.changes[i];
    if (c.seq() <= static_cast<uint64_t>(cursor) || !c.has_record() ||
        !p.rejected_field.empty() || p.id_key == 0) {
      continue;
    }
    // (The lookup is kept for the write below.)
    ASSIGN_OR_RETURN(WriteSet::Stored stored, writes.Lookup(c.teacher_number()));
    if (stored.exists && stored.id_key == p.id_key) continue;
    claims.push_back({c.record().id_hash(), c.teacher_number()});
    claimed_by.push_back(i);
  }
  std::vector<std::optional<RegisteredIdentity>> registered(batch.changes_size());
  if (!claims.empty()) {
    ASSIGN_OR_RETURN(auto answers, identities_.ClaimAll(province_, claims));
    for (size_t k = 0; k < answers.size(); ++k) registered[claimed_by[k]] = std::move(answers[k]);
  }
  std::vector<std::string> settled;  // numbers whose identity conflict may be over

  for (int i = 0; i < batch.changes_size(); ++i) {
    const v1::Change& c = batch.changes(i);
    const PreparedChange& p = prepared.changes[i];
    if (c.seq() <= static_cast<uint64_t>(cursor)) {
      ack.set_skipped(ack.skipped() + 1);
      continue;
    }
    if (!p.rejected_field.empty()) {
      RETURN_IF_ERROR(add_rejection(c, p.rejected_field, p.rejected_reason));
      continue;
    }
    if (const auto& existing = registered[i]) {
      RETURN_IF_ERROR(add_rejection(
          c, "id_card_number",
          absl::StrCat("identity conflict: this person is registered as teacher ",
                       existing->teacher_number, " (province ", existing->province,
                       "); one person, one number: use that number")));
      continue;
    }
    settled.push_back(c.teacher_number());
    // Ownership is read under the write lock, so a hand-over (SetOwner, then
    // TakeIn on this file) never misses a record held here.
    const std::string owner = owners_.Owner(c.teacher_number());
    if (c.has_record()) {
      if (owner != province_) {
        RETURN_IF_ERROR(writes.Hold(c.teacher_number(), c.seq(), p.bytes));
        ack.set_held(ack.held() + 1);
        continue;
      }
      RETURN_IF_ERROR(
          writes.Upsert(c.teacher_number(), c.seq(), p.bytes, p.cell, p.hash, p.id_key));
    } else if (c.moved_to() != v1::PROVINCE_UNSPECIFIED) {
      if (owner != province_) {
        RETURN_IF_ERROR(add_rejection(
            c, "moved_to",
            absl::StrCat("province ", province_, " cannot release teacher ",
                         c.teacher_number(), ": it belongs to province ", owner)));
        continue;
      }
      RETURN_IF_ERROR(writes.Remove(c.teacher_number()));
      RETURN_IF_ERROR(depart
                          .BindAll(c.teacher_number(),
                                   absl::StrCat(static_cast<int>(c.moved_to())), c.seq())
                          .Run());
    } else {
      RETURN_IF_ERROR(writes.Remove(c.teacher_number()));
    }
    ack.set_applied(ack.applied() + 1);
  }
  RETURN_IF_ERROR(writes.Flush());
  ASSIGN_OR_RETURN(sql::Statement state,
                   writer_.Prepare("UPDATE sync_state SET applied_seq = ?1, "
                                   "last_sync_unix = ?2, last_success_unix = ?2, last_result = 'ok' "
                                   "WHERE id = 1"));
  RETURN_IF_ERROR(state.BindAll(last, now).Run());
  RETURN_IF_ERROR(txn.Commit());
  cube_.Apply(writes.CellChanges());
  if (identities_.HasConflicts()) {
    for (const std::string& number : settled) RETURN_IF_ERROR(identities_.Resolved(number));
  }
  ack.set_applied_seq(last);
  return ack;
}

absl::StatusOr<std::vector<Departure>> ProvinceDb::PendingDepartures() {
  absl::MutexLock lock(&write_mu_);
  ASSIGN_OR_RETURN(sql::Statement s,
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
  ASSIGN_OR_RETURN(sql::Statement s,
                   writer_.Prepare("UPDATE departures SET done = 1 WHERE teacher_number = ?"));
  return s.BindAll(teacher_number).Run();
}

absl::StatusOr<bool> ProvinceDb::TakeIn(const std::string& teacher_number) {
  absl::MutexLock lock(&write_mu_);
  if (owners_.Owner(teacher_number) != province_) return false;
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(writer_));
  ASSIGN_OR_RETURN(sql::Statement held,
                   writer_.Prepare("SELECT seq, record FROM arrivals WHERE teacher_number = ?"));
  ASSIGN_OR_RETURN(bool row, held.BindAll(teacher_number).Step());
  if (!row) return false;
  const uint64_t seq = held.ColumnInt(0);
  const std::string bytes(held.ColumnBlob(1));
  held.Reset();
  v1::TeacherRecord record;
  if (!record.ParseFromString(bytes))
    return absl::DataLossError(absl::StrCat("held record of ", teacher_number, " is unreadable"));
  ASSIGN_OR_RETURN(WriteSet writes, WriteSet::Begin(writer_));
  RETURN_IF_ERROR(
      writes.Upsert(teacher_number, seq, bytes, CellOf(record), RecordHash(teacher_number, bytes),
                    IdKey(record)));
  RETURN_IF_ERROR(writes.Flush());
  RETURN_IF_ERROR(txn.Commit());
  cube_.Apply(writes.CellChanges());
  return true;
}

absl::StatusOr<std::vector<std::string>> ProvinceDb::Held() {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(sql::Statement s,
                   reader_.Prepare("SELECT teacher_number FROM arrivals ORDER BY teacher_number"));
  std::vector<std::string> out;
  RETURN_IF_ERROR(s.ForEachRow([&] {
    out.push_back(s.ColumnText(0));
  }));
  return out;
}

absl::StatusOr<v1::TeacherRecord> ProvinceDb::Find(const std::string& teacher_number) {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(sql::Statement s,
                   reader_.Prepare("SELECT record FROM teachers WHERE teacher_number = ?"));
  ASSIGN_OR_RETURN(bool row, s.BindAll(teacher_number).Step());
  if (!row) {
    return absl::NotFoundError(
        absl::StrCat("province ", province_, " holds no record of teacher ", teacher_number));
  }
  v1::TeacherRecord record;
  if (!record.ParseFromString(std::string(s.ColumnBlob(0))))
    return absl::DataLossError(absl::StrCat("stored record of ", teacher_number, " is unreadable"));
  return record;
}

absl::StatusOr<v1::Digests> ProvinceDb::Digests() {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(sql::Statement s, reader_.Prepare("SELECT bucket, teachers, hash FROM "
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
  ASSIGN_OR_RETURN(sql::Statement s,
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

absl::StatusOr<CheckReport> ProvinceDb::Check() {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(sql::Transaction snapshot, sql::Transaction::BeginRead(reader_));
  CheckReport report;
  std::map<int64_t, int64_t> cells;
  DigestMap buckets;
  RETURN_IF_ERROR(ScanRecords(
      reader_,
      [&](const std::string& number, absl::string_view bytes, const v1::TeacherRecord& record) {
        ++report.teachers;
        ++cells[CellOf(record)];
        buckets[std::string(DigestBucket(number))].Add(RecordHash(number, bytes));
        return absl::OkStatus();
      },
      [&](const std::string& number) {
        report.problems.push_back(absl::StrCat("record of ", number, " is unreadable"));
        return absl::OkStatus();
      }));
  {
    ASSIGN_OR_RETURN(sql::Statement s, reader_.Prepare("SELECT cell, teachers FROM rollup"));
    std::map<int64_t, int64_t> stored;
    RETURN_IF_ERROR(s.ForEachRow([&] {
      stored[s.ColumnInt(0)] = s.ColumnInt(1);
    }));
    auto differing = [&cells](std::map<int64_t, int64_t> other) {
      uint64_t n = 0;
      for (const auto& [cell, count] : cells) n += other[cell] != count;
      for (const auto& [cell, count] : other) n += count != 0 && !cells.count(cell);
      return n;
    };
    if (uint64_t n = differing(stored); n != 0) {
      report.problems.push_back(absl::StrCat("rollup differs from a recount in ", n, " cells"));
    }
    std::vector<std::pair<int64_t, int64_t>> in_memory = cube_.Cells();
    if (uint64_t n = differing({in_memory.begin(), in_memory.end()}); n != 0) {
      report.problems.push_back(
          absl::StrCat("the in-memory rollup differs from a recount in ", n, " cells"));
    }
  }
  {
    ASSIGN_OR_RETURN(sql::Statement s,
                     reader_.Prepare("SELECT bucket, teachers, hash FROM digests"));
    DigestMap stored;
    RETURN_IF_ERROR(s.ForEachRow([&] {
      stored[s.ColumnText(0)] = {static_cast<uint64_t>(s.ColumnInt(1)),
                                 static_cast<uint64_t>(s.ColumnInt(2))};
    }));
    if (stored != buckets) {
      uint64_t differing = 0;
      for (const auto& [b, d] : buckets) differing += !stored.count(b) || stored[b] != d;
      for (const auto& [b, d] : stored) differing += !buckets.count(b);
      report.problems.push_back(absl::StrCat("digests differ from a recount in ", differing,
                                             " buckets"));
    }
  }
  ASSIGN_OR_RETURN(int64_t records,
                   reader_.QueryInt("SELECT records FROM sync_state WHERE id = 1"));
  if (static_cast<uint64_t>(records) != report.teachers) {
    report.problems.push_back(absl::StrCat("sync_state counts ", records, " records; ",
                                           report.teachers, " are stored"));
  }
  return report;
}

absl::Status ProvinceDb::Rewind(uint64_t seq) {
  absl::MutexLock lock(&write_mu_);
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(writer_));
  ASSIGN_OR_RETURN(int64_t cursor,
                   writer_.QueryInt("SELECT applied_seq FROM sync_state WHERE id = 1"));
  if (seq >= static_cast<uint64_t>(cursor)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the cursor is at ", cursor, "; it only moves back, not to ", seq));
  }
  ASSIGN_OR_RETURN(sql::Statement s,
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
  RETURN_IF_ERROR(writer_.Exec(absl::StrCat(
      "DELETE FROM rollup; DELETE FROM digests; "
      "UPDATE sync_state SET records = 0, cell_layout = ", kDerivedLayout, " WHERE id = 1;")));
  ASSIGN_OR_RETURN(WriteSet writes, WriteSet::Begin(writer_));
  std::vector<IdentityRegistry::Claim> claims;
  RETURN_IF_ERROR(ScanRecords(
      writer_,
      [&](const std::string& number, absl::string_view bytes, const v1::TeacherRecord& record) {
        if (claim && !record.id_hash().empty()) claims.push_back({record.id_hash(), number});
        return writes.Recount(number, CellOf(record), RecordHash(number, bytes), IdKey(record));
      },
      [](const std::string& number) {
        return absl::DataLossError(absl::StrCat("stored record of ", number, " is unreadable"));
      }));
  RETURN_IF_ERROR(writes.Flush());
  RETURN_IF_ERROR(txn.Commit());
  cube_.Reset(writes.CellChanges());
  // Stored records claim their people too (files from before the registry);
  // a conflict found here is recorded for both provinces to see.
  constexpr size_t kChunk = 10000;
  for (size_t from = 0; from < claims.size(); from += kChunk) {
    std::vector<IdentityRegistry::Claim> chunk(
        claims.begin() + from, claims.begin() + std::min(claims.size(), from + kChunk));
    RETURN_IF_ERROR(identities_.ClaimAll(province_, chunk).status());
  }
  return absl::OkStatus();
}

absl::Status ProvinceDb::NoteHello(const v1::GetCursorRequest& hello) {
  absl::MutexLock lock(&write_mu_);
  ASSIGN_OR_RETURN(sql::Statement s,
                   writer_.Prepare("UPDATE sync_state SET outbox_end = ?1, catalog_version = ?2, "
                                   "verified_unix = ?3, verify_differing = ?4, "
                                   "registry_version = ?6, "
                                   // Nothing to send is a successful sync too.
                                   "last_success_unix = CASE WHEN ?1 = applied_seq THEN ?5 "
                                   "ELSE last_success_unix END WHERE id = 1"));
  return s.BindAll(hello.outbox_end(), int64_t{hello.catalog_version()}, hello.verified_unix(),
                   hello.verify_differing(), static_cast<int64_t>(std::time(nullptr)),
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
