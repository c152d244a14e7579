#include "national/province_db.h"

#include <ctime>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/record_validation.h"
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

-- Effective core records; the dimension columns feed the rollup.
CREATE TABLE teachers (
  teacher_number TEXT PRIMARY KEY,
  id_hash BLOB NOT NULL,
  school_code TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  city TEXT NOT NULL,
  county TEXT NOT NULL,
  school_category INTEGER NOT NULL,
  gender INTEGER NOT NULL,
  ethnicity INTEGER NOT NULL,
  education INTEGER NOT NULL,
  degree INTEGER NOT NULL,
  title INTEGER NOT NULL,
  post_type INTEGER NOT NULL,
  status INTEGER NOT NULL,
  employment_type INTEGER NOT NULL,
  record BLOB NOT NULL,
  seq INTEGER NOT NULL
) WITHOUT ROWID;

-- Teacher counts per combination of dimension values, maintained in the
-- same transaction as each batch.
CREATE TABLE rollup (
  city TEXT NOT NULL,
  county TEXT NOT NULL,
  school_category INTEGER NOT NULL,
  gender INTEGER NOT NULL,
  ethnicity INTEGER NOT NULL,
  education INTEGER NOT NULL,
  degree INTEGER NOT NULL,
  title INTEGER NOT NULL,
  post_type INTEGER NOT NULL,
  status INTEGER NOT NULL,
  employment_type INTEGER NOT NULL,
  teachers INTEGER NOT NULL CHECK (teachers >= 0),
  PRIMARY KEY (city, county, school_category, gender, ethnicity, education,
               degree, title, post_type, status, employment_type)
) WITHOUT ROWID;

CREATE TABLE rejections (
  seq INTEGER PRIMARY KEY,
  teacher_number TEXT NOT NULL,
  field TEXT NOT NULL,
  reason TEXT NOT NULL,
  at_unix INTEGER NOT NULL
);
)sql";

// The integer dimension columns of the rollup, in key order after city and
// county.
constexpr int kIntDims = 9;
constexpr const char* kDimColumns =
    "city, county, school_category, gender, ethnicity, education, degree, title, "
    "post_type, status, employment_type";

struct RollupKey {
  std::string city;
  std::string county;
  int v[kIntDims] = {};

  static RollupKey Of(const v1::TeacherRecord& r) {
    return {r.city_code(),
            r.county_code(),
            {r.school_category(), r.gender(), r.ethnicity(), r.education(), r.degree(),
             r.title(), r.post_type(), r.status(), r.employment_type()}};
  }
  // From columns 0..10 of a statement selecting kDimColumns.
  static RollupKey Of(const sql::Statement& s) {
    RollupKey k{s.ColumnText(0), s.ColumnText(1), {}};
    for (int i = 0; i < kIntDims; ++i) k.v[i] = static_cast<int>(s.ColumnInt(2 + i));
    return k;
  }
  void BindTo(sql::Statement& s, int first) const {
    s.Bind(first, city).Bind(first + 1, county);
    for (int i = 0; i < kIntDims; ++i) s.Bind(first + 2 + i, v[i]);
  }
  friend bool operator==(const RollupKey& a, const RollupKey& b) {
    return a.city == b.city && a.county == b.county &&
           std::equal(a.v, a.v + kIntDims, b.v);
  }
  template <typename H>
  friend H AbslHashValue(H h, const RollupKey& k) {
    return H::combine(H::combine_contiguous(std::move(h), k.v, kIntDims), k.city, k.county);
  }
};

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

