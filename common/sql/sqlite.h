// A small RAII layer over SQLite: Database, Statement, Transaction and
// numbered migrations. Errors are absl::Status; nothing throws.
//
// Thread safety: a Database and its Statements belong to one thread at a
// time (the connection is opened in SQLite's multi-thread mode). Use one
// Database per thread for concurrency; WAL lets readers run beside a writer,
// and the connections of one process to one file queue their write
// transactions on that file's write gate (WriteGateOf).
#ifndef NTMIS_COMMON_SQL_SQLITE_H_
#define NTMIS_COMMON_SQL_SQLITE_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/base/concurrency_limit.h"

namespace ntmis::sql {

class Database;

// The prepared statements of one connection that are not in use, by SQL
// text. A request prepares the same dozen statements every time; compiling
// them again (parsing, planning) cost more than running them. Belongs to
// its connection's thread, like the connection.
class StatementCache {
 public:
  StatementCache() = default;
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;
  ~StatementCache();

  // A statement for exactly this text, reset and unbound; null if none.
  sqlite3_stmt* Take(absl::string_view sql);
  // Keeps `stmt` (reset and unbound by the caller) for the next Take, or
  // finalizes it when kMaxTexts texts, or kMaxPerText copies of its text
  // (the same query open in nested loops), are kept already.
  void Give(sqlite3_stmt* stmt);

  static constexpr size_t kMaxTexts = 512;
  static constexpr size_t kMaxPerText = 4;

 private:
  absl::flat_hash_map<std::string, std::vector<sqlite3_stmt*>> idle_;
};

// A prepared statement, handed back to its connection's cache (or
// finalized) on destruction. Bind indexes are 1-based; column indexes are
// 0-based. Move-only.
class Statement {
 public:
  Statement() = default;
  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) noexcept = default;

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, int64_t{value}); }
  Statement& Bind(int index, uint64_t value) {
    return Bind(index, static_cast<int64_t>(value));
  }
  Statement& Bind(int index, double value);
  Statement& Bind(int index, absl::string_view text);  // copied
  Statement& Bind(int index, const char* text) {
    return Bind(index, absl::string_view(text));
  }
  Statement& Bind(int index, const std::string& text) {
    return Bind(index, absl::string_view(text));
  }
  Statement& BindBlob(int index, absl::string_view bytes);  // copied
  // Not copied: `text` / `bytes` must stay valid until the next Reset().
  Statement& BindView(int index, absl::string_view text);
  Statement& BindBlobView(int index, absl::string_view bytes);
  Statement& BindNull(int index);

  // Binds every argument in order, starting at index 1.
  template <typename... Args>
  Statement& BindAll(const Args&... args) {
    int index = 0;
    (Bind(++index, args), ...);
    return *this;
  }

  // Advances: true when a row is available, false when done.
  absl::StatusOr<bool> Step();
  // Steps through every row, calling fn() with the statement positioned on
  // it; the first error of a step or of fn (when it returns absl::Status)
  // ends it:  RETURN_IF_ERROR(stmt.ForEachRow([&] { use(stmt.ColumnText(0));
  // }));
  template <typename Fn>
  absl::Status ForEachRow(Fn&& fn) {
    while (true) {
      absl::StatusOr<bool> row = Step();
      if (!row.ok()) return row.status();
      if (!*row) return absl::OkStatus();
      if constexpr (std::is_void_v<decltype(fn())>) {
        fn();
      } else {
        absl::Status status = fn();
        if (!status.ok()) return status;
      }
    }
  }
  // Runs to completion, expecting no rows back; resets the statement, also
  // when it fails.
  absl::Status Run();
  // Resets for reuse and clears bindings.
  void Reset();

  int64_t ColumnInt(int col) const;
  double ColumnDouble(int col) const;
  std::string ColumnText(int col) const;
  absl::string_view ColumnBlob(int col) const;  // valid until next Step
  bool ColumnIsNull(int col) const;

 private:
  friend class Database;
  // Returns the statement to the cache it came from, or finalizes it when
  // that cache (its connection) is gone.
  struct Finalizer {
    std::weak_ptr<StatementCache> cache;
    void operator()(sqlite3_stmt* s) const;
  };
  Statement(sqlite3* db, sqlite3_stmt* stmt,
            std::weak_ptr<StatementCache> cache)
      : db_(db), stmt_(stmt, Finalizer{std::move(cache)}) {}
  // Keeps the first bind error for Step() to return.
  Statement& NoteBind(int rc);

  sqlite3* db_ = nullptr;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  absl::Status bind_error_;
};

