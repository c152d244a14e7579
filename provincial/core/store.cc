#include "provincial/core/store.h"

#include <sqlite3.h>

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/audit/audit_log.h"
#include "common/base/status_macros.h"
#include "common/crypto/crypto.h"
#include "ntmis/v1/teacher.pb.h"
#include "provincial/core/meta_keys.h"

namespace ntmis::provincial {
namespace {

std::vector<std::string> Migrations() {
  return {
      // 1: units, accounts, teachers, outbox, sync state, audit.
      absl::StrCat(R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

-- Province (level 1) > city (2) > county (3) > school (4).
CREATE TABLE units (
  code TEXT PRIMARY KEY,
  parent_code TEXT REFERENCES units(code),
  level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
  name TEXT NOT NULL,
  school_category INTEGER,          -- schools only
  closed INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  unit_code TEXT NOT NULL REFERENCES units(code),
  role TEXT NOT NULL CHECK (role IN ('sysadmin', 'manager', 'querier')),
  password_hash TEXT NOT NULL,
  must_change_password INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until_unix INTEGER NOT NULL DEFAULT 0,
  created_unix INTEGER NOT NULL
);

CREATE TABLE sessions (
  token_hash BLOB PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  expires_unix INTEGER NOT NULL,
  last_used_unix INTEGER NOT NULL
) WITHOUT ROWID;

-- One row per person; `record` is the current ntmis.v1.TeacherRecord.
-- The ID-card number is stored only sealed (AES-256-GCM, node key) and as a
-- keyed hash (federation key) for uniqueness and national look-ups.
CREATE TABLE teachers (
  teacher_number TEXT PRIMARY KEY,
  id_hash BLOB NOT NULL UNIQUE,
  id_sealed BLOB NOT NULL,
  school_code TEXT NOT NULL REFERENCES units(code),
  state TEXT NOT NULL,
  record BLOB NOT NULL,
  version INTEGER NOT NULL,
  updated_unix INTEGER NOT NULL
) WITHOUT ROWID;

-- Filled in the same transaction that makes a change effective. seq is the
-- rowid: max + 1, dense and increasing. Pruning acknowledged entries must
-- keep the newest row, so that a number is never handed out twice.
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY,
  teacher_number TEXT NOT NULL,
  op INTEGER NOT NULL
);

CREATE TABLE sync_rejections (
  seq INTEGER PRIMARY KEY,
  teacher_number TEXT NOT NULL,
  field TEXT NOT NULL,
  reason TEXT NOT NULL,
  at_unix INTEGER NOT NULL
);

CREATE TABLE sync_runs (
  id INTEGER PRIMARY KEY,
  started_unix INTEGER NOT NULL,
  finished_unix INTEGER NOT NULL,
  sent INTEGER NOT NULL,
  applied INTEGER NOT NULL,
  rejected INTEGER NOT NULL,
  acked_seq INTEGER NOT NULL,
  result TEXT NOT NULL
);
)sql",
                   AuditLog::kSchema),
      // 2: tombstones that complete a transfer name the receiving province.
      "ALTER TABLE outbox ADD COLUMN moved_to INTEGER NOT NULL DEFAULT 0;",
      // 3: one person, one number across provinces
      // (provincial/sync/identities.h):
      // teachers created while the national registry could not answer, and
      // the conflicts the national node reports.
      R"sql(
ALTER TABLE teachers ADD COLUMN provisional INTEGER NOT NULL DEFAULT 0;
CREATE INDEX teachers_provisional ON teachers(teacher_number) WHERE provisional = 1;
CREATE TABLE identity_conflicts (
  kind TEXT NOT NULL,
  teacher_number TEXT NOT NULL,
  province TEXT NOT NULL,
  existing_number TEXT NOT NULL,
  existing_province TEXT NOT NULL,
  detected_unix INTEGER NOT NULL
);
)sql",
      // 4: this province's part of the national school registry
      // (provincial/sync/reference_data.h).
      R"sql(
CREATE TABLE school_registry (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  county_code TEXT NOT NULL,
  school_category INTEGER NOT NULL,
  closed INTEGER NOT NULL,
  version INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
      // 5: accounts of every role including teachers' self-service; the
      // review workflow; every superseded version of a teacher record kept
      // (the current one is the teachers row with who made it and why).
      // Sessions end: the users table is rebuilt for its new role check.
      R"sql(
CREATE TABLE users_v5 (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  unit_code TEXT NOT NULL REFERENCES units(code),
  role TEXT NOT NULL CHECK (role IN ('sysadmin', 'manager', 'querier', 'teacher')),
  teacher_number TEXT UNIQUE,
  password_hash TEXT NOT NULL,
  must_change_password INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until_unix INTEGER NOT NULL DEFAULT 0,
  created_unix INTEGER NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0
);
INSERT INTO users_v5(id, username, unit_code, role, password_hash, must_change_password,
                     failed_logins, locked_until_unix, created_unix)
  SELECT id, username, unit_code, role, password_hash, must_change_password,
         failed_logins, locked_until_unix, created_unix FROM users;
DELETE FROM sessions;
DROP TABLE users;
ALTER TABLE users_v5 RENAME TO users;
CREATE INDEX users_unit ON users(unit_code, role);

ALTER TABLE teachers ADD COLUMN changed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE teachers ADD COLUMN change_action TEXT NOT NULL DEFAULT 'import';
ALTER TABLE teachers ADD COLUMN change_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE teachers ADD COLUMN approved_by TEXT NOT NULL DEFAULT '';
CREATE INDEX teachers_school ON teachers(school_code, state);
CREATE INDEX teachers_pending ON teachers(school_code, state, updated_unix)
  WHERE state IN ('submitted', 'school_approved', 'returned');

-- A version is copied here, with who made it, when it is superseded.
CREATE TABLE teacher_versions (
  teacher_number TEXT NOT NULL,
  version INTEGER NOT NULL,
  state TEXT NOT NULL,
  school_code TEXT NOT NULL,
  record BLOB NOT NULL,
  changed_by TEXT NOT NULL,
  change_action TEXT NOT NULL,
  change_reason TEXT NOT NULL,
  approved_by TEXT NOT NULL,
  at_unix INTEGER NOT NULL,
  PRIMARY KEY (teacher_number, version)
) WITHOUT ROWID;

-- Changes to effective records waiting for a decision.
CREATE TABLE change_requests (
  id INTEGER PRIMARY KEY,
  teacher_number TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('addition', 'change')),
  fields BLOB NOT NULL,
  base_version INTEGER NOT NULL,
  reviewer_unit TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
  requested_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  requested_unix INTEGER NOT NULL,
  decided_by TEXT NOT NULL DEFAULT '',
  decision_reason TEXT NOT NULL DEFAULT '',
  decided_unix INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX change_requests_pending ON change_requests(reviewer_unit, requested_unix)
  WHERE state = 'pending';
CREATE INDEX change_requests_teacher ON change_requests(teacher_number);
CREATE INDEX audit_actor ON audit(actor, id);
)sql",
      // 6: the information categories (provincial/core/categories.h): entries
      // with every superseded version kept, the province's custom
      // indicators, and change requests about entries.
      R"sql(
CREATE TABLE custom_indicators (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  definition BLOB NOT NULL,          -- ntmis.v1.FieldDef
  defined_by TEXT NOT NULL,
  defined_unix INTEGER NOT NULL
);
CREATE TABLE teacher_entries (
  teacher_number TEXT NOT NULL,
  category TEXT NOT NULL,
  entry_no INTEGER NOT NULL,
  entry_values BLOB NOT NULL,        -- ntmis.v1.EntryValues
  deleted INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL,
  changed_by TEXT NOT NULL,
  change_action TEXT NOT NULL,
  change_reason TEXT NOT NULL,
  approved_by TEXT NOT NULL,
  updated_unix INTEGER NOT NULL,
  PRIMARY KEY (teacher_number, category, entry_no)
) WITHOUT ROWID;
CREATE TABLE entry_versions (
  teacher_number TEXT NOT NULL,
  category TEXT NOT NULL,
  entry_no INTEGER NOT NULL,
  version INTEGER NOT NULL,
  entry_values BLOB NOT NULL,
  deleted INTEGER NOT NULL,
  changed_by TEXT NOT NULL,
  change_action TEXT NOT NULL,
  change_reason TEXT NOT NULL,
  approved_by TEXT NOT NULL,
  at_unix INTEGER NOT NULL,
  PRIMARY KEY (teacher_number, category, entry_no, version)
) WITHOUT ROWID;
ALTER TABLE change_requests ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE change_requests ADD COLUMN entry_no INTEGER NOT NULL DEFAULT 0;
ALTER TABLE change_requests ADD COLUMN delete_entry INTEGER NOT NULL DEFAULT 0;
)sql",
      // 7: failed logins per account and source address
      // (provincial/core/logins.h):
      // five from one address lock the account for that address only. The
      // users table's failed_logins and locked_until_unix are no longer used.
      R"sql(