absl::StatusOr<v1::PushAck> ProvinceDb::Apply(const v1::PushBatch& batch,
                                              size_t max_changes) {
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
  // conflict, then read (for the rollup) and replaced.
  ASSIGN_OR_RETURN(sql::Statement insert,
                   writer_.Prepare(absl::StrCat(
                       "INSERT INTO teachers(teacher_number, id_hash, school_code, "
                       "birth_date, record, seq, ", kDimColumns,
                       ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                       "ON CONFLICT(teacher_number) DO NOTHING")));
  ASSIGN_OR_RETURN(sql::Statement old_row,
                   writer_.Prepare(absl::StrCat("SELECT ", kDimColumns,
                                                " FROM teachers WHERE teacher_number = ?")));
  ASSIGN_OR_RETURN(sql::Statement replace,
                   writer_.Prepare(absl::StrCat(
                       "REPLACE INTO teachers(teacher_number, id_hash, school_code, "
                       "birth_date, record, seq, ",
                       kDimColumns, ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")));
  ASSIGN_OR_RETURN(sql::Statement remove,
                   writer_.Prepare("DELETE FROM teachers WHERE teacher_number = ?"));
  ASSIGN_OR_RETURN(sql::Statement reject,
                   writer_.Prepare("INSERT OR REPLACE INTO rejections VALUES (?,?,?,?,?)"));

  absl::flat_hash_map<RollupKey, int64_t> delta;
  int64_t net_records = 0;
  const int64_t now = std::time(nullptr);
  std::string bytes;
  for (const v1::Change& c : batch.changes()) {
    if (c.seq() <= static_cast<uint64_t>(cursor)) {
      ack.set_skipped(ack.skipped() + 1);
      continue;
    }
    if (c.has_record()) {
      std::vector<FieldProblem> problems = ValidateTeacherRecord(c.record());
      if (!problems.empty()) {
        v1::Rejection* r = ack.add_rejections();
        r->set_seq(c.seq());
        r->set_teacher_number(c.teacher_number());
        r->set_field(problems[0].field);
        r->set_reason(JoinProblems(problems));
        reject.BindAll(c.seq(), c.teacher_number(), r->field(), r->reason(), now);
        RETURN_IF_ERROR(reject.Run());
        continue;
      }
    }
    if (c.has_record()) {
      const v1::TeacherRecord& r = c.record();
      r.SerializeToString(&bytes);
      RollupKey key = RollupKey::Of(r);
      auto bind = [&](sql::Statement& s) {
        s.BindView(1, r.teacher_number()).BindBlobView(2, r.id_hash());
        s.BindView(3, r.school_code()).BindView(4, r.birth_date()).BindBlobView(5, bytes);
        s.Bind(6, c.seq());
        key.BindTo(s, 7);
      };
      bind(insert);
      RETURN_IF_ERROR(insert.Run());
      if (writer_.Changes() == 1) {
        ++net_records;
      } else {
        old_row.Bind(1, c.teacher_number());
        ASSIGN_OR_RETURN(bool existed, old_row.Step());
        if (existed) --delta[RollupKey::Of(old_row)];
        old_row.Reset();
        bind(replace);
        RETURN_IF_ERROR(replace.Run());
      }
      ++delta[key];
    } else {
      old_row.Bind(1, c.teacher_number());
      ASSIGN_OR_RETURN(bool existed, old_row.Step());
      if (existed) {
        --delta[RollupKey::Of(old_row)];
        --net_records;
      }
      old_row.Reset();
      if (existed) {
        remove.Bind(1, c.teacher_number());
        RETURN_IF_ERROR(remove.Run());
      }
    }
    ack.set_applied(ack.applied() + 1);
  }

  ASSIGN_OR_RETURN(sql::Statement add,
                   writer_.Prepare(absl::StrCat(
                       "INSERT INTO rollup(", kDimColumns,
                       ", teachers) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
                       "ON CONFLICT DO UPDATE SET teachers = teachers + excluded.teachers")));
  ASSIGN_OR_RETURN(sql::Statement sub,
                   writer_.Prepare(
                       "UPDATE rollup SET teachers = teachers + ? WHERE city = ? AND "
                       "county = ? AND school_category = ? AND gender = ? AND ethnicity = ? "
                       "AND education = ? AND degree = ? AND title = ? AND post_type = ? "
                       "AND status = ? AND employment_type = ?"));
  ASSIGN_OR_RETURN(sql::Statement drop,
                   writer_.Prepare(
                       "DELETE FROM rollup WHERE teachers = 0 AND city = ? AND "
                       "county = ? AND school_category = ? AND gender = ? AND ethnicity = ? "
                       "AND education = ? AND degree = ? AND title = ? AND post_type = ? "
                       "AND status = ? AND employment_type = ?"));
  for (const auto& [key, d] : delta) {
    if (d > 0) {
      key.BindTo(add, 1);
      add.Bind(12, d);
      RETURN_IF_ERROR(add.Run());
    } else if (d < 0) {
      sub.Bind(1, d);
      key.BindTo(sub, 2);
      RETURN_IF_ERROR(sub.Run());
      key.BindTo(drop, 1);
      RETURN_IF_ERROR(drop.Run());
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
    const std::function<void(const std::vector<std::string>&, uint64_t)>& row) {
  std::vector<std::string> columns;
  for (const Dimension* d : group_by) columns.push_back(d->column);
  std::string sql = absl::StrCat("SELECT ", columns.empty() ? "" : absl::StrJoin(columns, ", ") + ", ",
                                 "SUM(teachers) FROM rollup");
  std::vector<std::string> binds;
  std::vector<std::string> clauses;
  for (const DimensionFilter& f : where) {
    std::vector<std::string> marks(f.codes.size(), "?");
    clauses.push_back(absl::StrCat(f.dimension->column, " IN (", absl::StrJoin(marks, ","), ")"));
    binds.insert(binds.end(), f.codes.begin(), f.codes.end());
  }
  if (!clauses.empty()) absl::StrAppend(&sql, " WHERE ", absl::StrJoin(clauses, " AND "));
  if (!columns.empty()) absl::StrAppend(&sql, " GROUP BY ", absl::StrJoin(columns, ", "));

  absl::MutexLock lock(&read_mu_);
  ASSIGN_OR_RETURN(sql::Statement s, reader_.Prepare(sql));
  int index = 0;
  size_t bind_i = 0;
  for (const DimensionFilter& f : where) {
    for (size_t i = 0; i < f.codes.size(); ++i, ++bind_i) {
      // Unit codes compare as text, code-table values as integers.
      if (f.dimension->table != nullptr) {
        s.Bind(++index, static_cast<int64_t>(std::stoll(binds[bind_i])));
      } else {
        s.Bind(++index, binds[bind_i]);
      }
    }
  }
  std::vector<std::string> keys(columns.size());
  while (true) {
    ASSIGN_OR_RETURN(bool has, s.Step());
    if (!has) break;
    if (s.ColumnIsNull(static_cast<int>(columns.size()))) continue;  // empty SUM
    for (size_t i = 0; i < columns.size(); ++i) keys[i] = s.ColumnText(static_cast<int>(i));
    row(keys, static_cast<uint64_t>(s.ColumnInt(static_cast<int>(columns.size()))));
  }
  return absl::OkStatus();
}

}  // namespace ntmis::national
