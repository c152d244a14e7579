#include "national/province_db.h"

#include <algorithm>
#include <ctime>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/record_validation.h"
#include "common/teacher_number.h"
#include "common/status_macros.h"

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

-- Teacher counts per rollup cell (national/dimensions.h packs a record's
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

std::string JoinProblems(const std::vector<FieldProblem>& problems) {
  return absl::StrJoin(problems, "; ", [](std::string* out, const FieldProblem& p) {
    absl::StrAppend(out, p.field, "='", p.value, "': ", p.rule);
  });
}

}  // namespace

absl::StatusOr<std::unique_ptr<ProvinceDb>> ProvinceDb::Open(const std::string& path,
                                                             const std::string& province) {
  sql::OpenOptions options;
  options.cache_size = -131072;  // 128 MiB
  options.wal_autocheckpoint_pages = 16384;  // 64 MiB of WAL between checkpoints
  ASSIGN_OR_RETURN(sql::Database writer, sql::Database::Open(path, options));
  RETURN_IF_ERROR(sql::Migrate(writer, {kSchema}));
  ASSIGN_OR_RETURN(sql::Statement init,
                   writer.Prepare("INSERT OR IGNORE INTO sync_state VALUES "
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
  options.cache_size = -16384;
  ASSIGN_OR_RETURN(sql::Database reader, sql::Database::Open(path, options));
  return std::unique_ptr<ProvinceDb>(
      new ProvinceDb(province, std::move(writer), std::move(reader)));
}

absl::StatusOr<ProvinceState> ProvinceDb::State() {
  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(sql::Statement s,
                   reader_.Prepare("SELECT applied_seq, records, last_sync_unix, "
                                   "last_result, (SELECT COUNT(*) FROM rejections) "
                                   "FROM sync_state WHERE id = 1"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return absl::DataLossError("sync_state row missing");
  return ProvinceState{static_cast<uint64_t>(s.ColumnInt(0)),
                       static_cast<uint64_t>(s.ColumnInt(1)), s.ColumnInt(2),
                       s.ColumnText(3), static_cast<uint64_t>(s.ColumnInt(4))};
}

absl::StatusOr<PreparedBatch> ProvinceDb::Prepare(v1::PushBatch batch,
                                                  size_t max_changes) const {
  // Shape checks first: nothing is written for a batch that fails them.
  if (batch.changes_size() == 0) return absl::InvalidArgumentError("empty batch");
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
  }
  prepared.batch = std::move(batch);
  return prepared;
}

absl::StatusOr<v1::PushAck> ProvinceDb::Apply(const v1::PushBatch& batch,
                                              size_t max_changes) {
  ASSIGN_OR_RETURN(PreparedBatch prepared, Prepare(batch, max_changes));
  return Apply(prepared);
}

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

  // A new teacher is one insert; an existing one is found by the insert's
  // conflict, and its old record read (for the rollup) and replaced.
  ASSIGN_OR_RETURN(sql::Statement insert,
                   writer_.Prepare("INSERT INTO teachers(teacher_number, seq, record) "
                                   "VALUES (?, ?, ?) ON CONFLICT(teacher_number) DO NOTHING"));
  ASSIGN_OR_RETURN(sql::Statement old_row,
                   writer_.Prepare("SELECT record FROM teachers WHERE teacher_number = ?"));
  ASSIGN_OR_RETURN(sql::Statement update,
                   writer_.Prepare("UPDATE teachers SET seq = ?, record = ? "
                                   "WHERE teacher_number = ?"));
  ASSIGN_OR_RETURN(sql::Statement remove,
                   writer_.Prepare("DELETE FROM teachers WHERE teacher_number = ?"));
  ASSIGN_OR_RETURN(sql::Statement reject,
                   writer_.Prepare("INSERT OR REPLACE INTO rejections VALUES (?,?,?,?,?)"));
  // The cell of the stored record of a teacher, if there is one.
  v1::TeacherRecord old_record;
  auto old_cell = [&](const std::string& number) -> absl::StatusOr<std::optional<int64_t>> {
    old_row.Bind(1, number);
    ASSIGN_OR_RETURN(bool existed, old_row.Step());
    std::optional<int64_t> cell;
    if (existed) {
      absl::string_view blob = old_row.ColumnBlob(0);
      if (!old_record.ParseFromArray(blob.data(), static_cast<int>(blob.size()))) {
        old_row.Reset();
        return absl::DataLossError(absl::StrCat("stored record of ", number, " is unreadable"));
      }
      cell = CellOf(old_record);
    }
    old_row.Reset();
    return cell;
  };

  absl::flat_hash_map<int64_t, int64_t> delta;  // rollup cell -> change
  int64_t net_records = 0;
  const int64_t now = std::time(nullptr);
  for (int i = 0; i < batch.changes_size(); ++i) {
    const v1::Change& c = batch.changes(i);
    const PreparedChange& p = prepared.changes[i];
    if (c.seq() <= static_cast<uint64_t>(cursor)) {
      ack.set_skipped(ack.skipped() + 1);
      continue;
    }
    if (!p.rejected_field.empty()) {
      v1::Rejection* r = ack.add_rejections();
      r->set_seq(c.seq());
      r->set_teacher_number(c.teacher_number());
      r->set_field(p.rejected_field);
      r->set_reason(p.rejected_reason);
      reject.BindAll(c.seq(), c.teacher_number(), r->field(), r->reason(), now);
      RETURN_IF_ERROR(reject.Run());
      continue;
    }
    if (c.has_record()) {
      insert.BindView(1, c.teacher_number()).Bind(2, c.seq()).BindBlobView(3, p.bytes);
      RETURN_IF_ERROR(insert.Run());
      if (writer_.Changes() == 1) {
        ++net_records;
      } else {
        ASSIGN_OR_RETURN(std::optional<int64_t> old, old_cell(c.teacher_number()));
        if (old) --delta[*old];
        update.Bind(1, c.seq()).BindBlobView(2, p.bytes).BindView(3, c.teacher_number());
        RETURN_IF_ERROR(update.Run());
      }
      ++delta[p.cell];
    } else {
      ASSIGN_OR_RETURN(std::optional<int64_t> old, old_cell(c.teacher_number()));
      if (old) {
        --delta[*old];
        --net_records;
        remove.Bind(1, c.teacher_number());
        RETURN_IF_ERROR(remove.Run());
      }
    }
    ack.set_applied(ack.applied() + 1);
  }

  ASSIGN_OR_RETURN(sql::Statement add,
                   writer_.Prepare("INSERT INTO rollup(cell, teachers) VALUES (?, ?) "
                                   "ON CONFLICT(cell) DO UPDATE SET "
                                   "teachers = teachers + excluded.teachers"));
  // (The CHECK is evaluated on the would-be inserted row, so decrements
  // go through UPDATE.)
  ASSIGN_OR_RETURN(sql::Statement sub,
                   writer_.Prepare("UPDATE rollup SET teachers = teachers + ? WHERE cell = ?"));
  ASSIGN_OR_RETURN(sql::Statement drop,
                   writer_.Prepare("DELETE FROM rollup WHERE cell = ? AND teachers = 0"));
  // In cell order: neighbouring cells share pages, so each page is visited once.
  std::vector<std::pair<int64_t, int64_t>> changes(delta.begin(), delta.end());
  std::sort(changes.begin(), changes.end());
  for (const auto& [cell, d] : changes) {
    if (d > 0) {
      RETURN_IF_ERROR(add.BindAll(cell, d).Run());
    } else if (d < 0) {
      RETURN_IF_ERROR(sub.BindAll(d, cell).Run());
      RETURN_IF_ERROR(drop.BindAll(cell).Run());
    }
  }
  ASSIGN_OR_RETURN(sql::Statement state,
                   writer_.Prepare("UPDATE sync_state SET applied_seq = ?, records = "
                                   "records + ?, last_sync_unix = ?, last_result = 'ok' "
                                   "WHERE id = 1"));
  RETURN_IF_ERROR(state.BindAll(last, net_records, now).Run());
  RETURN_IF_ERROR(txn.Commit());
  ack.set_applied_seq(last);
  return ack;
}

absl::Status ProvinceDb::RecordFailure(const std::string& result) {
  absl::MutexLock lock(&write_mu_);
  ASSIGN_OR_RETURN(sql::Statement s,
                   writer_.Prepare("UPDATE sync_state SET last_sync_unix = ?, "
                                   "last_result = ? WHERE id = 1"));
  return s.BindAll(static_cast<int64_t>(std::time(nullptr)), result).Run();
}

absl::Status ProvinceDb::Aggregate(
    const std::vector<const Dimension*>& group_by,
    const std::vector<DimensionFilter>& where,
    const std::function<void(const std::vector<int64_t>&, uint64_t)>& row) {
  auto field = [](const Dimension* d) {
    return absl::StrCat("((cell >> ", d->shift, ") & ", d->mask(), ")");
  };
  std::vector<std::string> columns, clauses;
  for (const Dimension* d : group_by) columns.push_back(field(d));
  for (const DimensionFilter& f : where) {
    clauses.push_back(absl::StrCat(field(f.dimension), " IN (", absl::StrJoin(f.values, ","), ")"));
  }
  std::string sql = absl::StrCat("SELECT ", absl::StrJoin(columns, ", "),
                                 columns.empty() ? "" : ", ", "SUM(teachers) FROM rollup");
  if (!clauses.empty()) absl::StrAppend(&sql, " WHERE ", absl::StrJoin(clauses, " AND "));
  if (!columns.empty()) absl::StrAppend(&sql, " GROUP BY ", absl::StrJoin(columns, ", "));

  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(sql::Statement s, reader_.Prepare(sql));
  std::vector<int64_t> keys(columns.size());
  const int n = static_cast<int>(columns.size());
  while (true) {
    ASSIGN_OR_RETURN(bool has, s.Step());
    if (!has) break;
    if (s.ColumnIsNull(n)) continue;  // SUM over no cells
    for (int i = 0; i < n; ++i) keys[i] = s.ColumnInt(i);
    row(keys, static_cast<uint64_t>(s.ColumnInt(n)));
  }
  return absl::OkStatus();
}

}  // namespace ntmis::national