CREATE TABLE login_failures (
  user_id INTEGER NOT NULL REFERENCES users(id),
  source TEXT NOT NULL,
  failures INTEGER NOT NULL,
  locked_until_unix INTEGER NOT NULL,
  last_failure_unix INTEGER NOT NULL,
  PRIMARY KEY (user_id, source)
) WITHOUT ROWID;
UPDATE users SET failed_logins = 0, locked_until_unix = 0;
)sql",
      // 8: careers (provincial/core/careers.h): transfers, status changes
      // and rotations as cases decided step by step; the case itself is the
      // CareerCase in `record`, the columns are what lists and scope ask.
      // An open transfer locks its teacher (teachers.locked_case).
      R"sql(
ALTER TABLE teachers ADD COLUMN locked_case INTEGER NOT NULL DEFAULT 0;
CREATE TABLE career_cases (
  id INTEGER PRIMARY KEY,
  kind INTEGER NOT NULL,
  teacher_number TEXT NOT NULL,
  state TEXT NOT NULL,
  waiting_unit TEXT NOT NULL,
  from_school TEXT NOT NULL,
  to_school TEXT NOT NULL,
  from_county TEXT NOT NULL,
  to_county TEXT NOT NULL,
  from_city TEXT NOT NULL,
  to_city TEXT NOT NULL,
  filed_unit TEXT NOT NULL,
  filed_unix INTEGER NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  record BLOB NOT NULL
);
CREATE UNIQUE INDEX career_one_open ON career_cases(teacher_number) WHERE state = 'open';
CREATE INDEX career_waiting ON career_cases(waiting_unit, id) WHERE state = 'open';
CREATE INDEX career_by_teacher ON career_cases(teacher_number, id);
CREATE INDEX career_by_kind ON career_cases(kind, state, id);
)sql",
      // 9: transfers between provinces (provincial/core/careers.h): the
      // other province's case, and the mail the sync hands to the national
      // node's relay.
      R"sql(
