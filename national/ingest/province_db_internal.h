// What the implementation files of ProvinceDb share (province_db.cc,
// province_apply.cc, province_moves.cc, province_digests.cc,
// province_check.cc): the version of what is derived from records, the
// record's ID index key, the problems of a rejected record as text, and the
// write set of one transaction. Not for other users of ProvinceDb.
#ifndef NTMIS_NATIONAL_INGEST_PROVINCE_DB_INTERNAL_H_
#define NTMIS_NATIONAL_INGEST_PROVINCE_DB_INTERNAL_H_

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
#include "national/ingest/province_db.h"
#include "national/rollup/outlook_cell.h"

namespace ntmis::national {

// What is derived from the stored records (rollup cells, national/
// dimensions.h; the ID index): a file written with another version is
// re-derived when it opens. 2: cells gained the birth cohort; 3: id_key;
// 4: records claimed in the identity registry; 5: cell and hash columns;
// 6: the outlook's cells (national/rollup/outlook_cell.h).
inline constexpr int kDerivedLayout = 6;

// The ID index key of a record (a lookup compares the full hash); 0 when
// it has none.
inline int64_t IdKey(const v1::TeacherRecord& record) {
  return IdKeyOf(record.id_hash());
}

inline std::string JoinProblems(const std::vector<FieldProblem>& problems) {
  return absl::StrJoin(
      problems, "; ", [](std::string* out, const FieldProblem& p) {
        absl::StrAppend(out, p.field, "='", p.value, "': ", p.rule);
      });
}

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
    int64_t outlook = 0;
    uint64_t hash = 0;
    int64_t id_key = 0;
  };

  static absl::StatusOr<WriteSet> Begin(sql::Database& db) {
    WriteSet w(db);
    ASSIGN_OR_RETURN(
        w.insert_,
        db.Prepare(
            "INSERT INTO teachers(teacher_number, seq, record, "
            "id_key, cell, hash, outlook) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    ASSIGN_OR_RETURN(
        w.old_row_,
        db.Prepare("SELECT cell, hash, id_key, record, outlook FROM teachers "
                   "WHERE teacher_number = ?"));
    ASSIGN_OR_RETURN(w.update_,
                     db.Prepare("UPDATE teachers SET seq = ?, record = ?, "
                                "id_key = ?, cell = ?, hash = ?, outlook = ? "
                                "WHERE teacher_number = ?"));
    ASSIGN_OR_RETURN(
        w.remove_, db.Prepare("DELETE FROM teachers WHERE teacher_number = ?"));
    ASSIGN_OR_RETURN(int64_t held,
                     db.QueryInt("SELECT EXISTS (SELECT 1 FROM arrivals)"));
    ASSIGN_OR_RETURN(int64_t rejected,
                     db.QueryInt("SELECT EXISTS (SELECT 1 FROM rejections)"));
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
      if (!old_row_.ColumnIsNull(0) && !old_row_.ColumnIsNull(1) &&
          !old_row_.ColumnIsNull(4)) {
        s.cell = old_row_.ColumnInt(0);
        s.hash = static_cast<uint64_t>(old_row_.ColumnInt(1));
        s.outlook = old_row_.ColumnInt(4);
      } else {  // a row from before the columns (a rebuild fills them)
        absl::string_view blob = old_row_.ColumnBlob(3);
        if (!old_record_.ParseFromArray(blob.data(),
                                        static_cast<int>(blob.size()))) {
          old_row_.Reset();
          return absl::DataLossError(
              absl::StrCat("stored record of ", number, " is unreadable"));
        }
        s.cell = CellOf(old_record_);
        s.outlook = outlook::CellOf(old_record_);
        s.hash = RecordHash(number, blob);
      }
    }
    old_row_.Reset();
    stored_.emplace(std::string(number), s);
    return s;
  }

  // Stores the current record of a teacher this province owns: an update
  // (two B-tree descents with the lookup) or an insert.
  absl::Status Upsert(absl::string_view number, uint64_t seq,
                      absl::string_view bytes, int64_t cell, int64_t outlook,
                      uint64_t hash, int64_t id_key) {
    ASSIGN_OR_RETURN(Stored old, Lookup(number));
    const auto h = static_cast<int64_t>(hash);
    if (old.exists) {
      Count(number, old.cell, old.outlook, old.hash, -1);
      BindKey(update_.Bind(1, seq).BindBlobView(2, bytes), 3, id_key)
          .Bind(4, cell)
          .Bind(5, h)
          .Bind(6, outlook)
          .BindView(7, number);
      RETURN_IF_ERROR(update_.Run());
    } else {
      BindKey(insert_.BindView(1, number).Bind(2, seq).BindBlobView(3, bytes),
              4, id_key)
          .Bind(5, cell)
          .Bind(6, h)
          .Bind(7, outlook);
      RETURN_IF_ERROR(insert_.Run());
    }
    stored_[std::string(number)] = Stored{true, cell, outlook, hash, id_key};
    Count(number, cell, outlook, hash, +1);
    return Settled(number);
  }

  // Removes a teacher from the counted set (and anything held for it).
  absl::Status Remove(absl::string_view number) {
    ASSIGN_OR_RETURN(Stored old, Lookup(number));
    if (old.exists) {
      Count(number, old.cell, old.outlook, old.hash, -1);
      remove_.BindView(1, number);
      RETURN_IF_ERROR(remove_.Run());
      stored_[std::string(number)] = Stored{};
    }
    return Settled(number);
  }

  // Keeps the record of a teacher another province owns, uncounted.
  absl::Status Hold(absl::string_view number, uint64_t seq,
                    absl::string_view bytes) {
    ASSIGN_OR_RETURN(
        sql::Statement hold,
        db_.Prepare("INSERT INTO arrivals VALUES (?, ?, ?) "
                    "ON CONFLICT(teacher_number) DO UPDATE SET "
                    "seq = excluded.seq, record = excluded.record"));
    RETURN_IF_ERROR(hold.BindAll(number, seq).BindBlob(3, bytes).Run());
    any_held_ = true;
    return absl::OkStatus();
  }

  // Counts a stored record again and refreshes what is derived from it
  // (Rebuild).
  absl::Status Recount(absl::string_view number, int64_t cell, int64_t outlook,
                       uint64_t hash, int64_t id_key) {
    Count(number, cell, outlook, hash, +1);
    if (!set_key_) {
      ASSIGN_OR_RETURN(set_key_,
                       db_.Prepare("UPDATE teachers SET id_key = ?, cell = ?, "
                                   "hash = ?, outlook = ? "
                                   "WHERE teacher_number = ?"));
    }
    return BindKey(*set_key_, 1, id_key)
        .Bind(2, cell)
        .Bind(3, static_cast<int64_t>(hash))
        .Bind(4, outlook)
        .BindView(5, number)
        .Run();
  }

  // The rollup changes, for the in-memory rollup once the transaction
  // commits.
  std::vector<std::pair<int64_t, int64_t>> CellChanges() const {
    return {cells_.begin(), cells_.end()};
  }
  // The outlook's changes, likewise.
  std::vector<std::pair<int64_t, int64_t>> OutlookChanges() const {
    return {outlook_cells_.begin(), outlook_cells_.end()};
  }

  // Writes the rollup, outlook, digest and count changes.
  absl::Status Flush() {
    RETURN_IF_ERROR(FlushCells("rollup", cells_));
    RETURN_IF_ERROR(FlushCells("outlook", outlook_cells_));

    // SQLite has no XOR operator: a ^ b = (a | b) - (a & b).
    ASSIGN_OR_RETURN(
        sql::Statement grow,
        db_.Prepare(
            "INSERT INTO digests(bucket, teachers, hash) VALUES (?, ?, ?) "
            "ON CONFLICT(bucket) DO UPDATE SET "
            "teachers = teachers + excluded.teachers, "
            "hash = (hash | excluded.hash) - (hash & excluded.hash)"));
    ASSIGN_OR_RETURN(
        sql::Statement shrink,
        db_.Prepare("UPDATE digests SET teachers = teachers + ?2, "
                    "hash = (hash | ?3) - (hash & ?3) WHERE bucket = ?1"));
    ASSIGN_OR_RETURN(
        sql::Statement empty,
        db_.Prepare("DELETE FROM digests WHERE bucket = ? AND teachers = 0"));
    for (const auto& [bucket, d] : buckets_) {
      if (d.teachers == 0 && d.hash == 0) continue;
      if (d.teachers >= 0) {
        RETURN_IF_ERROR(
            grow.BindAll(bucket, d.teachers, static_cast<int64_t>(d.hash))
                .Run());
      } else {
        RETURN_IF_ERROR(
            shrink.BindAll(bucket, d.teachers, static_cast<int64_t>(d.hash))
                .Run());
        RETURN_IF_ERROR(empty.BindAll(bucket).Run());
      }
    }
    ASSIGN_OR_RETURN(
        sql::Statement records,
        db_.Prepare(
            "UPDATE sync_state SET records = records + ? WHERE id = 1"));
    return records.BindAll(net_records_).Run();
  }

 private:
  struct BucketDelta {
    int64_t teachers = 0;
    uint64_t hash = 0;
  };

  explicit WriteSet(sql::Database& db) : db_(db) {}

  // Adds count changes per cell to `table` (rollup or outlook).
  absl::Status FlushCells(
      const char* table, const absl::flat_hash_map<int64_t, int64_t>& changes) {
    if (changes.empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(
        sql::Statement add,
        db_.Prepare(absl::StrCat("INSERT INTO ", table,
                                 "(cell, teachers) VALUES (?, ?) "
                                 "ON CONFLICT(cell) DO UPDATE SET "
                                 "teachers = teachers + excluded.teachers")));
    // (The CHECK is evaluated on the would-be inserted row, so decrements
    // go through UPDATE.) Cells are nearly as many as teachers, so most
    // decrements empty their cell: that is one DELETE.
    ASSIGN_OR_RETURN(
        sql::Statement sub,
        db_.Prepare(absl::StrCat(
            "UPDATE ", table, " SET teachers = teachers + ? WHERE cell = ?")));
    ASSIGN_OR_RETURN(
        sql::Statement drop,
        db_.Prepare(absl::StrCat("DELETE FROM ", table,
                                 " WHERE cell = ? AND teachers = ?")));
    // In key order: neighbouring keys share pages, so each page is visited
    // once.
    std::vector<std::pair<int64_t, int64_t>> cells(changes.begin(),
                                                   changes.end());
    std::sort(cells.begin(), cells.end());
    for (const auto& [cell, d] : cells) {
      if (d > 0) {
        RETURN_IF_ERROR(add.BindAll(cell, d).Run());
      } else if (d < 0) {
        RETURN_IF_ERROR(drop.BindAll(cell, -d).Run());
        if (db_.Changes() == 0) RETURN_IF_ERROR(sub.BindAll(d, cell).Run());
      }
    }
    return absl::OkStatus();
  }

  static sql::Statement& BindKey(sql::Statement& s, int index, int64_t id_key) {
    return id_key == 0 ? s.BindNull(index) : s.Bind(index, id_key);
  }

  void Count(absl::string_view number, int64_t cell, int64_t outlook,
             uint64_t hash, int sign) {
    cells_[cell] += sign;
    outlook_cells_[outlook] += sign;
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
        ASSIGN_OR_RETURN(
            unhold_,
            db_.Prepare("DELETE FROM arrivals WHERE teacher_number = ?"));
      }
      RETURN_IF_ERROR(unhold_->BindAll(number).Run());
    }
    if (any_rejected_) {
      if (!resolve_) {
        ASSIGN_OR_RETURN(
            resolve_,
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
  absl::flat_hash_map<int64_t, int64_t> outlook_cells_;
  std::map<std::string, BucketDelta> buckets_;
  int64_t net_records_ = 0;
};

// Calls row(number, bytes, record) for every stored record, and
// unreadable(number) for one that does not parse; either may end the scan
// with an error.
template <typename Row, typename Unreadable>
absl::Status ScanRecords(sql::Database& db, Row&& row,
                         Unreadable&& unreadable) {
  ASSIGN_OR_RETURN(sql::Statement s,
                   db.Prepare("SELECT teacher_number, record FROM teachers"));
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

}  // namespace ntmis::national

#endif  // NTMIS_NATIONAL_INGEST_PROVINCE_DB_INTERNAL_H_
