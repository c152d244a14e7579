// What SQLite itself takes to store rows shaped like the province's teacher
// table, structure by structure, with the store's settings (16 KiB pages,
// WAL, synchronous=NORMAL, 256 MiB cache), in batches of 100,000 rows in
// one transaction each, from rows already in memory (no parsing, no rules):
// the floor under the teacher import, measured in one run against the
// cheapest layout (an unindexed table, what sqlite3's `.import` fills).
//
//   ntmis_sqlite_floor_bench [--rows N]
// docs/benchmarks.md ("What SQLite itself can do") reads the figures.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "tests/support/test_support.h"

namespace ntmis::testing {
namespace {

struct Row {
  std::string id_hash;  // 32 random bytes, as an HMAC spreads them
  std::string school;   // one of 6,000 schools, at random
};

struct Layout {
  const char* name;
  const char* schema;
  bool school_order;  // each batch written school by school
  bool outbox;
};

void Exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::fprintf(stderr, "%s: %s\n", sql, error);
    std::exit(1);
  }
}

double Store(const std::string& path, const Layout& layout,
             std::vector<Row>& rows) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(
      path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  Exec(db,
       "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; "
       "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-262144; "
       "PRAGMA wal_autocheckpoint=4096;");
  Exec(db, layout.schema);
  Exec(db, "CREATE TABLE outbox(seq INTEGER PRIMARY KEY, teacher_number, op)");
  sqlite3_stmt* insert = nullptr;
  sqlite3_stmt* outbox = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?, ?, ?, ?, 'effective', ?, ?)",
                     -1, &insert, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO outbox(teacher_number, op) VALUES (?, 1)",
                     -1, &outbox, nullptr);
  const std::string sealed(46, 's'), record(300, 'r'), name = "张三丰";
  constexpr size_t kBatch = 100000;
  const auto t0 = std::chrono::steady_clock::now();
  int64_t next = 1;
  for (size_t start = 0; start < rows.size(); start += kBatch) {
    std::vector<const Row*> batch;
    for (size_t i = start; i < std::min(rows.size(), start + kBatch); ++i)
      batch.push_back(&rows[i]);
    if (layout.school_order)
      std::stable_sort(batch.begin(), batch.end(),
                       [](auto* a, auto* b) { return a->school < b->school; });
    Exec(db, "BEGIN");
    for (const Row* r : batch) {
      const std::string number = absl::StrFormat("44%010d", next++);
      sqlite3_bind_text(insert, 1, number.data(), number.size(), SQLITE_STATIC);
      sqlite3_bind_blob(insert, 2, r->id_hash.data(), r->id_hash.size(),
                        SQLITE_STATIC);
      sqlite3_bind_blob(insert, 3, sealed.data(), sealed.size(), SQLITE_STATIC);
      sqlite3_bind_text(insert, 4, r->school.data(), r->school.size(),
                        SQLITE_STATIC);
      sqlite3_bind_blob(insert, 5, record.data(), record.size(), SQLITE_STATIC);
      sqlite3_bind_text(insert, 6, name.data(), name.size(), SQLITE_STATIC);
      if (sqlite3_step(insert) != SQLITE_DONE) {
        std::fprintf(stderr, "insert: %s\n", sqlite3_errmsg(db));
        std::exit(1);
      }
      sqlite3_reset(insert);
      if (layout.outbox) {
        sqlite3_bind_text(outbox, 1, number.data(), number.size(),
                          SQLITE_STATIC);
        sqlite3_step(outbox);
        sqlite3_reset(outbox);
      }
    }
    Exec(db, "COMMIT");
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  sqlite3_finalize(insert);
  sqlite3_finalize(outbox);
  sqlite3_close(db);
  return seconds;
}

int Run(size_t n) {
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  std::mt19937_64 random(2026);
  std::vector<Row> rows(n);
  for (Row& r : rows) {
    r.id_hash.resize(32);
    for (size_t i = 0; i < 32; i += 8) {
      const uint64_t x = random();
      std::memcpy(&r.id_hash[i], &x, 8);
    }
    r.school = absl::StrFormat("4401%06d", random() % 6000);
  }
  // The teacher table's columns that matter to the cost: number, ID hash,
  // sealed ID, school, state, record, name.
  constexpr char kPlain[] = "CREATE TABLE t(n, h, s, school, state, r, name);";
  constexpr char kKeyed[] =
      "CREATE TABLE t(n TEXT PRIMARY KEY, h BLOB NOT NULL, s, school, state, "
      "r, name) WITHOUT ROWID;";
  constexpr char kUnique[] =
      "CREATE TABLE t(n TEXT PRIMARY KEY, h BLOB NOT NULL UNIQUE, s, school, "
      "state, r, name) WITHOUT ROWID;";
  const std::string school_index =
      std::string(kUnique) + "CREATE INDEX ts ON t(school, state);";
  const std::string layout_sql =
      school_index + "CREATE INDEX tn ON t(n, name);";
  const Layout layouts[] = {
      {"unindexed table (what .import fills)", kPlain, false, false},
      {"+ key by teacher number", kKeyed, false, false},
      {"+ unique ID hash", kUnique, false, false},
      {"+ index by school", school_index.c_str(), false, false},
      {"+ index of names + outbox (the layout)", layout_sql.c_str(), false,
       true},
      {"the layout, batches in school order", layout_sql.c_str(), true, true},
  };
  TempDir dir;
  std::printf("rows: %zu\n%-44s %9s %10s\n", n, "layout", "seconds", "x first");
  double first = 0;
  int i = 0;
  for (const Layout& layout : layouts) {
    const double s =
        Store(dir.File(absl::StrFormat("t%d.db", i++)), layout, rows);
    if (first == 0) first = s;
    std::printf("%-44s %9.2f %9.2fx\n", layout.name, s, s / first);
  }
  return 0;
}

}  // namespace
}  // namespace ntmis::testing

int main(int argc, char** argv) {
  size_t rows = 1000000;
  for (int i = 1; i + 1 < argc; i += 2)
    if (std::string(argv[i]) == "--rows")
      rows = std::strtoull(argv[i + 1], nullptr, 10);
  return ntmis::testing::Run(rows);
}