ALTER TABLE career_cases ADD COLUMN remote_province TEXT NOT NULL DEFAULT '';
ALTER TABLE career_cases ADD COLUMN remote_case INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX career_remote ON career_cases(remote_province, remote_case)
  WHERE remote_province != '';
CREATE TABLE transfer_mail_out (
  id INTEGER PRIMARY KEY,
  message BLOB NOT NULL
);
)sql",
      // 10: the name beside the record, and a narrow index of (number,
      // name), so that a search by name at the province reads 25 bytes a
      // teacher, not a million records (issue 29). It is in teacher-number
      // order, which the import appends in: an index by name would be
      // written at random places and cost the import a quarter of its
      // speed (docs/benchmarks.md).
      R"sql(
ALTER TABLE teachers ADD COLUMN name TEXT NOT NULL DEFAULT '';
UPDATE teachers SET name = teacher_name(record);
CREATE INDEX teachers_name ON teachers(teacher_number, name);
)sql",
      // 11: the partial index of records in review, its condition spelled
      // as equalities. SQLite evaluates a list `state IN (a, b, c)` on every
      // insert by building a temporary table of the list: 12% of a teacher
      // import's time (issue 30, docs/benchmarks.md). Queries name one
      // state (`state = 'submitted'`), which implies the OR as it implied
      // the list, so the same queries use the index.
      R"sql(
