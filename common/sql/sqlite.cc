#include "common/sql/sqlite.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/base/status_macros.h"

namespace ntmis::sql {

absl::Status SqliteError(sqlite3* db, int rc, absl::string_view what) {
  std::string message =
      absl::StrCat(what, ": ", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(message);
    case SQLITE_CONSTRAINT:
      return absl::AlreadyExistsError(message);
    case SQLITE_CANTOPEN:
    case SQLITE_NOTFOUND:
      return absl::NotFoundError(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(message);
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      return absl::ResourceExhaustedError(message);
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return absl::PermissionDeniedError(message);
    default:
      return absl::InternalError(message);
  }
}

// ---- Statement ----

Statement& Statement::NoteBind(int rc) {
  if (rc != SQLITE_OK && bind_error_.ok())
    bind_error_ = SqliteError(db_, rc, "bind");
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  return NoteBind(rc);
}

Statement& Statement::Bind(int index, double value) {
  int rc = sqlite3_bind_double(stmt_.get(), index, value);
  return NoteBind(rc);
}

Statement& Statement::Bind(int index, absl::string_view text) {
  int rc = sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(),
                               SQLITE_TRANSIENT, SQLITE_UTF8);
  return NoteBind(rc);
}

Statement& Statement::BindBlob(int index, absl::string_view bytes) {
  int rc = sqlite3_bind_blob64(stmt_.get(), index, bytes.data(), bytes.size(),
                               SQLITE_TRANSIENT);
  return NoteBind(rc);
}

Statement& Statement::BindView(int index, absl::string_view text) {
  int rc = sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(),
                               SQLITE_STATIC, SQLITE_UTF8);
  return NoteBind(rc);
}

Statement& Statement::BindBlobView(int index, absl::string_view bytes) {
  int rc = sqlite3_bind_blob64(stmt_.get(), index, bytes.data(), bytes.size(),
                               SQLITE_STATIC);
  return NoteBind(rc);
}

Statement& Statement::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_.get(), index);
  return NoteBind(rc);
}

// ---- StatementCache ----

StatementCache::~StatementCache() {
  for (auto& [sql, stmts] : idle_) {
    for (sqlite3_stmt* stmt : stmts) sqlite3_finalize(stmt);
  }
}

sqlite3_stmt* StatementCache::Take(absl::string_view sql) {
  auto it = idle_.find(sql);
  if (it == idle_.end() || it->second.empty()) return nullptr;
  sqlite3_stmt* stmt = it->second.back();
  it->second.pop_back();
  return stmt;
}

void StatementCache::Give(sqlite3_stmt* stmt) {
  absl::string_view sql = sqlite3_sql(stmt);
  auto it = idle_.find(sql);
  if (it == idle_.end()) {
    if (idle_.size() >= kMaxTexts) {
      sqlite3_finalize(stmt);
      return;
    }
    it = idle_.emplace(std::string(sql), std::vector<sqlite3_stmt*>()).first;
  }
  if (it->second.size() >= kMaxPerText) {
    sqlite3_finalize(stmt);
    return;
  }
  it->second.push_back(stmt);
}

// ---- Statement ----

void Statement::Finalizer::operator()(sqlite3_stmt* stmt) const {
  std::shared_ptr<StatementCache> to = cache.lock();
  if (to == nullptr) {
    sqlite3_finalize(stmt);
    return;
  }
  // A statement left mid-way (an early return out of a row loop) ends its
  // read here, and bound views do not outlive their callers.
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  to->Give(stmt);
}

absl::StatusOr<bool> Statement::Step() {
  if (!bind_error_.ok()) return bind_error_;
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, rc, sqlite3_sql(stmt_.get()));
}

absl::Status Statement::Run() {
  // Reset on failure too: a prepared statement kept for reuse (an outbox
  // insert that a constraint refused) must be usable for the next call.
  absl::StatusOr<bool> row = Step();
  Reset();
  return row.status();
}

void Statement::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
  bind_error_ = absl::OkStatus();
}

int64_t Statement::ColumnInt(int col) const {
  return sqlite3_column_int64(stmt_.get(), col);
}

double Statement::ColumnDouble(int col) const {
  return sqlite3_column_double(stmt_.get(), col);
}

std::string Statement::ColumnText(int col) const {
  const unsigned char* text = sqlite3_column_text(stmt_.get(), col);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     sqlite3_column_bytes(stmt_.get(), col));
}

