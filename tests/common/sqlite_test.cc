// The SQLite RAII layer: statements, transactions, migrations, error codes.
#include "common/sql/sqlite.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "common/sql/wal_checkpointer.h"
#include "tests/support/test_support.h"

namespace ntmis::sql {
namespace {

using testing::TempDir;
using testing::ValueOrDie;

TEST_CASE("Database opens in WAL mode and runs statements", "[sqlite]") {
  TempDir dir;
  Database db = ValueOrDie(Database::Open(dir.File("a.db")));
  auto mode = ValueOrDie(db.Prepare("PRAGMA journal_mode"));
  REQUIRE(ValueOrDie(mode.Step()));
  CHECK(mode.ColumnText(0) == "wal");

  NTMIS_ASSERT_OK(db.Exec("CREATE TABLE t(a INTEGER, b TEXT, c BLOB)"));
  Statement insert = ValueOrDie(db.Prepare("INSERT INTO t VALUES (?, ?, ?)"));
  for (int i = 0; i < 3; ++i) {
    insert.BindAll(i, std::string("row") + std::to_string(i));
    insert.BindBlob(3, std::string("\0x", 2));
    NTMIS_ASSERT_OK(insert.Run());
  }
  CHECK(ValueOrDie(db.QueryInt("SELECT COUNT(*) FROM t")) == 3);
  Statement read = ValueOrDie(db.Prepare("SELECT b, c FROM t WHERE a = ?"));
  read.Bind(1, 2);
  REQUIRE(ValueOrDie(read.Step()));
  CHECK(read.ColumnText(0) == "row2");
  CHECK(read.ColumnBlob(1) == absl::string_view("\0x", 2));
}

TEST_CASE("Transaction rolls back unless committed", "[sqlite]") {
  TempDir dir;
  Database db = ValueOrDie(Database::Open(dir.File("a.db")));
  NTMIS_ASSERT_OK(db.Exec("CREATE TABLE t(a INTEGER)"));
  {
    Transaction txn = ValueOrDie(Transaction::Begin(db));
    NTMIS_ASSERT_OK(db.Exec("INSERT INTO t VALUES (1)"));
  }
  CHECK(ValueOrDie(db.QueryInt("SELECT COUNT(*) FROM t")) == 0);
  {
    Transaction txn = ValueOrDie(Transaction::Begin(db));
    NTMIS_ASSERT_OK(db.Exec("INSERT INTO t VALUES (1)"));
    NTMIS_ASSERT_OK(txn.Commit());
  }
  CHECK(ValueOrDie(db.QueryInt("SELECT COUNT(*) FROM t")) == 1);
}

TEST_CASE("Errors carry deliberate status codes", "[sqlite]") {
  TempDir dir;
  Database db = ValueOrDie(Database::Open(dir.File("a.db")));
  NTMIS_ASSERT_OK(db.Exec("CREATE TABLE t(a INTEGER PRIMARY KEY)"));
  NTMIS_ASSERT_OK(db.Exec("INSERT INTO t VALUES (1)"));
  CHECK(absl::IsAlreadyExists(db.Exec("INSERT INTO t VALUES (1)")));
  CHECK(!db.Prepare("SELECT nonsense FROM nowhere").ok());
  CHECK(absl::IsNotFound(
      Database::Open(dir.File("missing.db"), OpenOptions{.create = false})
          .status()));
}

TEST_CASE("Migrations apply once in order and refuse a newer schema",
          "[sqlite]") {
  TempDir dir;
  std::vector<std::string> v1 = {"CREATE TABLE a(x)"};
  std::vector<std::string> v2 = {"CREATE TABLE a(x)", "CREATE TABLE b(y)"};
  {
    Database db = ValueOrDie(Database::Open(dir.File("m.db")));
    NTMIS_ASSERT_OK(Migrate(db, v1));
    NTMIS_ASSERT_OK(Migrate(db, v1));  // idempotent
    NTMIS_ASSERT_OK(Migrate(db, v2));
    CHECK(ValueOrDie(db.QueryInt("PRAGMA user_version")) == 2);
    CHECK(ValueOrDie(db.QueryInt(
              "SELECT COUNT(*) FROM sqlite_master WHERE name='b'")) == 1);
  }
  Database db = ValueOrDie(Database::Open(dir.File("m.db")));
  CHECK(absl::IsFailedPrecondition(Migrate(db, v1)));
}

// Mode bits of `path` beyond the owner's.
int OthersBits(const std::string& path) {
  return static_cast<int>(
      std::filesystem::status(path).permissions() &
      (std::filesystem::perms::group_all | std::filesystem::perms::others_all));
}

TEST_CASE(
    "Database files are private to their user and loose ones are tightened",
    "[sqlite]") {
  testing::TempDir dir;
  const std::string path = dir.File("private.db");
  {
    Database db = ValueOrDie(Database::Open(path));
    REQUIRE(
        db.Exec("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1)").ok());
    for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
      INFO(file);
      REQUIRE(std::filesystem::exists(file));
      CHECK(OthersBits(file) == 0);
    }
  }
  // A database left readable by others (copied in by hand, an old node).
  std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                         std::filesystem::perms::owner_write |
                                         std::filesystem::perms::group_read |
                                         std::filesystem::perms::others_read);
  REQUIRE(OthersBits(path) != 0);
  Database db = ValueOrDie(Database::Open(path));
  CHECK(OthersBits(path) == 0);
  CHECK(ValueOrDie(db.QueryInt("SELECT v FROM t")) == 1);
}

TEST_CASE("A watched WAL is checkpointed off the writer's commits",
          "[sqlite]") {
  testing::TempDir dir;
  const std::string path = dir.File("w.db");
  WalCheckpointer checkpointer;
  Database db = ValueOrDie(Database::Open(path));
  REQUIRE(db.Exec("CREATE TABLE t (v BLOB)").ok());
  const auto before = std::filesystem::file_size(path);
  checkpointer.Watch(db, 10);
  auto insert = ValueOrDie(db.Prepare("INSERT INTO t VALUES (zeroblob(2000))"));
  for (int i = 0; i < 100; ++i) REQUIRE(insert.Run().ok());  // a commit each
  // The commits went on without waiting; the checkpointer copied the WAL
  // into the database file meanwhile.
  // The checkpointer runs at nice 10: under a busy parallel test run it may
  // wait seconds for a core, so the test waits up to 30 s (usually ms).
  for (int i = 0; i < 3000 && checkpointer.checkpoints() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(checkpointer.checkpoints() > 0);
  // A checkpoint is due once 10 pages wait in the WAL and copies what is
  // committed when it runs: at least those 10 pages (how much more depends
  // on timing; the rest waits in the WAL for the next one).
  for (int i = 0;
       i < 3000 && std::filesystem::file_size(path) < before + 10 * 4096; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(std::filesystem::file_size(path) >= before + 10 * 4096);
  CHECK(ValueOrDie(db.QueryInt("SELECT COUNT(*) FROM t")) == 100);
}

}  // namespace
}  // namespace ntmis::sql