DROP INDEX teachers_pending;
CREATE INDEX teachers_pending ON teachers(school_code, state, updated_unix)
  WHERE state = 'submitted' OR state = 'school_approved' OR state = 'returned';
)sql",
  };
}

}  // namespace

absl::StatusOr<Store> Store::Open(const std::string& path, bool create,
                                  StoreOptions store_options) {
  if (!create && !std::filesystem::exists(path)) {
    return absl::NotFoundError(absl::StrCat(
        path, " does not exist: run `ntmis-provincial init` first"));
  }
  sql::OpenOptions options;
  options.create = create;
  options.cache_size = -1024 * store_options.cache_mib;
  options.page_size = 16384;
  options.wal_autocheckpoint_pages = kWalCheckpointPages;  // 64 MiB of WAL
  options.mmap_size = int64_t{1}
                      << 34;  // sync reads current records at random places
  ASSIGN_OR_RETURN(sql::Database db, sql::Database::Open(path, options));
  // teacher_name(record): the name in a stored record (migration 10).
  const int rc = sqlite3_create_function_v2(
      db.handle(), "teacher_name", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
      nullptr,
      [](sqlite3_context* context, int, sqlite3_value** args) {
        v1::TeacherRecord record;
        record.ParseFromArray(sqlite3_value_blob(args[0]),
                              sqlite3_value_bytes(args[0]));
        sqlite3_result_text(context, record.name().data(),
                            static_cast<int>(record.name().size()),
                            SQLITE_TRANSIENT);
      },
      nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK)
    return absl::InternalError("cannot register teacher_name()");
  RETURN_IF_ERROR(sql::Migrate(db, Migrations()));
  return Store(std::move(db));
}

namespace {
// Marks a sealed value: no serialized message starts with a zero byte (field
// number 0 does not exist), so older clear values are told apart.
constexpr absl::string_view kSealedMark("\0S1", 3);
}  // namespace

absl::StatusOr<std::string> Store::SealAtRest(absl::string_view plain) const {
  if (seal_key_.empty()) {
    return absl::FailedPreconditionError(
        "this connection has no sealing key (pii_key): personal details are "
        "stored sealed");
  }
  ASSIGN_OR_RETURN(std::string sealed, crypto::Seal(seal_key_, plain));
  return absl::StrCat(kSealedMark, sealed);
}

absl::StatusOr<std::string> Store::OpenAtRest(absl::string_view stored) const {
  if (!absl::StartsWith(stored, kSealedMark)) return std::string(stored);
  if (seal_key_.empty()) {
    return absl::FailedPreconditionError(
        "this connection has no sealing key (pii_key): personal details are "
        "stored sealed");
  }
  absl::StatusOr<std::string> plain =
      crypto::Open(seal_key_, stored.substr(kSealedMark.size()));
  if (!plain.ok()) {
    return absl::DataLossError(
        "a sealed value does not open under this node's pii_key (another key, "
        "or damaged)");
  }
  return plain;
}

absl::Status Store::SealStoredValues() {
  ASSIGN_OR_RETURN(int64_t done, GetMetaInt(meta::kSealedAtRest, 0));
  if (done == 1) return absl::OkStatus();
  ASSIGN_OR_RETURN(sql::Transaction txn, sql::Transaction::Begin(db_));
  struct Clear {
    const char* table;
    const char* column;
    std::vector<const char*> key;  // the primary key's columns
  };
  for (const Clear& c :
       {Clear{"teacher_entries",
              "entry_values",
              {"teacher_number", "category", "entry_no"}},
        Clear{"entry_versions",
              "entry_values",
              {"teacher_number", "category", "entry_no", "version"}},
        Clear{"change_requests", "fields", {"id"}}}) {
    const std::string key = absl::StrJoin(c.key, ", ");
    std::string where;
    for (const char* column : c.key)
      absl::StrAppend(&where, where.empty() ? "" : " AND ", column, " = ?");
    ASSIGN_OR_RETURN(sql::Statement clear,
                     db_.Prepare(absl::StrCat(
                         "SELECT ", c.column, ", ", key, " FROM ", c.table,
                         " WHERE substr(", c.column, ", 1, 1) != x'00'")));
    ASSIGN_OR_RETURN(sql::Statement seal,
                     db_.Prepare(absl::StrCat("UPDATE ", c.table, " SET ",
                                              c.column, " = ? WHERE ", where)));
    // Rows read first, then sealed: SQLite may not change a table under a
    // running SELECT of it.
    struct Row {
      std::string value;
      std::vector<std::string> key;
    };
    std::vector<Row> rows;
    RETURN_IF_ERROR(clear.ForEachRow([&] {
      Row row{std::string(clear.ColumnBlob(0)), {}};
      for (size_t i = 0; i < c.key.size(); ++i)
        row.key.push_back(clear.ColumnText(static_cast<int>(i) + 1));
      rows.push_back(std::move(row));
    }));
    for (const Row& row : rows) {
      ASSIGN_OR_RETURN(std::string sealed, SealAtRest(row.value));
      seal.Reset();
      seal.BindBlob(1, sealed);
      for (size_t i = 0; i < row.key.size(); ++i)
        seal.Bind(static_cast<int>(i) + 2, row.key[i]);
      RETURN_IF_ERROR(seal.Run());
    }
  }
  RETURN_IF_ERROR(SetMeta(meta::kSealedAtRest, "1"));
  return txn.Commit();
}