struct OpenOptions {
  bool create = true;
  bool read_only = false;
  int busy_timeout_ms = 10000;
  // Negative: KiB (SQLite convention). Default 64 MiB.
  int cache_size = -65536;
  // NORMAL is durable in WAL mode except for the last transactions before a
  // power loss; FULL also survives that.
  bool synchronous_full = false;
  // Bytes per page of a newly created database.
  int page_size = 4096;
  // WAL pages that trigger an automatic checkpoint (SQLite's default 1000).
  int wal_autocheckpoint_pages = 1000;
  // Bytes of the file read through a memory map instead of read() calls
  // (0: off). Random reads of a large file get much cheaper; the mapped
  // pages are the OS page cache, counted in RSS as file-backed memory.
  int64_t mmap_size = 0;
};

// The writers of this process to one database file queue on its gate (a
// one-slot ConcurrencyLimit): SQLite serializes writers anyway, but a writer
// that finds the lock taken polls it with growing sleeps (1, 2, 5, … 100
// ms), whereas writers queued here start the moment the previous one ends,
// in the order they came. Writers of other processes (a `sync --once`)
// still meet SQLite's busy timeout.
std::shared_ptr<ConcurrencyLimit> WriteGateOf(const std::string& path);

// An open connection in WAL mode with a busy timeout. Move-only.
class Database {
 public:
  static absl::StatusOr<Database> Open(const std::string& path,
                                       const OpenOptions& options = {});

  Database(Database&&) noexcept = default;
  Database& operator=(Database&&) noexcept = default;

  // Runs one or more statements that return no rows.
  absl::Status Exec(absl::string_view sql);
  // One statement; the same text prepared again on this connection reuses
  // the compiled statement once the earlier one is destroyed.
  absl::StatusOr<Statement> Prepare(absl::string_view sql);

  // Runs a query whose first row's first column is an integer (0 if no row).
  absl::StatusOr<int64_t> QueryInt(absl::string_view sql);

  int64_t LastInsertRowId() const;
  int Changes() const;
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_.get(); }

 private:
  friend class Transaction;
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  Database(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}

  std::string path_;
  std::unique_ptr<sqlite3, Closer> db_;
  // After db_: finalizes the idle statements before the connection closes.
  std::shared_ptr<StatementCache> cache_ = std::make_shared<StatementCache>();
  std::shared_ptr<ConcurrencyLimit> gate_;  // null for a read-only connection
  int busy_timeout_ms_ = 0;
};

// BEGIN IMMEDIATE on construction (via Begin), ROLLBACK on destruction unless
// Commit() succeeded. A write transaction holds the file's write gate from
// Begin to its end; UNAVAILABLE if it cannot start within the busy timeout.
class Transaction {
 public:
  static absl::StatusOr<Transaction> Begin(Database& db);
  // A deferred transaction, for consistent reads without the write lock.
  static absl::StatusOr<Transaction> BeginRead(Database& db);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  absl::Status Commit();

 private:
  Transaction(Database* db, ConcurrencyLimit* gate) : db_(db), gate_(gate) {}
  void End();
  Database* db_;
  ConcurrencyLimit*
      gate_;  // held while db_ is set; null for a read transaction
};

// Applies migrations[i] for every i >= PRAGMA user_version, each in its own
// transaction together with the user_version bump.
absl::Status Migrate(Database& db, const std::vector<std::string>& migrations);

// A JSON array of strings, to bind a list of values as one parameter:
// `x IN (SELECT value FROM json_each(?))`.
std::string JsonArray(const std::vector<std::string>& values);

// The status for a SQLite result code, with the connection's message.
absl::Status SqliteError(sqlite3* db, int rc, absl::string_view what);

}  // namespace ntmis::sql

#endif  // NTMIS_COMMON_SQL_SQLITE_H_