absl::string_view Statement::ColumnBlob(int col) const {
  const void* blob = sqlite3_column_blob(stmt_.get(), col);
  if (blob == nullptr) return {};
  return absl::string_view(static_cast<const char*>(blob),
                           sqlite3_column_bytes(stmt_.get(), col));
}

bool Statement::ColumnIsNull(int col) const {
  return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL;
}

// ---- Database ----

namespace {

// Database files hold personal data: readable by the node's user only. A
// new file is created 0600 before SQLite opens it (SQLite gives the -wal and
// -shm files the database file's permissions); an existing database, WAL or
// shared-memory file readable by others is tightened to 0600.
absl::Status KeepPrivate(const std::string& path, bool create) {
  if (path.empty() || path[0] == ':' || path.rfind("file:", 0) == 0)
    return absl::OkStatus();
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (!create) return absl::OkStatus();  // SQLite reports the missing file
    const int fd =
        ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
    return absl::OkStatus();
  }
  for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
    if (::stat(file.c_str(), &st) == 0 && (st.st_mode & 077) != 0 &&
        ::chmod(file.c_str(), st.st_mode & 0700) != 0) {
      return absl::PermissionDeniedError(
          absl::StrCat(file,
                       " is readable by other users and cannot be made private "
                       "(chmod 600 it)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Database> Database::Open(const std::string& path,
                                        const OpenOptions& options) {
  // Before SQLite first starts, once per process: no count of the memory it
  // allocates. The count takes a process-wide mutex on every allocation,
  // 6% of a bulk import's time (issue 30, docs/benchmarks.md); nothing here
  // reads it.
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);  // SQLITE_MISUSE if started
    return true;
  }();
  (void)configured;
  int flags = SQLITE_OPEN_NOMUTEX;
  if (options.read_only) {
    flags |= SQLITE_OPEN_READONLY;
  } else {
    flags |= SQLITE_OPEN_READWRITE;
    if (options.create) flags |= SQLITE_OPEN_CREATE;
  }
  if (!options.read_only) RETURN_IF_ERROR(KeepPrivate(path, options.create));
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Database db(path, raw);
  if (rc != SQLITE_OK) {
    return SqliteError(raw, rc, absl::StrCat("open ", path));
  }
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  db.busy_timeout_ms_ = options.busy_timeout_ms;
  if (!options.read_only) db.gate_ = WriteGateOf(path);
  sqlite3_extended_result_codes(raw, 1);
  // page_size only takes effect on a new, empty database.
  RETURN_IF_ERROR(db.Exec(absl::StrCat(
      options.read_only
          ? ""
          : absl::StrCat("PRAGMA page_size=", options.page_size, ";"),
      options.read_only ? "" : "PRAGMA journal_mode=WAL;",
      "PRAGMA foreign_keys=ON;",
      "PRAGMA synchronous=", options.synchronous_full ? "FULL" : "NORMAL", ";",
      "PRAGMA cache_size=", options.cache_size, ";",
      "PRAGMA temp_store=MEMORY;",
      "PRAGMA wal_autocheckpoint=", options.wal_autocheckpoint_pages, ";",
      "PRAGMA mmap_size=", options.mmap_size, ";")));
  return db;
}

absl::Status Database::Exec(absl::string_view sql) {
  std::string owned(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_.get(), owned.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    absl::Status status =
        SqliteError(db_.get(), rc, absl::StrCat("exec: ", error ? error : ""));
    sqlite3_free(error);
    return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<Statement> Database::Prepare(absl::string_view sql) {
  if (sqlite3_stmt* cached = cache_->Take(sql))
    return Statement(db_.get(), cached, cache_);
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  int rc =
      sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                         SQLITE_PREPARE_PERSISTENT, &raw, &tail);
  if (rc != SQLITE_OK) {
    return SqliteError(db_.get(), rc, absl::StrCat("prepare: ", sql));
  }
  if (raw == nullptr) {  // only whitespace or a comment
    return absl::InvalidArgumentError(
        absl::StrCat("prepare: no statement in '", sql, "'"));
  }
  // Kept for reuse only when the text is this one statement and nothing
  // more, so that the next Prepare of the same text finds it.
  const bool whole = tail == sql.data() + sql.size() && sqlite3_sql(raw) == sql;
  return Statement(db_.get(), raw,
                   whole ? cache_ : std::weak_ptr<StatementCache>());
}

absl::StatusOr<int64_t> Database::QueryInt(absl::string_view sql) {
  ASSIGN_OR_RETURN(Statement stmt, Prepare(sql));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.ColumnInt(0) : 0;
}

int64_t Database::LastInsertRowId() const {
  return sqlite3_last_insert_rowid(db_.get());
}

int Database::Changes() const { return sqlite3_changes(db_.get()); }

// ---- Write gates ----

std::shared_ptr<ConcurrencyLimit> WriteGateOf(const std::string& path) {
  static absl::Mutex registry_mu(absl::kConstInit);
  static auto* registry =
      new std::map<std::string, std::weak_ptr<ConcurrencyLimit>>();
  std::error_code ec;
  std::string key = std::filesystem::weakly_canonical(path, ec).string();
  if (ec || key.empty()) key = path;
  absl::MutexLock lock(&registry_mu);
  std::shared_ptr<ConcurrencyLimit> gate = (*registry)[key].lock();
  if (gate == nullptr) {
    // Files whose connections all closed (a test's temporary stores) leave.
    for (auto it = registry->begin(); it != registry->end();) {
      it = it->second.expired() ? registry->erase(it) : std::next(it);
    }
    gate = std::make_shared<ConcurrencyLimit>(1);
    (*registry)[key] = gate;
  }
  return gate;
}

// ---- Transaction ----

namespace {

// BEGIN, COMMIT and ROLLBACK run on every request: prepared once per
// connection, not parsed each time.
absl::Status RunCached(Database& db, absl::string_view sql) {
  ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
  return stmt.Run();
}

}  // namespace

absl::StatusOr<Transaction> Transaction::Begin(Database& db) {
  ConcurrencyLimit* gate = db.gate_.get();
  if (gate != nullptr &&
      !gate->EnterWithin(absl::Milliseconds(db.busy_timeout_ms_))) {
    return absl::UnavailableError(absl::StrCat(
        "the database ", db.path(), " stayed busy with other writes for ",
        db.busy_timeout_ms_ / 1000.0,
        " s (a long write such as an import batch is running): "
        "retry the request"));
  }
  absl::Status begun = RunCached(db, "BEGIN IMMEDIATE");
  if (!begun.ok()) {
    if (gate != nullptr) gate->Exit();
    return begun;
  }
  return Transaction(&db, gate);
}

absl::StatusOr<Transaction> Transaction::BeginRead(Database& db) {
  RETURN_IF_ERROR(RunCached(db, "BEGIN DEFERRED"));
  return Transaction(&db, nullptr);
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(other.db_), gate_(other.gate_) {
  other.db_ = nullptr;
  other.gate_ = nullptr;
}

void Transaction::End() {
  db_ = nullptr;
  if (gate_ != nullptr) gate_->Exit();
  gate_ = nullptr;
}

Transaction::~Transaction() {
  if (db_ != nullptr) {
    (void)RunCached(*db_, "ROLLBACK");
    End();
  }
}

absl::Status Transaction::Commit() {
  if (db_ == nullptr) return absl::FailedPreconditionError("not active");
  absl::Status status = RunCached(*db_, "COMMIT");
  if (status.ok()) End();
  return status;
}

// ---- Migrations ----

absl::Status Migrate(Database& db, const std::vector<std::string>& migrations) {
  ASSIGN_OR_RETURN(int64_t version, db.QueryInt("PRAGMA user_version"));
  if (version > static_cast<int64_t>(migrations.size())) {
    return absl::FailedPreconditionError(absl::StrCat(
        db.path(), " has schema version ", version, " but this binary knows ",
        migrations.size(), ": upgrade the binary"));
  }
  for (size_t i = version; i < migrations.size(); ++i) {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    RETURN_IF_ERROR(db.Exec(migrations[i]));
    RETURN_IF_ERROR(db.Exec(absl::StrCat("PRAGMA user_version=", i + 1)));
    RETURN_IF_ERROR(txn.Commit());
  }
  return absl::OkStatus();
}

std::string JsonArray(const std::vector<std::string>& values) {
  std::string out = "[";
  for (const std::string& v : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (unsigned char c : v) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c < 0x20) {
        char buf[8];
        snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
    out += '"';
  }
  out += ']';
  return out;
}

}  // namespace ntmis::sql