absl::StatusOr<std::string> Store::GetMeta(const std::string& key,
                                           const std::string& fallback) {
  ASSIGN_OR_RETURN(sql::Statement stmt,
                   db_.Prepare("SELECT value FROM meta WHERE key = ?"));
  stmt.BindAll(key);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.ColumnText(0) : fallback;
}

absl::Status Store::SetMeta(const std::string& key, const std::string& value) {
  ASSIGN_OR_RETURN(
      sql::Statement stmt,
      db_.Prepare("INSERT INTO meta(key, value) VALUES (?, ?) "
                  "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
  return stmt.BindAll(key, value).Run();
}

absl::StatusOr<int64_t> Store::GetMetaInt(const std::string& key,
                                          int64_t fallback) {
  ASSIGN_OR_RETURN(std::string text, GetMeta(key, absl::StrCat(fallback)));
  int64_t value;
  if (!absl::SimpleAtoi(text, &value))
    return absl::DataLossError(absl::StrCat("meta ", key, " is not a number"));
  return value;
}

absl::Status Store::SetProvince(const std::string& province) {
  ASSIGN_OR_RETURN(std::string current, GetMeta(meta::kProvince, ""));
  if (!current.empty() && current != province) {
    return absl::FailedPreconditionError(absl::StrCat(
        db_.path(), " belongs to province ", current, ", not ", province));
  }
  return SetMeta(meta::kProvince, province);
}

absl::StatusOr<std::string> Store::PeekProvince(const std::string& path) {
  sql::OpenOptions read_only;
  read_only.read_only = true;
  ASSIGN_OR_RETURN(sql::Database db, sql::Database::Open(path, read_only));
  ASSIGN_OR_RETURN(sql::Statement meta,
                   db.Prepare("SELECT value FROM meta WHERE key = ?"));
  ASSIGN_OR_RETURN(bool row, meta.BindAll(meta::kProvince).Step());
  return row ? meta.ColumnText(0) : std::string();
}

absl::StatusOr<std::string> Store::Province() {
  ASSIGN_OR_RETURN(std::string province, GetMeta(meta::kProvince, ""));
  if (province.empty())
    return absl::NotFoundError(
        "database not initialised: run `ntmis-provincial init`");
  return province;
}

absl::Status Store::AppendOutbox(const std::string& teacher_number, OutboxOp op,
                                 int moved_to) {
  if (!outbox_insert_) {
    ASSIGN_OR_RETURN(outbox_insert_,
                     db_.Prepare("INSERT INTO outbox(teacher_number, op, "
                                 "moved_to) VALUES (?, ?, ?)"));
  }
  return outbox_insert_->BindAll(teacher_number, static_cast<int>(op), moved_to)
      .Run();
}

absl::StatusOr<uint64_t> Store::OutboxEnd() {
  ASSIGN_OR_RETURN(int64_t end, db_.QueryInt("SELECT MAX(seq) FROM outbox"));
  return static_cast<uint64_t>(end);
}

}  // namespace ntmis::provincial
